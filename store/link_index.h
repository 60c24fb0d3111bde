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
// is a 7-byte header, the optional fields the link has and its text (see LinkEntry), packed
// without padding. Slot arrays and the arena's 2 MiB chunks ask for huge pages.

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace store {

inline constexpr uint8_t kNoVariant = 0xff;

// One link as the redirect path sees it. Lives in the arena; never copied or freed while the
// index lives, so a pointer to it may be kept (e.g. in an event) until the index is destroyed.
//
// Layout (byte-aligned; multi-byte fields are read with memcpy): a 7-byte header (lengths of
// the code and recipient, a flags byte, the campaign slot), then only the optional fields a link
// has, in this order: variant index (1 byte), sent_at (4), expires_at (4), destination override
// length (2), coupon length (1); then the code, recipient, destination and coupon bytes. A
// typical per-recipient link (code, recipient, send time) is 11 bytes plus its text.
class LinkEntry {
 public:
  std::string_view code() const { return {text(), code_len_}; }
  std::string_view recipient() const { return {text() + code_len_, recipient_len_}; }
  std::string_view destination() const {
    return {text() + code_len_ + recipient_len_, Optional<uint16_t>(kDestination)};
  }
  std::string_view coupon() const {
    return {text() + code_len_ + recipient_len_ + Optional<uint16_t>(kDestination),
            Optional<uint8_t>(kCoupon)};
  }
  uint32_t campaign_slot() const { return Load<uint32_t>(campaign_slot_); }
  uint8_t variant_index() const { return Optional<uint8_t>(kVariant, kNoVariant); }  // or none
  int64_t sent_at() const { return Optional<uint32_t>(kSentAt); }        // Unix seconds, 0: unknown
  int64_t expires_at() const { return Optional<uint32_t>(kExpiresAt); }  // Unix seconds, 0: never
  bool disabled() const { return (flags_ & kDisabledFlag) != 0; }

 private:
  friend class LinkIndex;
  // Optional fields, as bit numbers in flags_ and in the order they are stored.
  enum Field : unsigned { kVariant, kSentAt, kExpiresAt, kDestination, kCoupon, kFieldCount };
  static constexpr uint8_t kFieldSize[kFieldCount] = {1, 4, 4, 2, 1};
  static constexpr uint8_t kDisabledFlag = 0x80;

  template <typename T>
  static T Load(const void* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  // Bytes taken by the optional fields `flags` has before `field` (all of them: kFieldCount).
  static size_t OptionalBytes(uint8_t flags, unsigned field) {
    size_t n = 0;
    for (unsigned f = 0; f < field; ++f) n += (unsigned{flags} >> f & 1u) * kFieldSize[f];
    return n;
  }
  // The optional field's value, `absent` when the link does not have it.
  template <typename T>
  T Optional(Field field, T absent = 0) const {
    if (!(flags_ & (1u << field))) return absent;
    return Load<T>(reinterpret_cast<const char*>(this + 1) + OptionalBytes(flags_, field));
  }
  const char* text() const {
    return reinterpret_cast<const char*>(this + 1) + OptionalBytes(flags_, kFieldCount);
  }

  uint8_t code_len_;
  uint8_t recipient_len_;
  uint8_t flags_;  // bit f: optional field f present; kDisabledFlag
  char campaign_slot_[4];
};
static_assert(sizeof(LinkEntry) == 7 && alignof(LinkEntry) == 1);

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
  // The arena bytes one link takes.
  static size_t EntryBytes(const LinkEntryFields& fields);

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
  // The flags byte of `f`'s entry: which optional fields it stores, and whether it is disabled.
  static uint8_t FlagsOf(const LinkEntryFields& f);
  static size_t EntryBytes(const LinkEntryFields& f, uint8_t flags);
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
