#include "store/event.h"

#include <cstring>

#include "store/coding.h"

namespace store {
namespace {

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

bool GetSigned(std::string_view* in, int64_t* v) {
  uint64_t u;
  if (!GetVarint64(in, &u)) return false;
  *v = UnZigZag(u);
  return true;
}

}  // namespace

void EncodeEvent(const Event& e, std::string* dst) {
  PutVarint64(dst, ZigZag(e.ts_us));
  PutLengthPrefixed(dst, e.node);
  PutLengthPrefixed(dst, e.code);
  PutLengthPrefixed(dst, e.campaign);
  PutLengthPrefixed(dst, e.variant);
  PutLengthPrefixed(dst, e.recipient);
  PutLengthPrefixed(dst, e.click_id);
  PutLengthPrefixed(dst, e.verdict);
  PutVarint64(dst, e.reasons.size());
  for (const auto& r : e.reasons) PutLengthPrefixed(dst, r);
  PutLengthPrefixed(dst, e.method);
  PutLengthPrefixed(dst, e.ip);
  PutLengthPrefixed(dst, e.ua);
  PutVarint64(dst, e.status);
  PutVarint64(dst, ZigZag(e.seconds_since_sent));
  PutLengthPrefixed(dst, e.kind);
  uint64_t bits;
  std::memcpy(&bits, &e.value, 8);
  PutFixed64(dst, bits);
  PutLengthPrefixed(dst, e.currency);
  PutLengthPrefixed(dst, e.order_id);
  PutVarint64(dst, e.classifier);
  PutVarint64(dst, e.signals.size());
  for (const auto& s : e.signals) PutLengthPrefixed(dst, s);
  PutLengthPrefixed(dst, e.coupon);
}

std::optional<Event> DecodeEvent(log::RecordType type, uint8_t version, uint64_t seq,
                                 std::string_view in) {
  if (version < 1 || version > 3) return std::nullopt;
  if (type != log::RecordType::kClick && type != log::RecordType::kConversion) {
    return std::nullopt;
  }
  Event e;
  e.type = type;
  e.seq = seq;
  uint64_t n, status, bits;
  if (!GetSigned(&in, &e.ts_us) || !GetLengthPrefixed(&in, &e.node) ||
      !GetLengthPrefixed(&in, &e.code) || !GetLengthPrefixed(&in, &e.campaign) ||
      !GetLengthPrefixed(&in, &e.variant) || !GetLengthPrefixed(&in, &e.recipient) ||
      !GetLengthPrefixed(&in, &e.click_id) || !GetLengthPrefixed(&in, &e.verdict) ||
      !GetVarint64(&in, &n) || n > in.size()) {
    return std::nullopt;
  }
  e.reasons.resize(n);
  for (auto& r : e.reasons) {
    if (!GetLengthPrefixed(&in, &r)) return std::nullopt;
  }
  if (!GetLengthPrefixed(&in, &e.method) || !GetLengthPrefixed(&in, &e.ip) ||
      !GetLengthPrefixed(&in, &e.ua) || !GetVarint64(&in, &status) || status > 999 ||
      !GetSigned(&in, &e.seconds_since_sent) || !GetLengthPrefixed(&in, &e.kind) ||
      !GetFixed64(&in, &bits) || !GetLengthPrefixed(&in, &e.currency) ||
      !GetLengthPrefixed(&in, &e.order_id)) {
    return std::nullopt;
  }
  if (version >= 2) {
    uint64_t classifier, count;
    if (!GetVarint64(&in, &classifier) || classifier > 0xffffffffu || !GetVarint64(&in, &count) ||
        count > in.size()) {
      return std::nullopt;
    }
    e.classifier = static_cast<uint32_t>(classifier);
    e.signals.resize(count);
    for (auto& s : e.signals) {
      if (!GetLengthPrefixed(&in, &s)) return std::nullopt;
    }
  }
  if (version >= 3 && !GetLengthPrefixed(&in, &e.coupon)) return std::nullopt;
  if (!in.empty()) return std::nullopt;
  e.status = static_cast<uint16_t>(status);
  std::memcpy(&e.value, &bits, 8);
  return e;
}

}  // namespace store
