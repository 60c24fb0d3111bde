#pragma once
// A hit as a phone's browser sends it, for classifier tests: iPhone Safari's user agent (or
// `ua`), Accept and Accept-Language present, an hour after the send.

#include <string_view>

#include "redirector/classify/classify.h"

namespace testing {

inline constexpr const char* kIphoneSafari =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

inline redirector::HitFacts BrowserHit(std::string_view ua = kIphoneSafari) {
  redirector::HitFacts h;
  h.user_agent = ua;
  h.has_accept = true;
  h.has_accept_language = true;
  h.seconds_since_sent = 3600;
  return h;
}

}  // namespace testing
