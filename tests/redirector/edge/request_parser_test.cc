#include "redirector/edge/request_parser.h"

#include <string>

#include <boost/beast/http/error.hpp>
#include <catch2/catch.hpp>

using redirector::HttpMethod;
using redirector::RequestParser;

namespace {
struct Parsed {
  boost::beast::error_code ec;
  size_t used = 0;
  bool done = false;
};

Parsed Parse(RequestParser& p, const std::string& bytes) {
  Parsed r;
  r.used = p.Feed(bytes.data(), bytes.size(), r.ec);
  r.done = p.is_done();
  return r;
}
}  // namespace

TEST_CASE("The parser keeps views of the fields the classifier reads", "[redirector][parser]") {
  std::string req =
      "GET /aB3xK9qZ?x=1 HTTP/1.1\r\nHost: s.example\r\nUser-Agent: WhatsApp/2\r\n"
      "Accept: */*\r\nSec-Purpose: prefetch\r\nX-Purpose: preview\r\nX-Moz: prefetch\r\n"
      "Purpose: prefetch\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n";
  RequestParser p(RequestParser::Limits{});
  auto r = Parse(p, req);
  REQUIRE_FALSE(r.ec);
  REQUIRE(r.done);
  CHECK(r.used == req.size());
  const auto& f = p.facts();
  CHECK(f.method == HttpMethod::kGet);
  CHECK(f.target == "/aB3xK9qZ?x=1");
  CHECK(f.user_agent == "WhatsApp/2");
  CHECK(f.has_accept);
  CHECK_FALSE(f.has_accept_language);
  CHECK(f.sec_purpose == "prefetch");
  CHECK(f.x_purpose == "preview");
  CHECK(f.x_moz == "prefetch");
  CHECK(f.purpose == "prefetch");
  CHECK(f.x_forwarded_for == "203.0.113.9");
  CHECK(f.keep_alive);
}

TEST_CASE("HTTP/1.0 and Connection: close end keep-alive", "[redirector][parser]") {
  RequestParser a(RequestParser::Limits{});
  REQUIRE(Parse(a, "GET /x HTTP/1.0\r\n\r\n").done);
  CHECK_FALSE(a.facts().keep_alive);
  RequestParser b(RequestParser::Limits{});
  REQUIRE(Parse(b, "HEAD /x HTTP/1.1\r\nConnection: close\r\n\r\n").done);
  CHECK_FALSE(b.facts().keep_alive);
  CHECK(b.facts().method == HttpMethod::kHead);
}

TEST_CASE("An incomplete request asks for more", "[redirector][parser]") {
  RequestParser p(RequestParser::Limits{});
  auto r = Parse(p, "GET /x HTTP/1.1\r\nUser-Agent: a");
  CHECK(r.ec == boost::beast::http::error::need_more);
}

TEST_CASE("Headers over the limit are refused", "[redirector][parser]") {
  RequestParser p(RequestParser::Limits{1024, 2048, 64});
  std::string req = "GET /x HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n";
  CHECK(Parse(p, req).ec == boost::beast::http::error::header_limit);
}

TEST_CASE("Bodies, smuggling shapes and garbage are errors", "[redirector][parser]") {
  auto bad = GENERATE(
      std::string("GET /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"),
      std::string("GET /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
      std::string("GET /x HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n"),
      std::string(
          "GET /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
      std::string("GET /x HTTP/1.1\r\nX-A: a\r\n folded\r\n\r\n"),
      std::string("GET /x HTTP/9.9\r\n\r\n"), std::string("GET /x\r\n\r\n"),
      std::string("\x01\x02\x03 garbage\r\n\r\n"),
      [] {
        const char s[] = "GET /x HTTP/1.1\r\nX-A: a\0b\r\n\r\n";
        return std::string(s, sizeof(s) - 1);
      }(),
      std::string("GET /x y HTTP/1.1\r\n\r\n"));
  INFO(bad);
  RequestParser p(RequestParser::Limits{});
  auto r = Parse(p, bad);
  CHECK(r.ec);
  CHECK(r.ec != boost::beast::http::error::need_more);
}

TEST_CASE("A target over the limit is refused and says so", "[redirector][parser]") {
  RequestParser p(RequestParser::Limits{8192, 64, 64});
  auto r = Parse(p, "GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n");
  CHECK(r.ec);
  CHECK(p.target_too_long());
  RequestParser ok(RequestParser::Limits{8192, 64, 64});
  CHECK(Parse(ok, "GET /" + std::string(60, 'a') + " HTTP/1.1\r\n\r\n").done);
}

TEST_CASE("More header fields than the limit are refused", "[redirector][parser]") {
  std::string req = "GET /x HTTP/1.1\r\n";
  for (int i = 0; i < 10; ++i) req += "X-" + std::to_string(i) + ": v\r\n";
  req += "\r\n";
  RequestParser tight(RequestParser::Limits{8192, 2048, 9});
  CHECK(Parse(tight, req).ec == boost::beast::http::error::header_limit);
  RequestParser loose(RequestParser::Limits{8192, 2048, 10});
  CHECK(Parse(loose, req).done);
}
