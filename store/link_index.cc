#include "store/link_index.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>

#include <absl/hash/hash.h>

#include <sys/mman.h>

namespace store {

namespace {
// Index memory comes in 2 MiB huge pages where the kernel offers them (madvise mode): loading
// millions of links then takes 512 times fewer page faults. Blocks under 2 MiB, and the last,
// partial 2 MiB of a larger one, stay in small pages (nothing unused is made resident).
constexpr size_t kHugePage = size_t{2} << 20;
struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using Memory = std::unique_ptr<void, FreeDeleter>;
Memory AllocatePages(size_t bytes) {
  void* p = nullptr;
  if (bytes < kHugePage) {
    p = std::malloc(bytes);
  } else if (posix_memalign(&p, kHugePage, bytes) != 0) {  // (aligned_alloc would want whole
    p = nullptr;                                           // multiples of the alignment)
  }
  if (p == nullptr) throw std::bad_alloc();
  if (size_t whole = bytes & ~(kHugePage - 1); whole > 0) (void)madvise(p, whole, MADV_HUGEPAGE);
  return Memory(p);
}
}  // namespace

// Any capacity, not only powers of two (a million links need 1.33M slots, not 2M): a code's
// first slot is its hash's middle 32 bits scaled to the capacity (multiply and shift), probing
// goes forward and wraps at the end.
struct LinkIndex::Table {
  explicit Table(size_t slot_count)
      : capacity(slot_count),
        memory(AllocatePages(slot_count * sizeof(uint64_t))),
        slots(static_cast<std::atomic<uint64_t>*>(memory.get())) {
    for (size_t i = 0; i < capacity; ++i) new (&slots[i]) std::atomic<uint64_t>(0);
  }
  size_t First(uint64_t hash) const { return ((hash >> 16) & 0xffffffffu) * capacity >> 32; }
  size_t Next(size_t i) const { return i + 1 == capacity ? 0 : i + 1; }
  size_t capacity;
  Memory memory;
  std::atomic<uint64_t>* slots;
};

struct LinkIndex::Chunk {
  static constexpr size_t kBytes = kHugePage;
  Chunk() : memory(AllocatePages(kBytes)), bytes(static_cast<char*>(memory.get())) {}
  Memory memory;
  char* bytes;
};

namespace {
constexpr uint64_t kAddressMask = (uint64_t{1} << 48) - 1;
constexpr size_t kMinCapacity = 1024;

// Slots for `n` entries at a load of at most 3/4, rounded up to a whole cache line of slots.
size_t CapacityFor(size_t n) {
  size_t capacity = std::max(kMinCapacity, n + (n + 2) / 3 + 1);
  return (capacity + 7) & ~size_t{7};
}

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
  for (size_t i = t->First(hash);; i = t->Next(i)) {
    uint64_t slot = t->slots[i].load(std::memory_order_acquire);
    if (slot == 0) return nullptr;
    if (TagOf(slot) == tag && EntryOf(slot)->code() == code) return EntryOf(slot);
  }
}

bool LinkIndex::InsertInto(Table* t, uint64_t hash, uint64_t slot_value, std::string_view code) {
  uint64_t tag = TagOf(hash);
  for (size_t i = t->First(hash);; i = t->Next(i)) {
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

uint8_t LinkIndex::FlagsOf(const LinkEntryFields& f) {
  auto bit = [](bool present, unsigned field) { return present ? 1u << field : 0u; };
  return static_cast<uint8_t>(
      bit(f.variant_index != kNoVariant, LinkEntry::kVariant) |
      bit(f.sent_at != 0, LinkEntry::kSentAt) | bit(f.expires_at != 0, LinkEntry::kExpiresAt) |
      bit(!f.destination.empty(), LinkEntry::kDestination) |
      bit(!f.coupon.empty(), LinkEntry::kCoupon) | (f.disabled ? LinkEntry::kDisabledFlag : 0u));
}

size_t LinkIndex::EntryBytes(const LinkEntryFields& f) { return EntryBytes(f, FlagsOf(f)); }

size_t LinkIndex::EntryBytes(const LinkEntryFields& f, uint8_t flags) {
  return sizeof(LinkEntry) + LinkEntry::OptionalBytes(flags, LinkEntry::kFieldCount) +
         f.code.size() + f.recipient.size() + f.destination.size() + f.coupon.size();
}

LinkEntry* LinkIndex::Allocate(const LinkEntryFields& f) {
  uint8_t flags = FlagsOf(f);
  size_t bytes = EntryBytes(f, flags);
  assert(bytes <= Chunk::kBytes);
  if (chunks_.empty() || chunk_used_ + bytes > Chunk::kBytes) {
    chunks_.push_back(std::make_unique<Chunk>());  // no zeroing: written before read
    chunk_used_ = 0;
  }
  char* start = chunks_.back()->bytes + chunk_used_;
  chunk_used_ += bytes;
  auto* e = reinterpret_cast<LinkEntry*>(start);
  e->code_len_ = static_cast<uint8_t>(f.code.size());
  e->recipient_len_ = static_cast<uint8_t>(f.recipient.size());
  e->flags_ = flags;
  std::memcpy(e->campaign_slot_, &f.campaign_slot, sizeof f.campaign_slot);
  char* p = start + sizeof(LinkEntry);
  // The optional fields the flags name, in LinkEntry::Field order.
  auto put = [&](LinkEntry::Field field, auto value) {
    static_assert(sizeof value <= 4);
    if (!(e->flags_ & (1u << field))) return;
    assert(sizeof value == LinkEntry::kFieldSize[field]);
    std::memcpy(p, &value, sizeof value);
    p += sizeof value;
  };
  put(LinkEntry::kVariant, f.variant_index);
  put(LinkEntry::kSentAt, f.sent_at);
  put(LinkEntry::kExpiresAt, f.expires_at);
  put(LinkEntry::kDestination, static_cast<uint16_t>(f.destination.size()));
  put(LinkEntry::kCoupon, static_cast<uint8_t>(f.coupon.size()));
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
  if (size_t capacity = table_.load(std::memory_order_relaxed)->capacity;
      (size() + 1) * 4 > capacity * 3) {
    Grow(2 * capacity);  // doubling: the retired arrays add at most the current one's size
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
  size_t capacity = table_.load(std::memory_order_relaxed)->capacity;
  if (n * 4 <= capacity * 3) return;
  // Exactly enough from empty (loading at start); at least doubling otherwise, so that many
  // small bulk requests do not each rebuild the array.
  Grow(size() == 0 ? CapacityFor(n) : std::max(CapacityFor(n), 2 * capacity));
}

void LinkIndex::Grow(size_t capacity) {
  auto next = std::make_unique<Table>(capacity);
  const Table* old = table_.load(std::memory_order_relaxed);
  for (size_t i = 0; i < old->capacity; ++i) {
    uint64_t slot = old->slots[i].load(std::memory_order_relaxed);
    if (slot != 0) {
      std::string_view code = EntryOf(slot)->code();
      (void)InsertInto(next.get(), Hash(code), slot, code);
    }
  }
  table_.store(next.get(), std::memory_order_release);
  tables_.push_back(std::move(next));
}

size_t LinkIndex::capacity() const { return table_.load(std::memory_order_relaxed)->capacity; }

size_t LinkIndex::MemoryBytes() const {
  size_t bytes = chunks_.size() * Chunk::kBytes;
  for (const auto& t : tables_) bytes += t->capacity * sizeof(uint64_t);
  return bytes;
}

}  // namespace store
