#include "redirector/classify/cidr.h"

#include <cstring>

#include <arpa/inet.h>

namespace redirector {

std::optional<Ip16> ParseIp(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  char s[46];  // no allocation: this runs per request for X-Forwarded-For
  std::memcpy(s, text.data(), text.size());
  s[text.size()] = '\0';
  Ip16 out{};
  in_addr v4;
  if (inet_pton(AF_INET, s, &v4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s, &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

namespace {

// Byte `i` of the network mask of a /`prefix_bits` (128-bit form).
uint8_t NetworkMask(int prefix_bits, size_t i) {
  int keep = prefix_bits - static_cast<int>(i) * 8;
  if (keep <= 0) return 0;
  return static_cast<uint8_t>(keep >= 8 ? 0xff : 0xff << (8 - keep));
}

}  // namespace

std::optional<Cidr> ParseCidr(std::string_view text) {
  size_t slash = text.find('/');
  auto ip = ParseIp(text.substr(0, slash));
  if (!ip) return std::nullopt;
  bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  int max_bits = v4 ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    bits = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      bits = bits * 10 + (c - '0');
    }
    if (bits > max_bits) return std::nullopt;
  }
  Cidr c;
  c.base = *ip;
  c.prefix_bits = v4 ? bits + 96 : bits;
  // Clear host bits so Contains can compare whole bytes.
  for (size_t i = 0; i < 16; ++i) c.base[i] &= NetworkMask(c.prefix_bits, i);
  return c;
}

bool Cidr::Contains(const Ip16& ip) const {
  for (size_t i = 0; i < 16; ++i) {
    uint8_t mask = NetworkMask(prefix_bits, i);
    if (mask == 0) return true;
    if ((ip[i] & mask) != base[i]) return false;
  }
  return true;
}

Ip16 Cidr::Last() const {
  Ip16 last = base;
  for (size_t i = 0; i < 16; ++i) last[i] |= static_cast<uint8_t>(~NetworkMask(prefix_bits, i));
  return last;
}

bool AnyContains(const std::vector<Cidr>& ranges, const Ip16& ip) {
  for (const Cidr& c : ranges) {
    if (c.Contains(ip)) return true;
  }
  return false;
}

}  // namespace redirector
