#include "store/campaign_index.h"

namespace store {

int64_t CampaignIndex::SlotOf(std::string_view id) const {
  auto it = by_id_.find(absl::string_view(id.data(), id.size()));
  return it == by_id_.end() ? -1 : static_cast<int64_t>(it->second);
}

int64_t CampaignIndex::Put(Campaign c) {
  int64_t slot = SlotOf(c.id);
  if (slot < 0) {
    if (by_id_.size() >= static_cast<size_t>(kChunkSlots) * kMaxChunks) return -1;
    slot = static_cast<int64_t>(by_id_.size());
    by_id_.emplace(c.id, static_cast<uint32_t>(slot));
  }
  auto s = static_cast<uint32_t>(slot);
  Chunk* chunk = chunks_[s / kChunkSlots].load(std::memory_order_relaxed);
  if (chunk == nullptr) {
    owned_chunks_.push_back(std::make_unique<Chunk>());
    chunk = owned_chunks_.back().get();
    chunks_[s / kChunkSlots].store(chunk, std::memory_order_release);
  }
  owned_.push_back(std::make_unique<Campaign>(std::move(c)));
  chunk->slots[s % kChunkSlots].store(owned_.back().get(), std::memory_order_release);
  return slot;
}

}  // namespace store
