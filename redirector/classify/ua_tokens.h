#pragma once
// The groups of user-agent tokens the classifier looks for, by what they mean. The tokens
// themselves are data: redirector/classify/data/ua-tokens.txt, built in, plus ops' file
// (classifier_data.h). Matching is one pass over the user agent (TokenMatcher).

#include <cstdint>

namespace redirector {

enum UaGroup : int {
  kUaGroupPreview = 0,           // link previewers and unfurlers
  kUaGroupScanner = 1,           // security and carrier link scanners
  kUaGroupBot = 2,               // automation tokens: win even over an in-app token
  kUaGroupInApp = 3,             // in-app browsers and webviews: people
  kUaGroupBrowser = 4,           // what every browser user agent carries (Mozilla/, engines)
  kUaGroupUrl = 5,               // a URL or address in the user agent: a bot, unless overruled
  kUaGroupHumanQuirk = 6,        // human user agents that carry a URL anyway
  kUaGroupNativePreviewApp = 7,  // native app fetchers (no browser engine) that are previews
};

}  // namespace redirector
