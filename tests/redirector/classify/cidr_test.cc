#include "redirector/classify/cidr.h"

#include <catch2/catch.hpp>

TEST_CASE("CIDR ranges match IPv4 and IPv6 addresses", "[redirector][cidr]") {
  auto v4 = redirector::ParseCidr("10.1.0.0/16");
  REQUIRE(v4.has_value());
  CHECK(v4->Contains(*redirector::ParseIp("10.1.255.3")));
  CHECK_FALSE(v4->Contains(*redirector::ParseIp("10.2.0.1")));
  CHECK_FALSE(v4->Contains(*redirector::ParseIp("2001:db8::1")));
  auto v6 = redirector::ParseCidr("2001:db8::/32");
  REQUIRE(v6.has_value());
  CHECK(v6->Contains(*redirector::ParseIp("2001:db8:ffff::1")));
  CHECK_FALSE(v6->Contains(*redirector::ParseIp("2001:db9::1")));
  auto host = redirector::ParseCidr("192.0.2.7");
  REQUIRE(host.has_value());
  CHECK(host->Contains(*redirector::ParseIp("192.0.2.7")));
  CHECK_FALSE(host->Contains(*redirector::ParseIp("192.0.2.8")));
  CHECK(redirector::ParseCidr("0.0.0.0/0")->Contains(*redirector::ParseIp("8.8.8.8")));
  auto bad = GENERATE("10.0.0.0/33", "::/129", "10.0.0/8", "x", "", "10.0.0.0/", "10.0.0.0/a");
  CHECK_FALSE(redirector::ParseCidr(bad).has_value());
}
