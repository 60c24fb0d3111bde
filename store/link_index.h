#pragma once
// LinkIndex: the in-memory code → link table the redirect path reads.
//
// Concurrency: one writer at a time (the caller serializes writers), any number of readers,
// and readers take no lock at all. Entries are immutable once published: a writer builds an
// entry in an append-only arena, then publishes its address into an open-addressing slot with
// a release store; a reader loads the slot with acquire and sees either nothing or a complete
// entry. Changing a link (disable) publishes a new entry into the same slot; the old one stays
// in the arena, unreachable. Growing the slot array builds a new array, publishes it, and keeps
// the old one alive until the index is destroyed (so a reader mid-probe is never left with
// freed memory; the retired arrays add at most the size of the current one).
//
// Memory: a slot is 8 bytes (16-bit hash tag + 48-bit address) at a load factor of at most
// 3/4 (Reserve sizes the array for exactly that; growing while serving doubles it), and an entry
// is a 19-byte header plus its code, recipient, optional destination override and optional
// coupon, rounded up to 4 bytes. Slot arrays and the arena's 2 MiB chunks ask for huge pages.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace store {

inline constexpr uint8_t kNoVariant = 0xff;

// One link as the redirect path sees it. Lives in the arena; never copied or freed while the
// index lives, so a pointer to it may be kept (e.g. in an event) until the index is destroyed.
class LinkEntry {
 public:
  std::string_view code() const { return {data(), code_len_}; }
  std::string_view recipient() const { return {data() + code_len_, recipient_len_}; }
  std::string_view destination() const {
    return {data() + code_len_ + recipient_len_, destination_len_};
  }
  std::string_view coupon() const {
    return {data() + code_len_ + recipient_len_ + destination_len_, coupon_len_};
  }
  uint32_t campaign_slot() const { return campaign_slot_; }
  uint8_t variant_index() const { return variant_index_; }  // kNoVariant: none
  int64_t sent_at() const { return sent_at_; }              // Unix seconds, 0: unknown
  int64_t expires_at() const { return expires_at_; }        // Unix seconds, 0: never
  bool disabled() const { return disabled_ != 0; }

 private:
  friend class LinkIndex;
  uint32_t campaign_slot_;
  uint32_t sent_at_;
  uint32_t expires_at_;
  uint8_t variant_index_;
  uint8_t disabled_;
  uint8_t code_len_;
  uint8_t recipient_len_;
  uint16_t destination_len_;
  uint8_t coupon_len_;
  // The code, recipient, destination and coupon bytes follow the entry in the arena.
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
};

// What a writer gives the index for one link. Views are copied into the arena.
struct LinkEntryFields {
  std::string_view code;  // at most 255 bytes
  uint32_t campaign_slot = 0;
  uint8_t variant_index = kNoVariant;
  std::string_view recipient;    // at most 255 bytes
  std::string_view destination;  // at most 65535 bytes
  std::string_view coupon;       // at most 255 bytes
  uint32_t sent_at = 0;
  uint32_t expires_at = 0;
  bool disabled = false;
};

class LinkIndex {
 public:
  LinkIndex();
  ~LinkIndex();
  LinkIndex(const LinkIndex&) = delete;
  LinkIndex& operator=(const LinkIndex&) = delete;

  // Any thread, lock-free. nullptr when the code is unknown.
  const LinkEntry* Find(std::string_view code) const;

  // Writer only. Inserts the link, or replaces the entry with the same code.
  void Put(const LinkEntryFields& fields);
  // Writer only. Sizes the slot array for `n` links so loading them does not regrow it.
  void Reserve(size_t n);

  size_t size() const { return size_.load(std::memory_order_relaxed); }
  // Slots in the current array (writer only).
  size_t capacity() const;
  // Bytes held: slot arrays (current and retired) plus arena chunks.
  size_t MemoryBytes() const;

 private:
  struct Table;
  struct Chunk;

  static uint64_t Hash(std::string_view code);
  LinkEntry* Allocate(const LinkEntryFields& f);
  void Grow(size_t capacity);
  // Stores `slot_value` into `t` (writer only, `t` not yet or already published).
  static bool InsertInto(Table* t, uint64_t hash, uint64_t slot_value, std::string_view code);

  std::atomic<Table*> table_;
  std::vector<std::unique_ptr<Table>> tables_;  // current last; the rest retired
  std::vector<std::unique_ptr<Chunk>> chunks_;
  size_t chunk_used_ = 0;
  std::atomic<size_t> size_{0};
};

}  // namespace store
