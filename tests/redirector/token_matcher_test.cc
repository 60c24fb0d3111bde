#include "redirector/token_matcher.h"

#include <catch2/catch.hpp>

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
