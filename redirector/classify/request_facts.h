#pragma once
// What the redirect path reads of a request: a handful of views into the connection's read
// buffer, valid only until the buffer is compacted (after the response is written).

#include <cstdint>
#include <string_view>

#include "redirector/classify/classify.h"

namespace redirector {

struct RequestFacts {
  HttpMethod method = HttpMethod::kOther;
  std::string_view target;  // as sent: "/aB3xK9qZ?x=1"
  unsigned version = 11;    // 10 or 11
  bool keep_alive = true;
  std::string_view user_agent;
  std::string_view purpose;
  std::string_view sec_purpose;
  std::string_view x_purpose;
  std::string_view x_moz;
  std::string_view x_forwarded_for;
  bool has_accept = false;
  bool has_accept_language = false;
};

// Which of the headers the classifier reads were present: bits of a HitRecord's `signals`.
enum SignalBit : uint8_t {
  kSignalAccept = 1u << 0,
  kSignalAcceptLanguage = 1u << 1,
  kSignalPurpose = 1u << 2,
  kSignalSecPurpose = 1u << 3,
  kSignalXPurpose = 1u << 4,
  kSignalXMoz = 1u << 5,
  kSignalXForwardedFor = 1u << 6,
};
inline constexpr int kSignalCount = 7;

inline uint8_t SignalsOf(const RequestFacts& r) {
  return static_cast<uint8_t>(
      (r.has_accept ? kSignalAccept : 0) | (r.has_accept_language ? kSignalAcceptLanguage : 0) |
      (!r.purpose.empty() ? kSignalPurpose : 0) | (!r.sec_purpose.empty() ? kSignalSecPurpose : 0) |
      (!r.x_purpose.empty() ? kSignalXPurpose : 0) | (!r.x_moz.empty() ? kSignalXMoz : 0) |
      (!r.x_forwarded_for.empty() ? kSignalXForwardedFor : 0));
}

// The header name a signal bit stands for, as stored in events.
inline std::string_view SignalName(int bit) {
  static constexpr std::string_view kNames[kSignalCount] = {
      "accept",    "accept-language", "purpose",        "sec-purpose",
      "x-purpose", "x-moz",           "x-forwarded-for"};
  return kNames[bit];
}

// The parts of `facts` the classifier reads.
inline HitFacts ToHitFacts(const RequestFacts& r, int64_t seconds_since_sent) {
  HitFacts h;
  h.method = r.method;
  h.user_agent = r.user_agent;
  h.has_accept = r.has_accept;
  h.has_accept_language = r.has_accept_language;
  h.purpose = r.purpose;
  h.sec_purpose = r.sec_purpose;
  h.x_purpose = r.x_purpose;
  h.x_moz = r.x_moz;
  h.seconds_since_sent = seconds_since_sent;
  return h;
}

}  // namespace redirector
