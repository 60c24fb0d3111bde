#pragma once
// CIDR ranges (IPv4 and IPv6) and membership tests. Pure.
//
//   auto r = ParseCidr("10.0.0.0/8");   // or "2001:db8::/32", or a bare address (/32, /128)
//   r->Contains(addr)

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace redirector {

// An address as 16 bytes; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d).
using Ip16 = std::array<uint8_t, 16>;

std::optional<Ip16> ParseIp(std::string_view text);

struct Cidr {
  Ip16 base{};          // the first address (host bits clear)
  int prefix_bits = 0;  // of the 128-bit form
  bool Contains(const Ip16& ip) const;
  // The range's last address (host bits set).
  Ip16 Last() const;
};

std::optional<Cidr> ParseCidr(std::string_view text);
bool AnyContains(const std::vector<Cidr>& ranges, const Ip16& ip);

}  // namespace redirector
