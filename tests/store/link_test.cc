#include "store/link.h"

#include <catch2/catch.hpp>

using store::Campaign;
using store::Link;

namespace {
Campaign SampleCampaign() {
  Campaign c;
  c.id = "spring";
  c.destination = "https://shop.example/s?x=1#top";
  c.utm = {{"source", "sms"}, {"campaign", "spring sale"}};
  c.variants = {{"A", ""}, {"B", "https://shop.example/s2"}};
  c.click_param = "smsclid";
  return c;
}
}  // namespace

TEST_CASE("A campaign survives encode and decode", "[store][link]") {
  Campaign c = SampleCampaign();
  auto d = store::DecodeCampaign(store::EncodeCampaign(c));
  REQUIRE(d.has_value());
  CHECK(d->id == c.id);
  CHECK(d->destination == c.destination);
  CHECK(d->utm == c.utm);
  REQUIRE(d->variants.size() == 2);
  CHECK(d->variants[1].name == "B");
  CHECK(d->variants[1].destination == "https://shop.example/s2");
  CHECK(d->attribution_window_seconds == c.attribution_window_seconds);
}

TEST_CASE("A link survives encode and decode", "[store][link]") {
  Link l{"aB3xK9qZ",           "spring",          "B", "r-1", 1790000000, 1790600000,
         "https://x.example/", "SPRING-7KQ2ABCD", true};
  auto d = store::DecodeLink("aB3xK9qZ", store::EncodeLink(l));
  REQUIRE(d.has_value());
  CHECK(d->code == l.code);
  CHECK(d->campaign == l.campaign);
  CHECK(d->variant == l.variant);
  CHECK(d->recipient == l.recipient);
  CHECK(d->sent_at == l.sent_at);
  CHECK(d->expires_at == l.expires_at);
  CHECK(d->destination == l.destination);
  CHECK(d->coupon == l.coupon);
  CHECK(d->disabled);
}

TEST_CASE("Format 1 records (before coupons) still decode", "[store][link]") {
  Link l{"aB3xK9qZ", "spring", "A", "r-1", 5, 0, "", "", false};
  std::string v2 = store::EncodeLink(l);
  std::string v1 = v2.substr(0, v2.size() - 1);  // format 2 appended an empty coupon
  v1[0] = 1;
  auto d = store::DecodeLink("aB3xK9qZ", v1);
  REQUIRE(d.has_value());
  CHECK(d->recipient == "r-1");
  CHECK(d->coupon.empty());

  Campaign c = SampleCampaign();
  std::string c2 = store::EncodeCampaign(c);
  std::string c1 = c2.substr(0, c2.size() - 2);  // flag byte and empty prefix
  c1[0] = 1;
  auto dc = store::DecodeCampaign(c1);
  REQUIRE(dc.has_value());
  CHECK_FALSE(dc->coupons);
  c.coupons = true;
  c.coupon_prefix = "SPRING-";
  auto dc2 = store::DecodeCampaign(store::EncodeCampaign(c));
  REQUIRE(dc2.has_value());
  CHECK(dc2->coupons);
  CHECK(dc2->coupon_prefix == "SPRING-");
}

TEST_CASE("Coupons are 4 to 32 of [A-Za-z0-9_-], compared upper case", "[store][link]") {
  CHECK(store::ValidateCoupon("SAVE").ok());
  CHECK(store::ValidateCoupon("spring-7kq2").ok());
  CHECK_FALSE(store::ValidateCoupon("abc").ok());
  CHECK_FALSE(store::ValidateCoupon("a b c d").ok());
  std::string c = "spring-7kq2";
  store::NormalizeCoupon(&c);
  CHECK(c == "SPRING-7KQ2");
}

TEST_CASE("Decoding rejects truncated and trailing bytes", "[store][link]") {
  Link l{"aB3xK9qZ", "spring", "A", "r-1", 5, 0, "", "", false};
  std::string enc = store::EncodeLink(l);
  for (size_t n = 0; n < enc.size(); ++n) {
    CHECK_FALSE(store::DecodeLink("aB3xK9qZ", enc.substr(0, n)).has_value());
  }
  CHECK_FALSE(store::DecodeLink("aB3xK9qZ", enc + "x").has_value());
  std::string c = store::EncodeCampaign(SampleCampaign());
  for (size_t n = 0; n < c.size(); ++n) {
    CHECK_FALSE(store::DecodeCampaign(c.substr(0, n)).has_value());
  }
}

TEST_CASE("Codes are 4 to 32 of [A-Za-z0-9_-]", "[store][link]") {
  CHECK(store::ValidateCode("aB3x").ok());
  CHECK(store::ValidateCode("a_b-C9").ok());
  CHECK(store::ValidateCode(std::string(32, 'x')).ok());
  CHECK_FALSE(store::ValidateCode("abc").ok());
  CHECK_FALSE(store::ValidateCode(std::string(33, 'x')).ok());
  CHECK_FALSE(store::ValidateCode("ab/cd").ok());
  CHECK_FALSE(store::ValidateCode("ab cd").ok());
  CHECK_FALSE(store::ValidateCode("abc%2F").ok());
}

TEST_CASE("Destinations must be plain http(s) URLs with a host", "[store][link]") {
  auto ok = GENERATE("https://shop.example/s", "http://shop.example", "https://shop.example:8443/",
                     "https://shop.example?x=1", "https://shop.example#f",
                     "https://xn--bcher-kva.example/%C3%BC");
  CHECK(store::ValidateDestination(ok).ok());
  auto bad = GENERATE("javascript:alert(1)", "ftp://x.example/", "//x.example/", "https://",
                      "https:///path", "https://user@x.example/", "https://x.example/a b",
                      "https://x.example/\r\nSet-Cookie:x", "https://x.example/\x7f",
                      "https://x.example/ü", "HTTPS://x.example/", "https://:80/",
                      "https://x.example\\@evil.example/", "data:text/html,hi");
  CHECK_FALSE(store::ValidateDestination(bad).ok());
}

TEST_CASE("Campaign validation names what is wrong", "[store][link]") {
  Campaign c = SampleCampaign();
  REQUIRE(store::ValidateCampaign(c).ok());
  SECTION("bad id") {
    c.id = "has space";
    CHECK(store::ValidateCampaign(c).message().find("campaign id") != std::string::npos);
  }
  SECTION("repeated variant") {
    c.variants.push_back({"A", ""});
    CHECK(store::ValidateCampaign(c).message().find("repeated") != std::string::npos);
  }
  SECTION("bad variant destination") {
    c.variants[1].destination = "javascript:x";
    CHECK_FALSE(store::ValidateCampaign(c).ok());
  }
  SECTION("a UTM key that repeats the prefix") {  // from "utm_utm_x": the API strips one utm_
    c.utm.push_back({"utm_x", "a"});
    CHECK(store::ValidateCampaign(c).message().find("repeats the utm_ prefix") !=
          std::string::npos);
  }
  SECTION("control character in a UTM value") {
    c.utm.push_back({"term", "a\nb"});
    CHECK_FALSE(store::ValidateCampaign(c).ok());
  }
}
