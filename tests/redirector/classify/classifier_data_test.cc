#include "redirector/classify/classifier_data.h"

#include <fstream>

#include <catch2/catch.hpp>

#include "redirector/classify/classify.h"
#include "redirector/classify/ua_tokens.h"

#include "testing/browser_hit.h"
#include "testing/temp_dir.h"

using redirector::ClassifierConfig;
using redirector::Classify;
using redirector::HitFacts;
using redirector::NetworkKind;
using redirector::NetworkTable;
using redirector::ParseIp;
using redirector::Verdict;

namespace {

std::string Write(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.Sub(name);
  std::ofstream(path) << text;
  return path;
}

HitFacts Browser(std::string_view ua) { return testing::BrowserHit(ua); }

constexpr std::string_view kIphone = testing::kIphoneSafari;

}  // namespace

TEST_CASE("Token files: groups, quotes, escapes and end anchors", "[classifier_data]") {
  std::vector<redirector::TokenMatcher::Token> tokens;
  REQUIRE(redirector::ParseUaTokens("# comment\n\nscanner \"acme scan\"\n  bot \"x\\ty\" end \r\n"
                                    "preview \"say \\\"hi\\\" \\\\ \"\n",
                                    "t.txt", &tokens)
              .ok());
  REQUIRE(tokens.size() == 3);
  CHECK(tokens[0].text == "acme scan");
  CHECK(tokens[0].group == redirector::kUaGroupScanner);
  CHECK(tokens[1].text == std::string("x\ty\0", 4));
  CHECK(tokens[2].text == "say \"hi\" \\ ");
}

TEST_CASE("A bad token line is refused with its file and line", "[classifier_data]") {
  for (auto [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"ok \"x\"", "t.txt:1: unknown group 'ok'"},
           {"bot x", "t.txt:1: expected GROUP \"token\""},
           {"\nbot \"x", "t.txt:2: unterminated token"},
           {"bot \"\"", "t.txt:1: empty token"},
           {"bot \"a\\nb\"", "t.txt:1: unknown escape"},
           {"bot \"x\" start", "t.txt:1: unexpected 'start' after token"},
           {"bot \"a\x01\"", "t.txt:1: control character"},
       }) {
    std::vector<redirector::TokenMatcher::Token> tokens;
    auto s = redirector::ParseUaTokens(text, "t.txt", &tokens);
    INFO(text);
    REQUIRE_FALSE(s.ok());
    CHECK(std::string(s.message()).find(why) == 0);
  }
}

TEST_CASE("Network tables find IPv4 and IPv6 ranges, the first added wins an overlap",
          "[classifier_data]") {
  NetworkTable t;
  REQUIRE(redirector::ParseNetworks("10.1.0.0/16\n# c\n2001:db8::/32 # doc\n", "n.txt",
                                    NetworkKind::kScanner, &t)
              .ok());
  REQUIRE(redirector::ParseNetworks("10.0.0.0/8\n10.1.2.0/24\n192.0.2.7\n", "m.txt",
                                    NetworkKind::kCrawler, &t)
              .ok());
  t.Build();
  auto find = [&](const char* ip) { return t.Find(*ParseIp(ip)); };
  CHECK(find("10.1.2.3") == NetworkKind::kScanner);  // in all three: n.txt came first
  CHECK(find("10.1.255.255") == NetworkKind::kScanner);
  CHECK(find("10.2.0.1") == NetworkKind::kCrawler);  // only the /8, which starts earlier
  CHECK(find("10.255.255.255") == NetworkKind::kCrawler);
  CHECK(find("11.0.0.0") == std::nullopt);
  CHECK(find("9.255.255.255") == std::nullopt);
  CHECK(find("192.0.2.7") == NetworkKind::kCrawler);
  CHECK(find("192.0.2.8") == std::nullopt);
  CHECK(find("2001:db8:ffff::1") == NetworkKind::kScanner);
  CHECK(find("2001:db9::") == std::nullopt);

  NetworkTable bad;
  auto s =
      redirector::ParseNetworks("10.0.0.0/8\n300.1.1.1/8\n", "n.txt", NetworkKind::kCrawler, &bad);
  REQUIRE_FALSE(s.ok());
  CHECK(std::string(s.message()) == "n.txt:2: bad CIDR '300.1.1.1/8'");
}

TEST_CASE("The built-in data: every token of the file, the published crawler ranges",
          "[classifier_data]") {
  const auto& data = redirector::BuiltinClassifierData();
  CHECK(data.ua_tokens == 393);
  CHECK(data.networks.size() == 301 + 24);  // googlebot.txt, applebot.txt
  auto kind = [&](const char* ip) { return data.networks.Find(*ParseIp(ip)); };
  CHECK(kind("66.249.66.1") == NetworkKind::kCrawler);           // Googlebot
  CHECK(kind("66.249.67.40") == std::nullopt);                   // .67 lists only .0/27
  CHECK(kind("2001:4860:4801:2a::1") == NetworkKind::kCrawler);  // Googlebot IPv6
  CHECK(kind("2001:4860:4801:4f::1") == std::nullopt);           // not published
  CHECK(kind("17.241.208.170") == NetworkKind::kCrawler);        // Applebot
  CHECK(kind("17.58.0.1") == std::nullopt);                      // Apple, but not Applebot

  HitFacts h = Browser(kIphone);
  auto person = *ParseIp("203.0.113.9");
  h.client = &person;
  CHECK(Classify(h, ClassifierConfig()).verdict == Verdict::kHuman);
  auto googlebot = *ParseIp("66.249.66.1");
  h.client = &googlebot;
  auto c = Classify(h, ClassifierConfig());
  CHECK(c.verdict == Verdict::kBot);
  CHECK(c.reasons == redirector::kReasonNetworkCrawler);
}

TEST_CASE("Ops' files add tokens and ranges, theirs decide an overlap", "[classifier_data]") {
  testing::TempDir dir;
  redirector::ClassifierFiles files;
  files.ua_tokens_file = Write(dir, "tokens.txt", "scanner \"zorpgate/\"\n");
  files.network_files = {"preview:" + Write(dir, "p.txt", "66.249.66.0/27\n"),
                         "scanner:" + Write(dir, "s.txt", "198.51.100.0/24\n")};
  auto data = redirector::LoadClassifierData(files);
  REQUIRE(data.ok());
  ClassifierConfig config;
  config.data = *data;

  std::string ua = std::string(kIphone) + " ZorpGate/2.1";
  CHECK(Classify(Browser(ua), ClassifierConfig()).verdict == Verdict::kHuman);
  CHECK(Classify(Browser(ua), config).verdict == Verdict::kScanner);
  CHECK(Classify(Browser(ua), config).reasons == redirector::kReasonUaScanner);

  HitFacts h = Browser(kIphone);
  auto gateway = *ParseIp("198.51.100.40");
  h.client = &gateway;
  CHECK(Classify(h, config).verdict == Verdict::kScanner);
  auto overlap = *ParseIp("66.249.66.1");  // built-in crawler, but ops say preview
  h.client = &overlap;
  CHECK(Classify(h, config).verdict == Verdict::kPreview);
  CHECK(Classify(h, config).reasons == redirector::kReasonNetworkPreview);

  files.network_files = {"nope:/x"};
  CHECK_FALSE(redirector::LoadClassifierData(files).ok());
  files.network_files = {"scanner:" + dir.Sub("missing.txt")};
  auto missing = redirector::LoadClassifierData(files);
  REQUIRE_FALSE(missing.ok());
  CHECK(std::string(missing.status().message()).find("cannot read") == 0);
}

TEST_CASE("A network file may be the publisher's JSON as downloaded", "[classifier_data]") {
  NetworkTable t;
  REQUIRE(redirector::ParseNetworks(R"({"creationTime": "2024-01-03T10:00:00.121331",
      "prefixes": [{"ipv4Prefix": "157.55.39.0/24"}, {"ipv6Prefix": "2001:db8:1::/48"}]})",
                                    "bingbot.json", NetworkKind::kCrawler, &t)
              .ok());
  t.Build();
  CHECK(t.size() == 2);
  CHECK(t.Find(*ParseIp("157.55.39.200")) == NetworkKind::kCrawler);
  CHECK(t.Find(*ParseIp("2001:db8:1:2::1")) == NetworkKind::kCrawler);
  for (auto [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"{\"prefixes\": [{\"ipv4Prefix\": \"1.2.3.0/33\"}]}",
            "x.json: prefixes[0] is not an ipv4Prefix or ipv6Prefix"},
           {"{\"prefixes\": [{\"ip_prefix\": \"1.2.3.0/24\"}]}",
            "x.json: prefixes[0] is not an ipv4Prefix or ipv6Prefix"},
           {"{\"items\": []}", "x.json: expected {\"prefixes\""},
           {"{\"prefixes\": [", "x.json: invalid JSON"},
       }) {
    NetworkTable bad;
    auto s = redirector::ParseNetworks(text, "x.json", NetworkKind::kCrawler, &bad);
    INFO(text);
    REQUIRE_FALSE(s.ok());
    CHECK(std::string(s.message()).find(why) == 0);
  }
}
