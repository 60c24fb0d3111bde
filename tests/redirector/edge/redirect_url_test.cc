#include "redirector/edge/redirect_url.h"

#include <string>

#include <catch2/catch.hpp>

namespace {
std::string Build(const std::string& dest, const store::Campaign& c,
                  const std::string& click = "K1") {
  char buf[redirector::kMaxLocation];
  size_t n = redirector::BuildLocation(dest, c, click, std::span<char>(buf, sizeof(buf)));
  return std::string(buf, n);
}
store::Campaign WithUtm() {
  store::Campaign c;
  c.utm = {{"source", "sms"}, {"medium", "sms"}, {"campaign", "spring sale/2026"}};
  return c;
}
}  // namespace

TEST_CASE("UTM parameters and the click id follow the destination", "[redirector][url]") {
  CHECK(Build("https://shop.example/s", WithUtm()) ==
        "https://shop.example/"
        "s?utm_source=sms&utm_medium=sms&utm_campaign=spring%20sale%2F2026&smsclid=K1");
}

TEST_CASE("The destination's own query and fragment are kept", "[redirector][url]") {
  CHECK(
      Build("https://shop.example/s?x=1&y=%20#top", WithUtm()) ==
      "https://shop.example/"
      "s?x=1&y=%20&utm_source=sms&utm_medium=sms&utm_campaign=spring%20sale%2F2026&smsclid=K1#top");
  store::Campaign none;
  CHECK(Build("https://shop.example/#/app?route=1", none) ==
        "https://shop.example/?smsclid=K1#/app?route=1");
}

TEST_CASE("A UTM key already in the destination is not duplicated", "[redirector][url]") {
  CHECK(Build("https://shop.example/s?utm_source=email&a=b", WithUtm()) ==
        "https://shop.example/"
        "s?utm_source=email&a=b&utm_medium=sms&utm_campaign=spring%20sale%2F2026&smsclid=K1");
  // A key that only starts like a UTM key does not count.
  store::Campaign c;
  c.utm = {{"source", "sms"}};
  CHECK(Build("https://x.example/?utm_sourcex=1", c) ==
        "https://x.example/?utm_sourcex=1&utm_source=sms&smsclid=K1");
}

TEST_CASE("A bare '?' or trailing '&' needs no extra separator", "[redirector][url]") {
  store::Campaign c;
  c.utm = {{"source", "sms"}};
  CHECK(Build("https://x.example/?", c) == "https://x.example/?utm_source=sms&smsclid=K1");
  CHECK(Build("https://x.example/?a=1&", c) == "https://x.example/?a=1&utm_source=sms&smsclid=K1");
}

TEST_CASE("Values are percent-encoded, unreserved bytes kept", "[redirector][url]") {
  store::Campaign c;
  c.utm = {{"content", "a+b&c=d é~._-"}};
  c.click_param = "cid";
  CHECK(Build("https://x.example", c) ==
        "https://x.example?utm_content=a%2Bb%26c%3Dd%20%C3%A9~._-&cid=K1");
}

TEST_CASE("The variant's or the link's destination wins over the campaign's", "[redirector][url]") {
  store::Campaign c;
  c.destination = "https://x.example/a";
  c.variants = {{"A", ""}, {"B", "https://x.example/b"}};
  store::LinkIndex index;
  store::LinkEntryFields f;
  f.code = "v-a0";
  f.variant_index = 0;
  index.Put(f);
  f.code = "v-b0";
  f.variant_index = 1;
  index.Put(f);
  f.code = "v-o0";
  f.destination = "https://x.example/override";
  index.Put(f);
  CHECK(redirector::DestinationOf(*index.Find("v-a0"), c) == "https://x.example/a");
  CHECK(redirector::DestinationOf(*index.Find("v-b0"), c) == "https://x.example/b");
  CHECK(redirector::DestinationOf(*index.Find("v-o0"), c) == "https://x.example/override");
}

TEST_CASE("A Location that does not fit is refused, not cut", "[redirector][url]") {
  store::Campaign c;
  char small[20];
  CHECK(redirector::BuildLocation("https://shop.example/long/path", c, "K1",
                                  std::span<char>(small, sizeof(small))) == 0);
}
