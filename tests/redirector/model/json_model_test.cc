#include "redirector/model/json_model.h"

#include <string>

#include <catch2/catch.hpp>

TEST_CASE("Campaign JSON is parsed strictly and written back", "[redirector][json]") {
  auto c = redirector::CampaignFromJson(
      R"({"id":"spring","destination":"https://shop.example/s",)"
      R"("utm":{"source":"sms","utm_medium":"sms"},"variants":{"A":null,"B":"https://shop.example/s2"}})");
  REQUIRE(c.ok());
  CHECK(c->utm[1].first == "medium");
  REQUIRE(c->variants.size() == 2);
  CHECK(c->variants[0].destination.empty());
  auto again = redirector::CampaignFromJson(redirector::CampaignToJson(*c));
  REQUIRE(again.ok());
  CHECK(again->variants[1].destination == "https://shop.example/s2");
  CHECK_FALSE(
      redirector::CampaignFromJson(R"({"id":"x","destination":"https://a.example","colour":1})")
          .ok());
  CHECK_FALSE(
      redirector::CampaignFromJson(R"J({"id":"x","destination":"javascript:alert(1)"})J").ok());
  CHECK_FALSE(redirector::CampaignFromJson(R"({"id":"x"})").ok());
  CHECK_FALSE(redirector::CampaignFromJson(R"([1,2])").ok());
  CHECK_FALSE(redirector::CampaignFromJson("{not json").ok());
}

TEST_CASE("Link JSON takes RFC 3339 times", "[redirector][json]") {
  auto l = redirector::LinkFromJson(
      R"({"campaign":"spring","variant":"A","recipient":"r-1","sent_at":"2026-11-27T10:00:00Z"})");
  REQUIRE(l.ok());
  CHECK(l->sent_at == 1795773600);
  auto offset =
      redirector::LinkFromJson(R"({"campaign":"s","sent_at":"2026-11-27T11:00:00+01:00"})");
  REQUIRE(offset.ok());
  CHECK(offset->sent_at == 1795773600);
  CHECK_FALSE(redirector::LinkFromJson(R"({"campaign":"s","sent_at":"yesterday"})").ok());
  CHECK_FALSE(redirector::LinkFromJson(R"({"variant":"A"})").ok());
  CHECK_FALSE(redirector::LinkFromJson(R"({"campaign":"s","phone":"+15555550100"})").ok());
  CHECK(redirector::FormatTimeMicros(1795773600000001) == "2026-11-27T10:00:00.000001Z");
}
