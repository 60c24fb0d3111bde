#include "redirector/report/reclassify.h"

#include <deque>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using redirector::Hindsight;
using redirector::Verdict;

namespace {

// Stored clicks for the tests: payloads kept alive so the views stay valid.
class Clicks {
 public:
  const store::EventView& Add(std::string code, std::string ip, int64_t ts_s,
                              std::string ua = "Mozilla/5.0 (iPhone) Safari/604.1",
                              std::vector<std::string> signals = {"accept", "accept-language"}) {
    store::Event e;
    e.seq = ++seq_;
    e.code = std::move(code);
    e.campaign = "spring";
    e.ip = std::move(ip);
    e.ts_us = ts_s * 1000000;
    e.method = "GET";
    e.ua = std::move(ua);
    e.seconds_since_sent = 3600;
    e.signals = std::move(signals);
    payloads_.emplace_back();
    store::EncodeEvent(e, &payloads_.back());
    views_.emplace_back();
    REQUIRE(store::DecodeEventView(e.type, store::kEventVersion, e.seq, payloads_.back(),
                                   &views_.back()));
    return views_.back();
  }

 private:
  uint64_t seq_ = 0;
  std::deque<std::string> payloads_;
  std::deque<store::EventView> views_;
};

}  // namespace

TEST_CASE("A stored click is classified as it was: headers present count as their telling values",
          "[redirector][reclassify]") {
  Clicks c;
  redirector::ClassifierConfig config;
  redirector::Ip16 ip;
  auto human =
      redirector::Classify(redirector::FactsOf(c.Add("a1", "198.51.100.7", 0), &ip), config);
  CHECK(human.verdict == Verdict::kHuman);
  auto prefetch = redirector::Classify(
      redirector::FactsOf(c.Add("a1", "198.51.100.7", 0, "Mozilla/5.0 (iPhone) Safari/604.1",
                                {"accept", "accept-language", "purpose"}),
                          &ip),
      config);
  CHECK(prefetch.verdict == Verdict::kPreview);
  auto bare = redirector::Classify(
      redirector::FactsOf(c.Add("a1", "198.51.100.7", 0, "Mozilla/5.0 (iPhone) Safari", {}), &ip),
      config);
  CHECK(bare.verdict != Verdict::kHuman);  // no Accept, no Accept-Language
  // The stored address meets today's network lists: a Googlebot range (built in) is a crawler.
  auto crawler =
      redirector::Classify(redirector::FactsOf(c.Add("a1", "66.249.66.1", 0), &ip), config);
  CHECK(crawler.verdict == Verdict::kBot);
  CHECK(crawler.reasons & redirector::kReasonNetworkCrawler);
}

TEST_CASE("A sweep is recognised after its tenth code, and its first hits are re-judged",
          "[redirector][reclassify]") {
  Clicks c;
  Hindsight h;
  for (int i = 0; i < 12; ++i) {
    h.Add(c.Add("code" + std::to_string(i), "203.0.113." + std::to_string(10 + i), 100 + i),
          Verdict::kHuman);
  }
  // A person elsewhere, and the same network a day later, are not part of it.
  h.Add(c.Add("code3", "198.51.100.7", 105), Verdict::kHuman);
  h.Add(c.Add("code20", "203.0.113.99", 100 + 86400), Verdict::kHuman);
  const auto& o = h.overrides();
  for (uint64_t seq = 1; seq <= 12; ++seq) {
    REQUIRE(o.contains(seq));
    CHECK(o.at(seq).verdict == Verdict::kScanner);
    CHECK(o.at(seq).reason == "sweep");
  }
  CHECK_FALSE(o.contains(14));
  // Nine codes are not a sweep.
  Clicks c2;
  Hindsight few;
  for (int i = 0; i < 9; ++i) {
    few.Add(c2.Add("code" + std::to_string(i), "203.0.113.1", 100 + i), Verdict::kHuman);
  }
  CHECK(few.overrides().empty());
}

TEST_CASE("A human-looking hit, then another from a different network, was a preview",
          "[redirector][reclassify]") {
  Clicks c;
  Hindsight h;
  h.Add(c.Add("a1", "17.58.0.9", 1000), Verdict::kHuman);     // a previewer's servers
  h.Add(c.Add("a1", "198.51.100.7", 1030), Verdict::kHuman);  // the person, 30 s later
  h.Add(c.Add("b1", "198.51.100.8", 1000), Verdict::kHuman);  // a person ...
  h.Add(c.Add("b1", "198.51.100.8", 1010), Verdict::kHuman);  // ... tapping again
  h.Add(c.Add("c1", "17.58.0.9", 1000), Verdict::kHuman);
  h.Add(c.Add("c1", "198.51.100.9", 5000), Verdict::kHuman);  // much later: two visits
  const auto& o = h.overrides();
  REQUIRE(o.contains(1));
  CHECK(o.at(1).verdict == Verdict::kPreview);
  CHECK(o.at(1).reason == "preview_then_person");
  CHECK(o.size() == 1);
  CHECK(redirector::NetworkOf("203.0.113.9") == "203.0.113");
  CHECK(redirector::NetworkOf("2001:db8:1:2::5") == "2001:db8:1");
}

TEST_CASE("NetworkOf keys one network whatever the address's spelling", "[reclassify]") {
  using redirector::NetworkOf;
  CHECK(NetworkOf("2001:0db8:0001:0002:0000:0000:0000:0005") == "2001:db8:1");
  CHECK(NetworkOf("2001:db8:1::") == "2001:db8:1");
  CHECK(NetworkOf("2001:db8::1") == "2001:db8:0");
  CHECK(NetworkOf("2001:DB8:0:ffff::1") == "2001:db8:0");
  CHECK(NetworkOf("::ffff:203.0.113.9") == "203.0.113");
  CHECK(NetworkOf("203.0.113.250") == NetworkOf("203.0.113.1"));
  CHECK(NetworkOf("203.0.114.1") != NetworkOf("203.0.113.1"));
  CHECK(NetworkOf("unknown") == "unknown");
  CHECK(NetworkOf("") == "");
}
