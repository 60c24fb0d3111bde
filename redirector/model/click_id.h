#pragma once
// Click ids: unique across a fleet without coordination, cheap to make on the redirect path.
//
// A click id is 22 base62 characters: two 64-bit halves of 11 digits each,
//   hi = node tag (24 bits, a hash of the node id) | start time (40 bits, ms since 2024-01-01)
//   lo = worker index (8 bits) | per-worker counter (56 bits)
// Two ids collide only if two processes with equally hashed node ids start in the same
// millisecond. Ids are not secret (they travel in URLs); they only need to be unique.
//
// One generator per worker thread; not thread-safe.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace redirector {

inline constexpr size_t kClickIdLength = 22;

// True when `s` has a click id's form: kClickIdLength characters of [0-9A-Za-z].
bool IsClickId(std::string_view s);

class ClickIdGenerator {
 public:
  // `start_unix_ms`: when the process started.
  ClickIdGenerator(std::string_view node_id, int64_t start_unix_ms, uint8_t worker);

  // Writes the next id into out[0, kClickIdLength).
  void Next(char* out);

 private:
  uint64_t hi_;
  uint64_t lo_base_;
  uint64_t counter_ = 0;
};

}  // namespace redirector
