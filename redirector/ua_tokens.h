#pragma once
// User-agent tokens the classifier looks for, grouped by what they mean. Matching is one pass
// over the user agent (TokenMatcher), case-insensitive.

#include <cstdint>

#include "redirector/token_matcher.h"

namespace redirector {

enum UaGroup : int {
  kUaGroupPreview = 0,  // link previewers and unfurlers
  kUaGroupScanner = 1,  // security and carrier link scanners
  kUaGroupBot = 2,      // strong automation tokens: win even over an in-app token
  kUaGroupWeakBot = 3,  // generic words (bot, crawler, http://): lose to an in-app token
  kUaGroupInApp = 4,    // in-app browsers and webviews: people
  kUaGroupBrowser = 5,  // what every browser user agent carries (Mozilla/, Opera/)
};

// The built-in matcher, compiled once on first use (thread-safe).
const TokenMatcher& DefaultUaMatcher();

}  // namespace redirector
