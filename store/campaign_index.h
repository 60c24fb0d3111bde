#pragma once
// CampaignIndex: campaign slot → campaign, read lock-free by the redirect path.
//
// Same discipline as LinkIndex: one writer at a time (the caller serializes), readers take no
// lock. A campaign is immutable once published; an update publishes a new object into the same
// slot and keeps the old one alive until the index is destroyed, so a reader (or an event that
// holds the pointer) never sees freed memory. Slots live in fixed chunks that never move.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "store/link.h"

namespace store {

class CampaignIndex {
 public:
  static constexpr uint32_t kChunkSlots = 4096;
  static constexpr uint32_t kMaxChunks = 4096;

  CampaignIndex() = default;
  CampaignIndex(const CampaignIndex&) = delete;
  CampaignIndex& operator=(const CampaignIndex&) = delete;

  // Any thread, lock-free. nullptr for a slot never filled.
  const Campaign* Get(uint32_t slot) const {
    const Chunk* chunk = chunks_[slot / kChunkSlots].load(std::memory_order_acquire);
    if (chunk == nullptr) return nullptr;
    return chunk->slots[slot % kChunkSlots].load(std::memory_order_acquire);
  }

  // Writer only. The slot of campaign `id`, or -1.
  int64_t SlotOf(std::string_view id) const;
  // Writer only. Publishes `c` into its existing slot (same id) or a new one; returns the slot,
  // or -1 when every slot is taken.
  int64_t Put(Campaign c);
  size_t size() const { return by_id_.size(); }

 private:
  struct Chunk {
    std::array<std::atomic<const Campaign*>, kChunkSlots> slots{};
  };

  std::array<std::atomic<Chunk*>, kMaxChunks> chunks_{};
  std::vector<std::unique_ptr<Chunk>> owned_chunks_;
  std::vector<std::unique_ptr<Campaign>> owned_;  // every version ever published
  absl::flat_hash_map<std::string, uint32_t> by_id_;
};

}  // namespace store
