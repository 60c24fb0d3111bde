#include "store/link_index.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include <absl/hash/hash.h>

namespace store {

struct LinkIndex::Table {
  explicit Table(size_t capacity)
      : mask(capacity - 1), slots(std::make_unique<std::atomic<uint64_t>[]>(capacity)) {
    for (size_t i = 0; i < capacity; ++i) slots[i].store(0, std::memory_order_relaxed);
  }
  size_t capacity() const { return mask + 1; }
  size_t mask;
  std::unique_ptr<std::atomic<uint64_t>[]> slots;
};

struct LinkIndex::Chunk {
  static constexpr size_t kBytes = 1 << 20;
  alignas(8) char bytes[kBytes];
};

namespace {
constexpr uint64_t kAddressMask = (uint64_t{1} << 48) - 1;
constexpr size_t kMinCapacity = 1024;

uint64_t TagOf(uint64_t hash) { return hash & ~kAddressMask; }
const LinkEntry* EntryOf(uint64_t slot) {
  return reinterpret_cast<const LinkEntry*>(slot & kAddressMask);
}
}  // namespace

LinkIndex::LinkIndex() {
  tables_.push_back(std::make_unique<Table>(kMinCapacity));
  table_.store(tables_.back().get(), std::memory_order_release);
}

LinkIndex::~LinkIndex() = default;

uint64_t LinkIndex::Hash(std::string_view code) {
  return absl::Hash<absl::string_view>{}(absl::string_view(code.data(), code.size()));
}

const LinkEntry* LinkIndex::Find(std::string_view code) const {
  const Table* t = table_.load(std::memory_order_acquire);
  uint64_t hash = Hash(code);
  uint64_t tag = TagOf(hash);
  for (size_t i = hash & t->mask;; i = (i + 1) & t->mask) {
    uint64_t slot = t->slots[i].load(std::memory_order_acquire);
    if (slot == 0) return nullptr;
    if (TagOf(slot) == tag && EntryOf(slot)->code() == code) return EntryOf(slot);
  }
}

bool LinkIndex::InsertInto(Table* t, uint64_t hash, uint64_t slot_value, std::string_view code) {
  uint64_t tag = TagOf(hash);
  for (size_t i = hash & t->mask;; i = (i + 1) & t->mask) {
    uint64_t slot = t->slots[i].load(std::memory_order_relaxed);
    if (slot == 0) {
      t->slots[i].store(slot_value, std::memory_order_release);
      return true;
    }
    if (TagOf(slot) == tag && EntryOf(slot)->code() == code) {
      t->slots[i].store(slot_value, std::memory_order_release);
      return false;
    }
  }
}

LinkEntry* LinkIndex::Allocate(const LinkEntryFields& f) {
  size_t bytes = sizeof(LinkEntry) + f.code.size() + f.recipient.size() + f.destination.size() +
                 f.coupon.size();
  bytes = (bytes + 7) & ~size_t{7};
  assert(bytes <= Chunk::kBytes);
  if (chunks_.empty() || chunk_used_ + bytes > Chunk::kBytes) {
    chunks_.push_back(std::unique_ptr<Chunk>(new Chunk));  // no zeroing: written before read
    chunk_used_ = 0;
  }
  auto* e = reinterpret_cast<LinkEntry*>(chunks_.back()->bytes + chunk_used_);
  chunk_used_ += bytes;
  e->campaign_slot_ = f.campaign_slot;
  e->sent_at_ = f.sent_at;
  e->expires_at_ = f.expires_at;
  e->variant_index_ = f.variant_index;
  e->disabled_ = f.disabled ? 1 : 0;
  e->code_len_ = static_cast<uint8_t>(f.code.size());
  e->recipient_len_ = static_cast<uint8_t>(f.recipient.size());
  e->destination_len_ = static_cast<uint16_t>(f.destination.size());
  e->coupon_len_ = static_cast<uint8_t>(f.coupon.size());
  char* p = reinterpret_cast<char*>(e + 1);
  // std::copy, not memcpy: an empty view may have a null data() (memcpy(p, nullptr, 0) is UB).
  p = std::copy(f.code.begin(), f.code.end(), p);
  p = std::copy(f.recipient.begin(), f.recipient.end(), p);
  p = std::copy(f.destination.begin(), f.destination.end(), p);
  std::copy(f.coupon.begin(), f.coupon.end(), p);
  return e;
}

void LinkIndex::Put(const LinkEntryFields& fields) {
  assert(fields.code.size() <= 255 && fields.recipient.size() <= 255 &&
         fields.destination.size() <= 65535 && fields.coupon.size() <= 255);
  if ((size() + 1) * 4 > table_.load(std::memory_order_relaxed)->capacity() * 3) {
    Grow(size() + 1);
  }
  LinkEntry* e = Allocate(fields);
  uint64_t hash = Hash(fields.code);
  auto address = reinterpret_cast<uint64_t>(e);
  assert((address & ~kAddressMask) == 0);
  if (InsertInto(table_.load(std::memory_order_relaxed), hash, TagOf(hash) | address,
                 fields.code)) {
    size_.fetch_add(1, std::memory_order_relaxed);
  }
}

void LinkIndex::Reserve(size_t n) {
  if (n * 4 > table_.load(std::memory_order_relaxed)->capacity() * 3) Grow(n);
}

void LinkIndex::Grow(size_t min_entries) {
  size_t capacity = kMinCapacity;
  while (capacity * 3 < min_entries * 4 || capacity < 2 * min_entries) capacity *= 2;
  auto next = std::make_unique<Table>(capacity);
  const Table* old = table_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < old->capacity(); ++i) {
    uint64_t slot = old->slots[i].load(std::memory_order_relaxed);
    if (slot != 0) {
      std::string_view code = EntryOf(slot)->code();
      (void)InsertInto(next.get(), Hash(code), slot, code);
    }
  }
  table_.store(next.get(), std::memory_order_release);
  tables_.push_back(std::move(next));
}

size_t LinkIndex::MemoryBytes() const {
  size_t bytes = chunks_.size() * sizeof(Chunk);
  for (const auto& t : tables_) bytes += t->capacity() * sizeof(uint64_t);
  return bytes;
}

}  // namespace store
