#pragma once
// The classifier's data: user-agent tokens (compiled into one TokenMatcher) and address ranges
// with what a hit from them is. Built in (redirector/classify/data/, embedded at build time) plus
// the files ops add (classifier.ua_tokens_file, classifier.network_files), read by the same
// parsers. Loaded at start and on SIGHUP; immutable once built, shared by the workers.
//
// Token file lines:   GROUP "token" [end]      (ua_tokens.h lists the groups; # comments)
// Network files: one CIDR a line, IPv4 or IPv6 (# comments), or the JSON the publishers serve
//                (Google's googlebot.json, Bing's bingbot.json, Apple's applebot.json: an object
//                whose "prefixes" hold {"ipv4Prefix"|"ipv6Prefix": CIDR}), as downloaded. The
//                file's kind comes with its name in the config: "crawler:/etc/redirector/x.json".

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/status/statusor.h>

#include "redirector/classify/cidr.h"
#include "redirector/classify/token_matcher.h"

namespace redirector {

// What a hit from a listed network is. Names: "crawler", "scanner", "preview".
enum class NetworkKind : uint8_t { kCrawler = 0, kScanner = 1, kPreview = 2 };

// Address ranges and their kinds; lookup is a binary search, no allocation.
class NetworkTable {
 public:
  void Add(const Cidr& range, NetworkKind kind);
  // Call after the last Add and before Find.
  void Build();
  // The kind of a range containing `ip` (the first added wins when several do).
  std::optional<NetworkKind> Find(const Ip16& ip) const;
  size_t size() const { return ranges_.size(); }

 private:
  // An address as a 128-bit number (two words, most significant first): compares in two
  // integer comparisons instead of sixteen byte ones.
  struct U128 {
    uint64_t high;
    uint64_t low;
    friend bool operator<(const U128& a, const U128& b) {
      return a.high < b.high || (a.high == b.high && a.low < b.low);
    }
  };
  static U128 ToU128(const Ip16& ip);
  struct Range {
    U128 lo;
    U128 hi;
    NetworkKind kind;
    uint32_t order;  // position of the Add, for "first added wins"
  };
  std::vector<Range> ranges_;  // by lo
  std::vector<U128> max_hi_;   // max_hi_[i]: the largest hi among ranges_[0..i]
};

struct ClassifierData {
  TokenMatcher ua;
  NetworkTable networks;
  size_t ua_tokens = 0;
};

// Appends the tokens of a token file's text; errors name `source` and the line.
absl::Status ParseUaTokens(std::string_view text, std::string_view source,
                           std::vector<TokenMatcher::Token>* out);
// Adds the ranges of a network file's text (either form), all of `kind`.
absl::Status ParseNetworks(std::string_view text, std::string_view source, NetworkKind kind,
                           NetworkTable* out);
// "KIND:PATH" → the kind and the path.
absl::StatusOr<std::pair<NetworkKind, std::string>> ParseNetworkFileSpec(std::string_view spec);

// What ops add to the built-in data.
struct ClassifierFiles {
  std::string ua_tokens_file;              // "" for none
  std::vector<std::string> network_files;  // "KIND:PATH"
};

// The built-in data plus `files`. Errors name the file and line.
absl::StatusOr<std::shared_ptr<const ClassifierData>> LoadClassifierData(
    const ClassifierFiles& files);
// The built-in data alone (built on first use, thread-safe).
const ClassifierData& BuiltinClassifierData();

}  // namespace redirector
