#include "redirector/classify/classifier_data.h"

#include <algorithm>

#include <absl/strings/str_cat.h>
#include <boost/json.hpp>

#include "store/string_view.h"

#include "redirector/base/read_file.h"
#include "redirector/base/text_lines.h"
#include "redirector/classify/ua_tokens.h"

namespace redirector {

// Generated from redirector/classify/data/ (see redirector/CMakeLists.txt).
extern const std::string_view kBuiltinUaTokens;
extern const std::string_view kBuiltinGooglebotNetworks;
extern const std::string_view kBuiltinApplebotNetworks;

namespace {

constexpr std::pair<std::string_view, int> kGroups[] = {
    {"preview", kUaGroupPreview},
    {"scanner", kUaGroupScanner},
    {"bot", kUaGroupBot},
    {"in_app", kUaGroupInApp},
    {"browser", kUaGroupBrowser},
    {"url", kUaGroupUrl},
    {"human_quirk", kUaGroupHumanQuirk},
    {"native_preview_app", kUaGroupNativePreviewApp},
};
constexpr size_t kMaxTokenBytes = 256;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Calls `line(text, number)` for every line that is not blank or a comment; stops at an error.
template <typename F>
absl::Status ForEachLine(std::string_view text, F line) {
  for (const NumberedLine& l : SplitLines(text)) {
    std::string_view t = Trim(l.text);
    if (t.empty() || t.front() == '#') continue;
    if (absl::Status s = line(t, static_cast<int>(l.number)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status LineError(std::string_view source, int line, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(store::AV(source), ":", line, ": ", store::AV(why)));
}

}  // namespace

NetworkTable::U128 NetworkTable::ToU128(const Ip16& ip) {
  U128 v{0, 0};
  for (size_t i = 0; i < 8; ++i) v.high = v.high << 8 | ip[i];
  for (size_t i = 8; i < 16; ++i) v.low = v.low << 8 | ip[i];
  return v;
}

void NetworkTable::Add(const Cidr& range, NetworkKind kind) {
  ranges_.push_back(
      {ToU128(range.base), ToU128(range.Last()), kind, static_cast<uint32_t>(ranges_.size())});
}

void NetworkTable::Build() {
  std::sort(ranges_.begin(), ranges_.end(),
            [](const Range& a, const Range& b) { return a.lo < b.lo; });
  max_hi_.resize(ranges_.size());
  for (size_t i = 0; i < ranges_.size(); ++i) {
    max_hi_[i] = i == 0 || max_hi_[i - 1] < ranges_[i].hi ? ranges_[i].hi : max_hi_[i - 1];
  }
}

std::optional<NetworkKind> NetworkTable::Find(const Ip16& address) const {
  // The last range starting at or below the address, then back over earlier ones while some
  // of them still reach it (max_hi_): overlaps are rare, so this is a binary search in practice.
  U128 ip = ToU128(address);
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), ip,
                             [](const U128& v, const Range& r) { return v < r.lo; });
  const Range* best = nullptr;
  for (size_t i = static_cast<size_t>(it - ranges_.begin()); i-- > 0;) {
    if (max_hi_[i] < ip) break;
    const Range& r = ranges_[i];
    if (!(r.hi < ip) && (best == nullptr || r.order < best->order)) best = &r;
  }
  if (best == nullptr) return std::nullopt;
  return best->kind;
}

absl::Status ParseUaTokens(std::string_view text, std::string_view source,
                           std::vector<TokenMatcher::Token>* out) {
  return ForEachLine(text, [&](std::string_view l, int n) -> absl::Status {
    size_t space = l.find_first_of(" \t");
    std::string_view group = l.substr(0, space);
    auto g = std::find_if(std::begin(kGroups), std::end(kGroups),
                          [&](const auto& p) { return p.first == group; });
    if (g == std::end(kGroups)) {
      return LineError(source, n,
                       absl::StrCat("unknown group '", store::AV(group),
                                    "' (preview, scanner, bot, in_app, browser, url, "
                                    "human_quirk, native_preview_app)"));
    }
    std::string_view rest = space == std::string_view::npos ? "" : Trim(l.substr(space));
    if (rest.empty() || rest.front() != '"') {
      return LineError(source, n, "expected GROUP \"token\" [end]");
    }
    std::string token;
    size_t i = 1;
    for (; i < rest.size() && rest[i] != '"'; ++i) {
      char c = rest[i];
      if (c == '\\' && i + 1 < rest.size()) {
        char e = rest[++i];
        if (e != 't' && e != '"' && e != '\\') {
          return LineError(source, n, "unknown escape (\\t, \\\", \\\\)");
        }
        c = e == 't' ? '\t' : e;
      } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return LineError(source, n, "control character in token");
      }
      token.push_back(c);
    }
    if (i >= rest.size()) return LineError(source, n, "unterminated token");
    if (token.empty()) return LineError(source, n, "empty token");
    if (token.size() > kMaxTokenBytes) return LineError(source, n, "token over 256 bytes");
    std::string_view after = Trim(rest.substr(i + 1));
    if (after == "end") {
      token.push_back('\0');  // TokenMatcher: anchored at the end of the user agent
    } else if (!after.empty()) {
      return LineError(source, n, absl::StrCat("unexpected '", store::AV(after), "' after token"));
    }
    out->push_back({std::move(token), g->second});
    return absl::OkStatus();
  });
}

// The publishers' own format (Google, Bing, Apple, OpenAI):
// {"creationTime": "...", "prefixes": [{"ipv4Prefix": "..."}, {"ipv6Prefix": "..."}, ...]}
absl::Status ParsePublishedJson(std::string_view text, std::string_view source, NetworkKind kind,
                                NetworkTable* out) {
  auto fail = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(store::AV(source), ": ", store::AV(why)));
  };
  boost::json::error_code ec;
  boost::json::value doc =
      boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  if (ec) return fail(absl::StrCat("invalid JSON: ", ec.message()));
  const boost::json::array* prefixes = nullptr;
  if (const auto* o = doc.if_object()) {
    if (const auto* p = o->if_contains("prefixes")) prefixes = p->if_array();
  }
  if (prefixes == nullptr) {
    return fail("expected {\"prefixes\": [{\"ipv4Prefix\" or \"ipv6Prefix\": CIDR}, ...]}");
  }
  for (size_t i = 0; i < prefixes->size(); ++i) {
    const boost::json::string* cidr_text = nullptr;
    if (const auto* entry = (*prefixes)[i].if_object()) {
      for (const char* key : {"ipv4Prefix", "ipv6Prefix"}) {
        if (const auto* v = entry->if_contains(key)) cidr_text = v->if_string();
      }
    }
    auto cidr = cidr_text == nullptr
                    ? std::nullopt
                    : ParseCidr(std::string_view(cidr_text->data(), cidr_text->size()));
    if (!cidr) return fail(absl::StrCat("prefixes[", i, "] is not an ipv4Prefix or ipv6Prefix"));
    out->Add(*cidr, kind);
  }
  return absl::OkStatus();
}

absl::Status ParseNetworks(std::string_view text, std::string_view source, NetworkKind kind,
                           NetworkTable* out) {
  if (std::string_view t = Trim(text.substr(0, 64)); !t.empty() && t.front() == '{') {
    return ParsePublishedJson(text, source, kind, out);
  }
  return ForEachLine(text, [&](std::string_view l, int n) -> absl::Status {
    l = Trim(l.substr(0, l.find('#')));
    auto cidr = ParseCidr(l);
    if (!cidr) return LineError(source, n, absl::StrCat("bad CIDR '", store::AV(l), "'"));
    out->Add(*cidr, kind);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::pair<NetworkKind, std::string>> ParseNetworkFileSpec(std::string_view spec) {
  size_t colon = spec.find(':');
  std::string_view kind = spec.substr(0, colon);
  std::string_view path = colon == std::string_view::npos ? "" : spec.substr(colon + 1);
  NetworkKind k;
  if (kind == "crawler") {
    k = NetworkKind::kCrawler;
  } else if (kind == "scanner") {
    k = NetworkKind::kScanner;
  } else if (kind == "preview") {
    k = NetworkKind::kPreview;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("network file '", store::AV(spec),
                     "': give KIND:PATH with KIND crawler, scanner or preview"));
  }
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("network file '", store::AV(spec), "': the path is missing"));
  }
  return std::make_pair(k, std::string(path));
}

absl::StatusOr<std::shared_ptr<const ClassifierData>> LoadClassifierData(
    const ClassifierFiles& files) {
  auto data = std::make_shared<ClassifierData>();
  std::vector<TokenMatcher::Token> tokens;
  if (auto s = ParseUaTokens(kBuiltinUaTokens, "built-in ua-tokens.txt", &tokens); !s.ok()) {
    return s;
  }
  if (!files.ua_tokens_file.empty()) {
    auto text = ReadFile(files.ua_tokens_file);
    if (!text.ok()) return text.status();
    if (auto s = ParseUaTokens(*text, files.ua_tokens_file, &tokens); !s.ok()) return s;
  }
  // Ops' ranges first: where they overlap a built-in one, theirs decides.
  for (const std::string& spec : files.network_files) {
    auto kind_path = ParseNetworkFileSpec(spec);
    if (!kind_path.ok()) return kind_path.status();
    auto text = ReadFile(kind_path->second);
    if (!text.ok()) return text.status();
    if (auto s = ParseNetworks(*text, kind_path->second, kind_path->first, &data->networks);
        !s.ok()) {
      return s;
    }
  }
  for (auto [text, name] : {std::pair{kBuiltinGooglebotNetworks, "built-in googlebot.txt"},
                            std::pair{kBuiltinApplebotNetworks, "built-in applebot.txt"}}) {
    if (auto s = ParseNetworks(text, name, NetworkKind::kCrawler, &data->networks); !s.ok()) {
      return s;
    }
  }
  // The automaton has at most one state per token byte, plus the root.
  size_t bytes = 0;
  for (const TokenMatcher::Token& t : tokens) bytes += t.text.size();
  if (bytes + 1 > TokenMatcher::kMaxStates) {
    return absl::InvalidArgumentError(absl::StrCat("user-agent tokens total ", bytes,
                                                   " bytes; at most ", TokenMatcher::kMaxStates - 1,
                                                   " fit"));
  }
  data->ua = TokenMatcher(tokens);
  data->ua_tokens = tokens.size();
  data->networks.Build();
  return std::shared_ptr<const ClassifierData>(std::move(data));
}

const ClassifierData& BuiltinClassifierData() {
  static const std::shared_ptr<const ClassifierData> data = [] {
    auto loaded = LoadClassifierData({});
    // The built-in files are checked by the unit tests; a failure here is a build defect.
    if (!loaded.ok()) std::abort();
    return *loaded;
  }();
  return *data;
}

}  // namespace redirector
