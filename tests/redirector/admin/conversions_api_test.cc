#include "redirector/admin/conversions_api.h"

#include <string>

#include <catch2/catch.hpp>

#include "redirector/admin/shopify.h"

#include "testing/admin_fixture.h"

using testing::AdminFixture;

namespace {

// A campaign with coupons and two links sent at `sent_at` (Unix seconds): r-1 on A with code
// codeA001, r-2 on B with code codeB001.
void Setup(AdminFixture& f) {
  REQUIRE(f.Call("POST", "/v1/campaigns",
                 R"({"id":"spring","destination":"https://shop.example/s",)"
                 R"("variants":{"A":null,"B":null},"coupons":{"prefix":"spring-"}})")
              .status == 201);
  auto r = f.Call("POST", "/v1/links",
                  R"({"campaign":"spring","variant":"A","recipient":"r-1","code":"codeA001"})"
                  "\n"
                  R"({"campaign":"spring","variant":"B","recipient":"r-2","code":"codeB001"})");
  REQUIRE(r.status == 201);
  CHECK(r.body.find(R"("coupon":"SPRING-)") != std::string::npos);
}

std::string CouponOf(AdminFixture& f, const std::string& code) {
  return f.table().GetLink(code)->coupon;
}

}  // namespace

TEST_CASE("A conversion by code is resolved to its link and written once per order id",
          "[redirector][conversions]") {
  AdminFixture f;
  Setup(f);
  const char* body =
      R"({"code":"codeA001","kind":"purchase","value":19.99,"currency":"USD","order_id":"o-1"})";
  auto r = f.Call("POST", "/v1/conversions", body);
  CHECK(r.status == 201);
  CHECK(r.body.find(R"("status":"recorded")") != std::string::npos);
  REQUIRE(f.recorded.size() == 1);
  const store::Event& e = f.recorded[0];
  CHECK(e.type == store::log::RecordType::kConversion);
  CHECK(e.campaign == "spring");
  CHECK(e.variant == "A");
  CHECK(e.recipient == "r-1");
  CHECK(e.value == 19.99);
  CHECK(e.node == "n1");
  CHECK(e.ts_us == f.now_us);

  auto again = f.Call("POST", "/v1/conversions", body);
  CHECK(again.status == 200);
  CHECK(again.body.find(R"("status":"duplicate")") != std::string::npos);
  CHECK(f.recorded.size() == 1);
}

TEST_CASE("NDJSON conversions: every key kind, a bad line writes nothing",
          "[redirector][conversions]") {
  AdminFixture f;
  Setup(f);
  std::string coupon = CouponOf(f, "codeB001");
  std::string body =
      R"({"click_id":"7cqQaSbtMvt00000000000","kind":"purchase","value":5,"currency":"EUR","order_id":"o-1"})"
      "\n"
      R"({"campaign":"spring","recipient":"r-2","kind":"signup"})"
      "\n\n" +
      std::string(R"({"coupon":")") + coupon +
      R"(","kind":"purchase","value":1,"currency":"USD"})" +
      "\n"
      R"({"code":"codeB001","kind":"review","order_id":"o-1"})"
      "\n";
  auto r = f.Call("POST", "/v1/conversions", body);
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/x-ndjson");
  CHECK(r.body.find(R"("status":"duplicate")") != std::string::npos);  // o-1 again, line 5
  CHECK(r.body.find(R"("line":5)") != std::string::npos);
  REQUIRE(f.recorded.size() == 3);
  CHECK(f.recorded[0].click_id == "7cqQaSbtMvt00000000000");
  CHECK(f.recorded[0].campaign.empty());  // resolved by the report
  CHECK(f.recorded[1].recipient == "r-2");
  CHECK(f.recorded[2].coupon == coupon);
  CHECK(f.recorded[2].code == "codeB001");
  CHECK(f.recorded[2].variant == "B");

  for (const char* bad :
       {R"({"code":"codeA001","kind":"refund"})",
        R"({"code":"codeA001","kind":"purchase","value":-1,"currency":"USD"})",
        R"({"code":"codeA001","kind":"purchase","value":3,"currency":"usd"})",
        R"({"code":"codeA001","kind":"purchase","value":3})",
        R"({"code":"codeA001","click_id":"7cqQaSbtMvt00000000000","kind":"signup"})",
        R"({"kind":"signup"})", R"({"campaign":"spring","kind":"signup"})",
        R"({"click_id":"short","kind":"signup"})", R"({"code":"nope0001","kind":"signup"})",
        R"({"coupon":"NOPE-0000","kind":"signup"})",
        R"({"campaign":"autumn","recipient":"r-1","kind":"signup"})",
        R"({"code":"codeA001","kind":"signup","ts":"2030-01-01T00:00:00Z"})",
        R"({"code":"codeA001","kind":"signup","order_id":"has space"})",
        R"({"code":"codeA001","kind":"signup","colour":"red"})",
        R"({"code":"codeA001","kind":"signup")"}) {
    size_t before = f.recorded.size();
    auto bad_r = f.Call("POST", "/v1/conversions",
                        std::string(R"({"code":"codeA001","kind":"signup"})") + "\n" + bad);
    INFO(bad);
    CHECK(bad_r.status == 400);
    CHECK(bad_r.body.find("line 2: ") != std::string::npos);
    CHECK(f.recorded.size() == before);
  }
}

TEST_CASE("A failed event-log write answers 503 and records no order id",
          "[redirector][conversions]") {
  AdminFixture f;
  Setup(f);
  const char* body =
      R"({"code":"codeA001","kind":"purchase","value":2,"currency":"USD","order_id":"o-9"})";
  f.fail_writes = true;
  CHECK(f.Call("POST", "/v1/conversions", body).status == 503);
  f.fail_writes = false;
  CHECK(f.Call("POST", "/v1/conversions", body).status == 201);  // the retry is not a duplicate
  CHECK(f.recorded.size() == 1);
}

TEST_CASE("100,000 NDJSON conversions in one request", "[redirector][conversions]") {
  AdminFixture f;
  Setup(f);
  std::string body;
  for (int i = 0; i < 100000; ++i) {
    body += R"({"code":"codeA001","kind":"purchase","value":1.5,"currency":"USD","order_id":"o-)" +
            std::to_string(i) + "\"}\n";
  }
  auto r = f.Call("POST", "/v1/conversions", body);
  CHECK(r.status == 200);
  CHECK(f.recorded.size() == 100000);
  CHECK(f.Call("POST", "/v1/conversions", body).status == 200);
  CHECK(f.recorded.size() == 100000);  // all duplicates the second time
}

TEST_CASE("A coupon is redeemed once, in any case, and reports its redemption",
          "[redirector][conversions][coupon]") {
  AdminFixture f;
  Setup(f);
  std::string coupon = CouponOf(f, "codeA001");
  std::string lower = coupon;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto info = f.Call("GET", "/v1/coupons/" + lower);
  CHECK(info.status == 200);
  CHECK(info.body.find(R"("redeemed_at":null)") != std::string::npos);
  auto r = f.Call("POST", "/v1/coupons/" + lower + "/redeem", R"({"value":3,"currency":"USD"})");
  CHECK(r.status == 201);
  REQUIRE(f.recorded.size() == 1);
  CHECK(f.recorded[0].kind == "redemption");
  CHECK(f.recorded[0].coupon == coupon);
  CHECK(f.recorded[0].variant == "A");
  CHECK(f.Call("POST", "/v1/coupons/" + coupon + "/redeem").status == 409);
  CHECK(f.recorded.size() == 1);
  CHECK(f.Call("GET", "/v1/coupons/" + coupon).body.find(R"("redeemed_at":null)") ==
        std::string::npos);
  CHECK(f.Call("POST", "/v1/coupons/NOPE-1234/redeem").status == 404);
  CHECK(f.Call("POST", "/v1/coupons/" + CouponOf(f, "codeB001") + "/redeem", R"({"kind":"x"})")
            .status == 400);
  CHECK(f.Call("POST", "/v1/coupons/" + coupon + "/redeem", "", "Bearer wrong").status == 401);
}

TEST_CASE("Shopify orders: verified, attributed by click id or coupon, once per order",
          "[redirector][conversions][shopify]") {
  AdminFixture f;
  Setup(f);
  std::string coupon = CouponOf(f, "codeB001");
  std::string by_click =
      R"({"id":820982911946154508,"email":"jon@example.com","total_price":"199.00",)"
      R"("currency":"USD","created_at":"2026-09-21T10:00:00-04:00",)"
      R"("landing_site":"/products/x?utm_source=sms&smsclid=7cqQaSbtMvt00000000000",)"
      R"("discount_codes":[],"test":false,"line_items":[{"id":1,"price":"199.00"}]})";
  std::string sig = redirector::ShopifyHmac(by_click, "shop-secret");
  const char* path = "/v1/webhooks/shopify/orders";
  // No bearer token: the HMAC is the authentication.
  CHECK(f.Call("POST", path, by_click, "", sig).status == 201);
  REQUIRE(f.recorded.size() == 1);
  CHECK(f.recorded[0].click_id == "7cqQaSbtMvt00000000000");
  CHECK(f.recorded[0].value == 199.0);
  CHECK(f.recorded[0].order_id == "shopify-820982911946154508");
  CHECK(f.recorded[0].ts_us == 1790000000LL * 1000000 - 800LL * 1000000);
  CHECK(f.Call("POST", path, by_click, "", sig).status == 200);  // Shopify's retry
  CHECK(f.recorded.size() == 1);

  std::string forged = by_click;
  forged.replace(forged.find("199.00"), 6, "999.00");
  CHECK(f.Call("POST", path, forged, "", sig).status == 401);
  CHECK(f.Call("POST", path, by_click, "", "").status == 401);
  CHECK(f.recorded.size() == 1);

  std::string by_coupon =
      R"({"id":2,"total_price":"20.50","currency":"EUR","landing_site":"/",)"
      R"("discount_codes":[{"code":"WELCOME10","amount":"2.00","type":"fixed_amount"},)"
      R"({"code":")" +
      coupon + R"(","amount":"5.00","type":"fixed_amount"}]})";
  CHECK(f.Call("POST", path, by_coupon, "", redirector::ShopifyHmac(by_coupon, "shop-secret"))
            .status == 201);
  REQUIRE(f.recorded.size() == 2);
  CHECK(f.recorded[1].coupon == coupon);
  CHECK(f.recorded[1].variant == "B");

  std::string unrelated = R"({"id":3,"total_price":"1.00","currency":"USD","landing_site":null})";
  auto ignored =
      f.Call("POST", path, unrelated, "", redirector::ShopifyHmac(unrelated, "shop-secret"));
  CHECK(ignored.status == 200);
  CHECK(ignored.body.find("ignored") != std::string::npos);
  CHECK(f.recorded.size() == 2);
}

TEST_CASE("Shopify HMAC matches RFC 4231's HMAC-SHA256 vector", "[redirector][shopify]") {
  CHECK(redirector::ShopifyHmac("what do ya want for nothing?", "Jefe") ==
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
  CHECK(redirector::VerifyShopifyHmac("what do ya want for nothing?",
                                      "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=", "Jefe"));
  CHECK_FALSE(redirector::VerifyShopifyHmac("x", "", ""));
  CHECK(redirector::QueryParam("/p?a=1&smsclid=xyz#f", "smsclid") == "xyz");
  CHECK_FALSE(redirector::QueryParam("/p?xsmsclid=1", "smsclid").has_value());
}
