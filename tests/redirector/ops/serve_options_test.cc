#include "redirector/ops/serve_options.h"

#include <string>

#include <catch2/catch.hpp>

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
