#include "redirector/classify/sweep_detector.h"

#include <algorithm>

namespace redirector {
namespace {

uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h * 0xff51afd7ed558ccdull;
}

}  // namespace

SweepDetector::SweepDetector(size_t slots) {
  size_t n = 1;
  while (n < slots) n <<= 1;
  slots_ = std::make_unique<Slot[]>(n);
  mask_ = n - 1;
}

uint64_t SweepDetector::AddressHash(const Ip16& client) {
  uint64_t h = 0;
  for (size_t i = 0; i < client.size(); i += 8) {
    uint64_t word = 0;
    for (size_t j = 0; j < 8; ++j) word = word << 8 | client[i + j];
    h = Mix(h, word);
  }
  return h >> 16;
}

bool SweepDetector::Observe(const Ip16& client, uint32_t campaign_slot, std::string_view code,
                            int64_t now_s, uint32_t codes, int64_t window_s) {
  uint64_t address = AddressHash(client);
  uint64_t key = Mix(address, campaign_slot) | 1;  // never 0 (empty)
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : code) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  auto code_hash = static_cast<uint16_t>((h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48)) | 1u);

  Slot& s = slots_[SlotOf(address, campaign_slot)];
  // Claimed by another worker (the same client on two connections, or a colliding one): this
  // hit is not counted. Never waits.
  if (s.claimed.load(std::memory_order_relaxed) != 0 ||
      s.claimed.exchange(1, std::memory_order_acquire) != 0) {
    return false;
  }
  if (s.key != key || now_s - s.start_s >= window_s) {
    // A new window (for this address and campaign, or for one that took the slot over).
    s.key = key;
    s.start_s = now_s;
    s.count = 0;
  }
  uint32_t seen = std::min(s.count, kMaxCodes);
  bool sweep;
  if (std::find(s.codes, s.codes + seen, code_hash) != s.codes + seen) {
    sweep = seen >= codes;  // a repeat: counts once
  } else {
    if (s.count < kMaxCodes) s.codes[s.count] = code_hash;
    sweep = ++s.count >= codes;
  }
  s.claimed.store(0, std::memory_order_release);
  return sweep;
}

}  // namespace redirector
