#pragma once
// CodeTable<T>: short codes interned to dense indexes 0, 1, 2, ..., each with a value T, for
// offline readers that look up every event's code (reports). One open-addressing array of
// 4-byte slots plus an array of {64-bit fingerprint, T}: a lookup touches one slot and one
// entry (two cache misses at most, where a hash map of strings takes three or more). Two codes
// are taken as equal when their 64-bit fingerprints are (for 10M codes, the chance that any
// two differ but collide is below 3e-6). The arrays ask for huge pages: on a VM, TLB misses
// on random lookups cost more than the cache misses. Not thread-safe.

#include <cstdint>
#include <string_view>
#include <vector>

namespace redirector {

// Asks for transparent huge pages on the whole 2 MiB pages inside [p, p + bytes); a hint.
void AdviseHugePages(void* p, size_t bytes);
// absl's string hash (seeded per process: fine, a table lives in one).
uint64_t CodeFingerprint(std::string_view code);

template <typename T>
class CodeTable {
 public:
  struct Entry {
    uint64_t fingerprint;
    T value;
  };

  // The code's entry, added with `init` if new; `added` says which. Pointers stay valid until
  // the next Intern.
  Entry* Intern(std::string_view code, const T& init, bool* added) {
    if (2 * (entries_.size() + 1) > slots_.size()) Grow(2 * (entries_.size() + 1));
    uint64_t fp = CodeFingerprint(code);
    size_t i = Probe(fp);
    *added = slots_[i] == 0;
    if (*added) {
      if (entries_.size() == entries_.capacity()) {
        std::vector<Entry> bigger;
        bigger.reserve(std::max<size_t>(1024, 2 * entries_.size()));
        AdviseHugePages(bigger.data(), bigger.capacity() * sizeof(Entry));
        bigger.assign(entries_.begin(), entries_.end());
        entries_.swap(bigger);
      }
      entries_.push_back({fp, init});
      slots_[i] = static_cast<uint32_t>(entries_.size());
    }
    return &entries_[slots_[i] - 1];
  }
  Entry* Find(std::string_view code) { return FindFingerprint(CodeFingerprint(code)); }
  Entry* FindFingerprint(uint64_t fp) {
    if (slots_.empty()) return nullptr;
    uint32_t s = slots_[Probe(fp)];
    return s == 0 ? nullptr : &entries_[s - 1];
  }

  // For callers that look up a stream of codes: prefetch a lookup's memory a few lookups
  // ahead (its slot, then its entry once the slot is in cache), so cache misses overlap.
  void PrefetchSlot(uint64_t fp) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[fp & (slots_.size() - 1)]);
  }
  void PrefetchEntry(uint64_t fp) const {
    if (slots_.empty()) return;
    uint32_t s = slots_[fp & (slots_.size() - 1)];
    if (s != 0) __builtin_prefetch(&entries_[s - 1]);
  }
  std::vector<Entry>& entries() { return entries_; }
  size_t size() const { return entries_.size(); }

 private:
  // The slot holding fp, or the empty slot where it would go.
  size_t Probe(uint64_t fp) const {
    size_t mask = slots_.size() - 1;
    for (size_t i = fp & mask;; i = (i + 1) & mask) {
      uint32_t s = slots_[i];
      if (s == 0 || entries_[s - 1].fingerprint == fp) return i;
    }
  }
  void Grow(size_t n) {
    size_t capacity = 1024;
    while (capacity < 2 * n) capacity *= 2;
    std::vector<uint32_t> slots;
    slots.reserve(capacity);
    AdviseHugePages(slots.data(), capacity * sizeof(uint32_t));
    slots.assign(capacity, 0);
    slots_.swap(slots);
    for (uint32_t s = 1; s <= entries_.size(); ++s) slots_[Probe(entries_[s - 1].fingerprint)] = s;
  }

  std::vector<uint32_t> slots_;  // entry index + 1; 0: empty. A power of two, load ≤ 1/2.
  std::vector<Entry> entries_;
};

}  // namespace redirector
