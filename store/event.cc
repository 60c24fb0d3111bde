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

void EncodeEvent(const EventView& e, std::string* dst) {
  PutVarint64(dst, ZigZag(e.ts_us));
  PutLengthPrefixed(dst, e.node);
  PutLengthPrefixed(dst, e.code);
  PutLengthPrefixed(dst, e.campaign);
  PutLengthPrefixed(dst, e.variant);
  PutLengthPrefixed(dst, e.recipient);
  PutLengthPrefixed(dst, e.click_id);
  PutLengthPrefixed(dst, e.verdict);
  PutVarint64(dst, e.reasons.count);
  dst->append(e.reasons.bytes);
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
  PutVarint64(dst, e.signals.count);
  dst->append(e.signals.bytes);
  PutLengthPrefixed(dst, e.coupon);
}

void EncodeEvent(const Event& e, std::string* dst) {
  std::string lists;  // the encoded reasons, then the encoded signals
  for (const auto& r : e.reasons) PutLengthPrefixed(&lists, r);
  size_t reasons_end = lists.size();
  for (const auto& s : e.signals) PutLengthPrefixed(&lists, s);
  EventView v;
  v.type = e.type;
  v.seq = e.seq;
  v.ts_us = e.ts_us;
  v.node = e.node;
  v.code = e.code;
  v.campaign = e.campaign;
  v.variant = e.variant;
  v.recipient = e.recipient;
  v.click_id = e.click_id;
  v.verdict = e.verdict;
  v.reasons = {e.reasons.size(), std::string_view(lists).substr(0, reasons_end)};
  v.method = e.method;
  v.ip = e.ip;
  v.ua = e.ua;
  v.status = e.status;
  v.seconds_since_sent = e.seconds_since_sent;
  v.classifier = e.classifier;
  v.signals = {e.signals.size(), std::string_view(lists).substr(reasons_end)};
  v.kind = e.kind;
  v.value = e.value;
  v.currency = e.currency;
  v.order_id = e.order_id;
  v.coupon = e.coupon;
  EncodeEvent(v, dst);
}

namespace {

// Reads `count` length-prefixed strings from `in` into `list` (which views their bytes).
bool GetList(std::string_view* in, EncodedList* list) {
  uint64_t count;
  if (!GetVarint64(in, &count) || count > in->size()) return false;
  std::string_view start = *in;
  std::string_view s;
  for (uint64_t i = 0; i < count; ++i) {
    if (!GetLengthPrefixed(in, &s)) return false;
  }
  list->count = count;
  list->bytes = start.substr(0, start.size() - in->size());
  return true;
}

std::vector<std::string> ToStrings(const EncodedList& list) {
  std::vector<std::string> out;
  out.reserve(list.count);
  list.ForEach([&](std::string_view s) { out.emplace_back(s); });
  return out;
}

}  // namespace

bool DecodeEventView(log::RecordType type, uint8_t version, uint64_t seq, std::string_view in,
                     EventView* e) {
  if (version < 1 || version > 3) return false;
  if (type != log::RecordType::kClick && type != log::RecordType::kConversion) return false;
  *e = EventView();
  e->type = type;
  e->seq = seq;
  uint64_t status, bits;
  if (!GetSigned(&in, &e->ts_us) || !GetLengthPrefixed(&in, &e->node) ||
      !GetLengthPrefixed(&in, &e->code) || !GetLengthPrefixed(&in, &e->campaign) ||
      !GetLengthPrefixed(&in, &e->variant) || !GetLengthPrefixed(&in, &e->recipient) ||
      !GetLengthPrefixed(&in, &e->click_id) || !GetLengthPrefixed(&in, &e->verdict) ||
      !GetList(&in, &e->reasons) || !GetLengthPrefixed(&in, &e->method) ||
      !GetLengthPrefixed(&in, &e->ip) || !GetLengthPrefixed(&in, &e->ua) ||
      !GetVarint64(&in, &status) || status > 999 || !GetSigned(&in, &e->seconds_since_sent) ||
      !GetLengthPrefixed(&in, &e->kind) || !GetFixed64(&in, &bits) ||
      !GetLengthPrefixed(&in, &e->currency) || !GetLengthPrefixed(&in, &e->order_id)) {
    return false;
  }
  if (version >= 2) {
    uint64_t classifier;
    if (!GetVarint64(&in, &classifier) || classifier > 0xffffffffu || !GetList(&in, &e->signals)) {
      return false;
    }
    e->classifier = static_cast<uint32_t>(classifier);
  }
  if (version >= 3 && !GetLengthPrefixed(&in, &e->coupon)) return false;
  if (!in.empty()) return false;
  e->status = static_cast<uint16_t>(status);
  std::memcpy(&e->value, &bits, 8);
  return true;
}

std::optional<Event> DecodeEvent(log::RecordType type, uint8_t version, uint64_t seq,
                                 std::string_view payload) {
  EventView v;
  if (!DecodeEventView(type, version, seq, payload, &v)) return std::nullopt;
  Event e;
  e.type = v.type;
  e.seq = v.seq;
  e.ts_us = v.ts_us;
  e.node = v.node;
  e.code = v.code;
  e.campaign = v.campaign;
  e.variant = v.variant;
  e.recipient = v.recipient;
  e.click_id = v.click_id;
  e.verdict = v.verdict;
  e.reasons = ToStrings(v.reasons);
  e.method = v.method;
  e.ip = v.ip;
  e.ua = v.ua;
  e.status = v.status;
  e.seconds_since_sent = v.seconds_since_sent;
  e.classifier = v.classifier;
  e.signals = ToStrings(v.signals);
  e.kind = v.kind;
  e.value = v.value;
  e.currency = v.currency;
  e.order_id = v.order_id;
  e.coupon = v.coupon;
  return e;
}

}  // namespace store
