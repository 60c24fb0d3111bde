#pragma once
// What the redirect path reads of a request: a handful of views into the connection's read
// buffer, valid only until the buffer is compacted (after the response is written).

#include <string_view>

#include "redirector/classify.h"

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
