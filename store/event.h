#pragma once
// Events: one per hit (click) or conversion, the payload of an event-log record.
//
// The payload is a fixed sequence of fields (format version kEventVersion), each string
// length-prefixed with a varint; see store/EVENT_LOG.md. The record header carries the type and
// the sequence number, so they are not repeated here. Decoding never trusts its input.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/coding.h"
#include "store/log_format.h"

namespace store {

// Version 2 added `classifier` and `signals` at the end, version 3 `coupon`; older payloads
// still decode (with classifier 0, no signals, no coupon).
inline constexpr uint8_t kEventVersion = 3;

struct Event {
  log::RecordType type = log::RecordType::kClick;
  uint64_t seq = 0;   // from the record header; (node, seq) identifies the event in a fleet
  int64_t ts_us = 0;  // Unix time, microseconds
  std::string node;
  std::string code;
  std::string campaign;
  std::string variant;
  std::string recipient;
  std::string click_id;
  // Clicks.
  std::string verdict;  // human | preview | scanner | bot
  std::vector<std::string> reasons;
  std::string method;
  std::string ip;
  std::string ua;
  uint16_t status = 0;              // HTTP status answered
  int64_t seconds_since_sent = -1;  // -1: the link has no sent time
  uint32_t classifier = 0;          // version of the classifier that gave the verdict
  // The request headers the classifier reads that were present, lower case ("accept",
  // "accept-language", "purpose", "sec-purpose", "x-purpose", "x-moz", "x-forwarded-for"), so
  // history can be reclassified.
  std::vector<std::string> signals;
  // Conversions.
  std::string kind;
  double value = 0;
  std::string currency;
  std::string order_id;
  std::string coupon;  // the coupon a conversion named or redeemed
};

// A list of strings as encoded in a payload: `count` length-prefixed strings in `bytes`.
struct EncodedList {
  uint64_t count = 0;
  std::string_view bytes;

  // Calls fn(std::string_view) for each string (the bytes were checked by the decoder).
  template <typename Fn>
  void ForEach(Fn fn) const;
};

// Event's fields as views of bytes someone else owns: of a payload (DecodeEventView, for readers
// that scan many events and keep little of each, with no allocation per event), or of a hit
// being encoded. A list's `bytes` are its strings as encoded (each length-prefixed).
struct EventView {
  log::RecordType type = log::RecordType::kClick;
  uint64_t seq = 0;
  int64_t ts_us = 0;
  std::string_view node, code, campaign, variant, recipient, click_id;
  std::string_view verdict;
  EncodedList reasons;
  std::string_view method, ip, ua;
  uint16_t status = 0;
  int64_t seconds_since_sent = -1;
  uint32_t classifier = 0;
  EncodedList signals;
  std::string_view kind;
  double value = 0;
  std::string_view currency, order_id, coupon;
};

// Appends the payload of `e` (everything but type and seq) to `dst`. The view form is the one
// encoder (the log writer fills a view straight from a hit, without copying into strings); the
// Event form encodes its lists and encodes through a view.
void EncodeEvent(const EventView& e, std::string* dst);
void EncodeEvent(const Event& e, std::string* dst);
// Decodes a payload of format `version`; nullopt if it is malformed or the version is unknown.
std::optional<Event> DecodeEvent(log::RecordType type, uint8_t version, uint64_t seq,
                                 std::string_view payload);
// The same, into views of `payload`; false if it is malformed or the version is unknown.
bool DecodeEventView(log::RecordType type, uint8_t version, uint64_t seq, std::string_view payload,
                     EventView* out);

template <typename Fn>
void EncodedList::ForEach(Fn fn) const {
  std::string_view in = bytes;
  std::string_view s;
  for (uint64_t i = 0; i < count && GetLengthPrefixed(&in, &s); ++i) fn(s);
}

}  // namespace store
