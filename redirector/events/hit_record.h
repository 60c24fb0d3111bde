#pragma once
// HitRecord: what the redirect path hands to the event-log writer for one hit, in the worker's
// SpscRing. No pointers into the request buffer: strings are copied (and truncated) into fixed
// fields, and the user agent into the UaBytes() the ring reserved right after the record.
// The link and campaign pointers stay valid for the table's lifetime (see link_index.h).

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "store/link.h"
#include "store/link_index.h"

namespace redirector {

struct HitRecord {
  static constexpr size_t kMaxUa = 512;
  static constexpr size_t kMaxIp = 46;  // INET6_ADDRSTRLEN

  int64_t ts_us = 0;
  int64_t seconds_since_sent = -1;
  const store::LinkEntry* link = nullptr;     // null for unknown codes
  const store::Campaign* campaign = nullptr;  // null for unknown codes
  uint32_t reasons = 0;
  uint16_t status = 0;
  uint8_t verdict = 0;  // Verdict
  uint8_t method = 0;   // HttpMethod
  uint8_t signals = 0;  // SignalBit: the telling headers that were present
  uint8_t code_len = 0;
  uint8_t ip_len = 0;
  uint8_t click_id_len = 0;
  uint16_t ua_len = 0;
  char code[store::kMaxCodeLength];
  char ip[kMaxIp];
  char click_id[24];
  // (the user agent's ua_len bytes follow the record)

  static size_t UaBytes(std::string_view agent) { return std::min(agent.size(), kMaxUa); }
  // Copies `agent` behind the record, truncated to kMaxUa: the ring must have reserved
  // UaBytes(agent) extra bytes.
  void SetUa(std::string_view agent) {
    ua_len = static_cast<uint16_t>(UaBytes(agent));
    std::copy_n(agent.data(), ua_len, reinterpret_cast<char*>(this + 1));
  }
  std::string_view ua() const { return {reinterpret_cast<const char*>(this + 1), ua_len}; }

  template <typename Len, size_t N>
  static void Copy(std::string_view from, char (&to)[N], Len* len) {
    size_t n = std::min(from.size(), N);
    std::copy_n(from.data(), n, to);  // (memcpy from a null empty view would be UB)
    *len = static_cast<Len>(n);
  }
};

}  // namespace redirector
