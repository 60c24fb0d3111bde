#include "redirector/click_id.h"

namespace redirector {
namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
__extension__ using Uint128 = unsigned __int128;
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
  Uint128 v =
      (static_cast<Uint128>(hi_) << 64) | (lo_base_ | (counter_++ & ((uint64_t{1} << 56) - 1)));
  for (size_t i = kClickIdLength; i-- > 0;) {
    out[i] = kBase62[static_cast<unsigned>(v % 62)];
    v /= 62;
  }
}

}  // namespace redirector
