// Tests of the small pure pieces: CIDR matching, click ids, serve flags, JSON model.
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "redirector/cidr.h"
#include "redirector/click_id.h"
#include "redirector/json_model.h"
#include "redirector/serve_options.h"

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

TEST_CASE("Click ids are unique per worker and across nodes", "[redirector][clickid]") {
  redirector::ClickIdGenerator a("edge-1", 1790000000000, 0);
  redirector::ClickIdGenerator b("edge-1", 1790000000000, 1);
  redirector::ClickIdGenerator c("edge-2", 1790000000000, 0);
  redirector::ClickIdGenerator d("edge-1", 1790000000001, 0);  // a restart
  std::set<std::string> seen;
  char buf[redirector::kClickIdLength];
  for (auto* g : {&a, &b, &c, &d}) {
    for (int i = 0; i < 10000; ++i) {
      g->Next(buf);
      std::string id(buf, sizeof(buf));
      for (char ch : id) REQUIRE(std::isalnum(static_cast<unsigned char>(ch)));
      seen.insert(id);
    }
  }
  CHECK(seen.size() == 40000);
}

TEST_CASE("HOST:PORT parsing", "[redirector][options]") {
  std::string host;
  uint16_t port = 0;
  REQUIRE(redirector::ParseHostPort("127.0.0.1:8080", &host, &port).ok());
  CHECK(host == "127.0.0.1");
  CHECK(port == 8080);
  REQUIRE(redirector::ParseHostPort("[::1]:0", &host, &port).ok());
  CHECK(host == "::1");
  CHECK(port == 0);
  CHECK_FALSE(redirector::ParseHostPort("127.0.0.1", &host, &port).ok());
  CHECK_FALSE(redirector::ParseHostPort("127.0.0.1:99999", &host, &port).ok());
  CHECK_FALSE(redirector::ParseHostPort(":80", &host, &port).ok());
}

TEST_CASE("Serve options: defaults, the token rule, bad values", "[redirector][options]") {
  redirector::ServeOptions o;
  auto r = redirector::ResolveServeOptions(o, nullptr);
  REQUIRE(r.ok());
  CHECK(r->server.port == 8080);
  CHECK(r->admin.port == 8081);
  CHECK(r->log.dir == "redirector-data/events");
  CHECK(r->server.threads >= 1);
  o.admin_listen = "0.0.0.0:8081";
  auto refused = redirector::ResolveServeOptions(o, nullptr);
  CHECK_FALSE(refused.ok());
  CHECK(refused.status().message().find("token") != std::string::npos);
  CHECK(redirector::ResolveServeOptions(o, "s3cret").ok());
  redirector::ServeOptions bad_sync;
  bad_sync.sync = "sometimes";
  auto sync_error = redirector::ResolveServeOptions(bad_sync, nullptr);
  REQUIRE_FALSE(sync_error.ok());
  CHECK(sync_error.status().message() ==
        "--sync must be always, interval or none, got 'sometimes'");
  CHECK(r->server.io == redirector::IoEngine::kAuto);
  redirector::ServeOptions io;
  io.io = "epoll";
  CHECK(redirector::ResolveServeOptions(io, nullptr)->server.io == redirector::IoEngine::kEpoll);
  io.io = "io_uring";
  CHECK(redirector::ResolveServeOptions(io, nullptr)->server.io == redirector::IoEngine::kUring);
  io.io = "uring";
  auto io_error = redirector::ResolveServeOptions(io, nullptr);
  REQUIRE_FALSE(io_error.ok());
  CHECK(io_error.status().message() == "--io must be auto, io_uring or epoll, got 'uring'");
  redirector::ServeOptions bad_proxy;
  bad_proxy.trusted_proxies = {"10.0.0.0/99"};
  CHECK_FALSE(redirector::ResolveServeOptions(bad_proxy, nullptr).ok());
}

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
