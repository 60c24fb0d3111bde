#include "redirector/model/click_id.h"

namespace redirector {
namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr int64_t kEpoch2024Ms = 1704067200000;

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace

ClickIdGenerator::ClickIdGenerator(std::string_view node_id, int64_t start_unix_ms,
                                   uint8_t worker) {
  uint64_t node_tag = Fnv1a(node_id) & 0xffffff;
  auto ms = static_cast<uint64_t>(start_unix_ms - kEpoch2024Ms) & ((uint64_t{1} << 40) - 1);
  hi_ = (node_tag << 40) | ms;
  lo_base_ = static_cast<uint64_t>(worker) << 56;
}

void ClickIdGenerator::Next(char* out) {
  // Each 64-bit half is 11 base62 digits (62^11 > 2^64): 64-bit division by a constant is a
  // multiply, where one 128-bit number would need a library call per digit.
  auto put = [](uint64_t v, char* digits) {
    for (size_t i = 11; i-- > 0;) {
      digits[i] = kBase62[v % 62];
      v /= 62;
    }
  };
  put(hi_, out);
  put(lo_base_ | (counter_++ & ((uint64_t{1} << 56) - 1)), out + 11);
}

bool IsClickId(std::string_view s) {
  if (s.size() != kClickIdLength) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
      return false;
    }
  }
  return true;
}

}  // namespace redirector
