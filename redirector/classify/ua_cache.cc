#include "redirector/classify/ua_cache.h"

#include <absl/hash/hash.h>

#include "store/string_view.h"

namespace redirector {
namespace {
// One writer: a plain read-modify-write, no locked instruction.
void Bump(std::atomic<uint64_t>& c) {
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}
}  // namespace

uint64_t UaGroupCache::Match(const TokenMatcher& matcher, std::string_view ua) {
  if (matcher.id() != matcher_id_) {
    entries_.fill(Entry{});
    matcher_id_ = matcher.id();
  }
  uint64_t key = absl::HashOf(store::AV(ua)) | 1;  // never 0, the empty mark
  Entry& e = entries_[(key >> 32) % kEntries];
  if (e.key == key) {
    Bump(hits_);
    return e.groups;
  }
  Bump(misses_);
  e.key = key;
  e.groups = matcher.Match(ua);
  return e.groups;
}

}  // namespace redirector
