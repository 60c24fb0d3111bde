#include "redirector/admin/admin_api.h"

#include <algorithm>
#include <string>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "testing/admin_fixture.h"

using redirector::AdminContext;
using redirector::AdminRequest;
using redirector::HandleAdmin;

namespace {

using testing::AdminFixture;

constexpr const char* kCampaign =
    R"({"id":"spring","destination":"https://shop.example/s","utm":{"source":"sms"},)"
    R"("variants":{"A":null,"B":"https://shop.example/s2"}})";

}  // namespace

TEST_CASE("Admin calls need the bearer token, health does not", "[redirector][admin]") {
  AdminFixture f;
  CHECK(f.Call("GET", "/healthz", "", "").status == 200);
  CHECK(f.Call("POST", "/v1/campaigns", kCampaign, "").status == 401);
  CHECK(f.Call("POST", "/v1/campaigns", kCampaign, "Bearer wrong").status == 401);
  CHECK(f.Call("POST", "/v1/campaigns", kCampaign, "Bearer s3cretX").status == 401);
  CHECK(f.Call("POST", "/v1/campaigns", kCampaign, "s3cret").status == 401);
  CHECK(f.table().campaign_count() == 0);
  CHECK(f.Call("POST", "/v1/campaigns", kCampaign).status == 201);
}

TEST_CASE("Campaigns are created, read, updated, conflicts and bad input are 4xx",
          "[redirector][admin]") {
  AdminFixture f;
  REQUIRE(f.Call("POST", "/v1/campaigns", kCampaign).status == 201);
  CHECK(f.Call("POST", "/v1/campaigns", kCampaign).status == 409);
  auto got = f.Call("GET", "/v1/campaigns/spring");
  CHECK(got.status == 200);
  CHECK(got.body.find(R"("B":"https://shop.example/s2")") != std::string::npos);
  CHECK(f.Call("GET", "/v1/campaigns/autumn").status == 404);
  CHECK(f.Call("POST", "/v1/campaigns", "{bad json").status == 400);
  CHECK(f.Call("POST", "/v1/campaigns", R"({"id":"x","destination":"ftp://a"})").status == 400);
  CHECK(f.table().campaign_count() == 1);
  std::string updated = R"({"id":"spring","destination":"https://shop.example/new"})";
  CHECK(f.Call("PUT", "/v1/campaigns/spring", updated).status == 400);  // variants removed
  std::string ok =
      R"({"id":"spring","destination":"https://shop.example/new","variants":{"A":null,"B":null}})";
  CHECK(f.Call("PUT", "/v1/campaigns/spring", ok).status == 200);
  CHECK(f.Call("PUT", "/v1/campaigns/other", ok).status == 400);
  CHECK(f.Call("DELETE", "/v1/campaigns/spring").status == 405);
}

TEST_CASE("Bulk links: NDJSON in, codes and URLs out in order, one bad line stores none",
          "[redirector][admin]") {
  AdminFixture f;
  REQUIRE(f.Call("POST", "/v1/campaigns", kCampaign).status == 201);
  std::string body =
      R"({"campaign":"spring","variant":"A","recipient":"r-1","sent_at":"2026-11-27T10:00:00Z"})"
      "\n"
      R"({"campaign":"spring","variant":"B","recipient":"r-2","code":"mine-01"})"
      "\n\n";
  auto r = f.Call("POST", "/v1/links", body);
  REQUIRE(r.status == 201);
  CHECK(r.content_type == "application/x-ndjson");
  size_t nl = r.body.find('\n');
  CHECK(r.body.substr(nl + 1) == R"({"code":"mine-01","url":"https://s.example/mine-01"})"
                                 "\n");
  CHECK(f.table().link_count() == 2);

  std::string bad = R"({"campaign":"spring","variant":"A","recipient":"r-3"})"
                    "\n"
                    R"({"campaign":"spring","variant":"Z","recipient":"r-4"})"
                    "\n";
  auto e = f.Call("POST", "/v1/links", bad);
  CHECK(e.status == 400);
  CHECK(e.body.find("link 2") != std::string::npos);
  auto syntax = f.Call("POST", "/v1/links", "{\"campaign\":\"spring\"}\n{oops\n");
  CHECK(syntax.status == 400);
  CHECK(syntax.body.find("line 2") != std::string::npos);
  CHECK(f.table().link_count() == 2);
  CHECK(f.Call("POST", "/v1/links", "").status == 400);
}

TEST_CASE("Bulk answers are JSON lines whatever the public URL holds, with coupons",
          "[redirector][admin]") {
  AdminFixture f;
  f.context().public_url = R"(https://s.example/a"b\c)";
  REQUIRE(f.Call("POST", "/v1/campaigns", kCampaign).status == 201);
  auto r = f.Call("POST", "/v1/links",
                  R"({"campaign":"spring","variant":"A","recipient":"r-1","code":"c-0001",)"
                  R"("coupon":"save-10"})"
                  "\n"
                  R"({"campaign":"spring","variant":"B","recipient":"r-2"})"
                  "\n");
  REQUIRE(r.status == 201);
  size_t nl = r.body.find('\n');
  REQUIRE(nl != std::string::npos);
  boost::json::object first = boost::json::parse(r.body.substr(0, nl)).as_object();
  CHECK(first.size() == 3);
  CHECK(first["code"] == "c-0001");
  CHECK(first["url"] == R"(https://s.example/a"b\c/c-0001)");
  CHECK(first["coupon"] == "SAVE-10");
  boost::json::object second = boost::json::parse(r.body.substr(nl + 1)).as_object();
  CHECK(second.size() == 2);
  std::string code(second["code"].as_string());
  CHECK(std::string(second["url"].as_string()) == R"(https://s.example/a"b\c/)" + code);
  CHECK(f.table().GetLink(code).ok());
}

TEST_CASE("100,000 links in one request", "[redirector][admin]") {
  AdminFixture f;
  REQUIRE(f.Call("POST", "/v1/campaigns", kCampaign).status == 201);
  std::string body;
  for (int i = 0; i < 100000; ++i) {
    body += R"({"campaign":"spring","variant":")";
    body += (i % 2 ? "B" : "A");
    body += R"(","recipient":"r-)" + std::to_string(i) + "\"}\n";
  }
  auto r = f.Call("POST", "/v1/links", body);
  REQUIRE(r.status == 201);
  CHECK(std::count(r.body.begin(), r.body.end(), '\n') == 100000);
  CHECK(f.table().link_count() == 100000);
}

TEST_CASE("Links are read and disabled by code", "[redirector][admin]") {
  AdminFixture f;
  REQUIRE(f.Call("POST", "/v1/campaigns", kCampaign).status == 201);
  REQUIRE(f.Call("POST", "/v1/links", R"({"campaign":"spring","code":"code-01","recipient":"r"})")
              .status == 201);
  auto got = f.Call("GET", "/v1/links/code-01");
  CHECK(got.status == 200);
  CHECK(got.body.find(R"("disabled":false)") != std::string::npos);
  auto del = f.Call("DELETE", "/v1/links/code-01");
  CHECK(del.status == 200);
  CHECK(del.body.find(R"("disabled":true)") != std::string::npos);
  CHECK(f.table().Find("code-01")->disabled());
  CHECK(f.Call("GET", "/v1/links/nothere").status == 404);
  CHECK(f.Call("DELETE", "/v1/links/nothere").status == 404);
  CHECK(f.Call("GET", "/v2/anything").status == 404);
}

TEST_CASE("Token comparison is exact", "[redirector][admin]") {
  CHECK(redirector::ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(redirector::ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(redirector::ConstantTimeEquals("abc", "abcd"));
  CHECK_FALSE(redirector::ConstantTimeEquals("", "a"));
}
