#include "redirector/ua_cache.h"

#include <absl/hash/hash.h>

#include "store/string_view.h"

namespace redirector {

uint64_t UaGroupCache::Match(const TokenMatcher& matcher, std::string_view ua) {
  if (matcher.id() != matcher_id_) {
    entries_.fill(Entry{});
    matcher_id_ = matcher.id();
  }
  uint64_t key = absl::HashOf(store::AV(ua)) | 1;  // never 0, the empty mark
  Entry& e = entries_[(key >> 32) % kEntries];
  if (e.key == key) {
    ++hits_;
    return e.groups;
  }
  ++misses_;
  e.key = key;
  e.groups = matcher.Match(ua);
  return e.groups;
}

}  // namespace redirector
