#pragma once
// Inline scanner-sweep detection: one client address hitting many different codes of one
// campaign within seconds, as link scanners do when they walk a whole send. Shared by the
// workers: a fixed table of slots, each claimed by one worker at a time without waiting (a
// worker that finds it claimed skips the hit), no allocation after construction.
//
// Approximate by design, but only ever late: addresses share slots by hash (a collision
// restarts the other's window, so a sweep can be seen late or missed), and a worker that finds
// the slot claimed by another skips the hit rather than wait (late again). Nothing ever counts
// a code into a window it does not belong to, so a client is never judged a sweeper for fewer
// than `codes` different codes of its own. The verdict can only be given from the hit that
// crosses the threshold on; the earlier hits of the sweep are re-judged by hindsight
// (`redirector report --reclassify`, reclassify.h), which also groups by network (/24, /48)
// rather than by exact address.

// Keyed by the exact address, not its network, on purpose: carrier NAT puts many real phones
// behind one network, and the daemon's verdicts must not flag people.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "redirector/classify/cidr.h"

namespace redirector {

class SweepDetector {
 public:
  static constexpr uint32_t kMaxCodes = 15;  // distinct codes a slot remembers

  explicit SweepDetector(size_t slots = size_t{1} << 16);

  // Starts loading the slot of `client` and the campaign into the cache; call early, Observe
  // later (the load then overlaps the classifier instead of stalling Observe).
  void Prefetch(const Ip16& client, uint32_t campaign_slot) const {
    __builtin_prefetch(&slots_[SlotOf(AddressHash(client), campaign_slot)], 1);
  }

  // Records a hit; true when it makes `codes` (2..kMaxCodes) or more different codes of the
  // campaign from `client` within `window_s` seconds of the window's first hit.
  bool Observe(const Ip16& client, uint32_t campaign_slot, std::string_view code, int64_t now_s,
               uint32_t codes, int64_t window_s);

 private:
  // One cache line; `key` tells whose window it holds (address and campaign). A worker claims
  // the slot (`claimed`: 0 -> 1, acquire) for its check and count and releases it after; the
  // other fields are only touched by the claimant.
  struct alignas(64) Slot {
    std::atomic<uint32_t> claimed{0};
    uint32_t count = 0;  // distinct codes in the window (may pass 15)
    uint64_t key = 0;    // 0: empty
    int64_t start_s = 0;
    uint16_t codes[kMaxCodes] = {};  // their 16-bit hashes (never 0)
  };
  static_assert(sizeof(Slot) == 64);
  static uint64_t AddressHash(const Ip16& client);
  size_t SlotOf(uint64_t address_hash, uint32_t campaign_slot) const {
    return (address_hash ^ (uint64_t{campaign_slot} * 0x9e3779b97f4a7c15ull >> 20)) & mask_;
  }

  std::unique_ptr<Slot[]> slots_;
  size_t mask_;
};

}  // namespace redirector
