#pragma once
// UaGroupCache: remembers which token groups a user agent matched (TokenMatcher::Match), so a
// user agent seen before skips the automaton walk. One per worker thread: not thread-safe, no
// lock, no allocation after construction.
//
// Why: the walk reads about one table row per user-agent byte, scattered over a table of a few
// hundred KiB. In a micro-benchmark the rows stay in cache (classify: ~265 ns); in the server
// the kernel's network stack evicts them between two requests and the same walk costs several
// times that. Real traffic repeats user agents heavily (a campaign's phones run a few browser
// versions), so a small cache answers most hits from one cache line.
//
// Direct-mapped, kEntries entries of 16 bytes, keyed by a 64-bit hash of the user agent (absl's,
// seeded per process, so not predictable from outside). Two different user agents with the
// same hash would share groups: about 2^-64 per pair, accepted. Entries belong to one matcher
// (TokenMatcher::id): a reload of the classifier data starts the cache afresh.

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

#include "redirector/classify/token_matcher.h"

namespace redirector {

class UaGroupCache {
 public:
  static constexpr size_t kEntries = 4096;

  // matcher.Match(ua), from the cache when `ua` was matched before by the same matcher.
  uint64_t Match(const TokenMatcher& matcher, std::string_view ua);

  // Any thread (metrics); written by the owner only.
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    uint64_t key = 0;  // the user agent's hash; 0: empty
    uint64_t groups = 0;
  };
  uint64_t matcher_id_ = 0;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::array<Entry, kEntries> entries_{};
};

}  // namespace redirector
