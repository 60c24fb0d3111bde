#include "redirector/classify/token_matcher.h"

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <absl/strings/str_split.h>
#include <catch2/catch.hpp>

#include "redirector/classify/classifier_data.h"
#include "redirector/classify/ua_cache.h"

using redirector::TokenMatcher;

TEST_CASE("Tokens are found anywhere, case-insensitively", "[redirector][matcher]") {
  TokenMatcher m({{"bot", 0}, {"whatsapp", 1}, {"FBAV/", 2}, {"otb", 3}});
  CHECK(m.Match("Googlebot/2.1") == 0b0001);
  CHECK(m.Match("WHATSAPP/2") == 0b0010);
  CHECK(m.Match("x [fbav/400]") == 0b0100);
  CHECK(m.Match("robotbot") == 0b1001);  // overlapping matches both count
  CHECK(m.Match("") == 0);
  CHECK(m.Match("Mozilla/5.0") == 0);
}

TEST_CASE("A token that is a suffix of another is still found", "[redirector][matcher]") {
  TokenMatcher m({{"abcd", 0}, {"bc", 1}, {"c", 2}});
  CHECK(m.Match("abcd") == 0b111);
  CHECK(m.Match("xbcx") == 0b110);
  CHECK(m.Match("abce") == 0b110);
}

TEST_CASE("Bytes outside the tokens' alphabet reset nothing wrongly", "[redirector][matcher]") {
  TokenMatcher m({{"slack", 0}});
  CHECK(m.Match(std::string_view("\xff\x00slack\x80", 8)) == 1);
  CHECK(m.Match("sla\xff"
                "ck") == 0);
}

TEST_CASE("The user-agent cache answers what the matcher answers", "[redirector][matcher]") {
  const TokenMatcher& builtin = redirector::BuiltinClassifierData().ua;
  std::ifstream in(std::string(REDIRECTOR_TEST_DATA_DIR) + "/ua-corpus.tsv");
  std::vector<std::string> uas;
  for (std::string line; std::getline(in, line);) {
    auto fields = absl::StrSplit(line, '\t');
    auto it = fields.begin();
    if (it != fields.end() && ++it != fields.end() && ++it != fields.end()) uas.emplace_back(*it);
  }
  REQUIRE(uas.size() > 6000);
  auto cache = std::make_unique<redirector::UaGroupCache>();
  size_t differ = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (const std::string& ua : uas) differ += cache->Match(builtin, ua) != builtin.Match(ua);
  }
  CHECK(differ == 0);
  // The corpus overflows the cache: the second pass hits only where no other agent took over.
  CHECK(cache->misses() >= uas.size());
  CHECK(cache->hits() > 0);
  CHECK(cache->hits() + cache->misses() == 2 * uas.size());
  uint64_t hits = cache->hits();
  CHECK(cache->Match(builtin, uas[0]) == builtin.Match(uas[0]));
  CHECK(cache->Match(builtin, uas[0]) == builtin.Match(uas[0]));
  CHECK(cache->hits() >= hits + 1);
}

TEST_CASE("The user-agent cache starts afresh for another matcher", "[redirector][matcher]") {
  TokenMatcher bots({{"bot", 0}});
  TokenMatcher apps({{"whatsapp", 1}, {"bot", 2}});
  redirector::UaGroupCache cache;
  CHECK(cache.Match(bots, "Googlebot/2.1") == 0b001);
  CHECK(cache.Match(bots, "Googlebot/2.1") == 0b001);
  CHECK(cache.hits() == 1);
  // Same text, new matcher (a reloaded tokens file): its own answer, not the remembered one.
  CHECK(cache.Match(apps, "Googlebot/2.1") == 0b100);
  CHECK(cache.Match(apps, "WhatsApp/2.23") == 0b010);
  CHECK(cache.Match(bots, "Googlebot/2.1") == 0b001);
  CHECK(cache.hits() == 1);
}
