// Counts heap allocations on the redirect path after warm-up: parse → HandleTap → response bytes
// → HitRecord into the ring. The socket calls around it are the only part not covered here.
// This binary replaces the global operator new, so it is its own executable.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include <catch2/catch.hpp>

#include "redirector/edge/redirect_url.h"
#include "redirector/edge/request_parser.h"
#include "redirector/edge/response_writer.h"
#include "redirector/edge/tap.h"
#include "redirector/events/hit_record.h"
#include "redirector/events/spsc_ring.h"

#include "testing/counting_new.h"
#include "testing/temp_dir.h"

TEST_CASE("The redirect path allocates nothing per tap in steady state", "[redirector][alloc]") {
  testing::TempDir dir;
  auto table = store::LinkTable::Open(dir.Sub("links"));
  REQUIRE(table.ok());
  store::Campaign c;
  c.id = "spring";
  c.destination = "https://shop.example/s?x=1#top";
  c.utm = {{"source", "sms"}, {"medium", "sms"}, {"campaign", "spring"}};
  c.variants = {{"A", ""}, {"B", "https://shop.example/b"}};
  REQUIRE((*table)->CreateCampaign(c).ok());
  std::vector<store::Link> links = {
      {"liveA01", "spring", "A", "r-1", 1790000000, 0, "", "", false},
      {"liveB01", "spring", "B", "r-2", 1790000000, 0, "", "", false}};
  REQUIRE((*table)->CreateLinks(&links).ok());

  const std::string requests[] = {
      "GET /liveA01 HTTP/1.1\r\nHost: s.example\r\nUser-Agent: Mozilla/5.0 (iPhone; CPU iPhone "
      "OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
      "Mobile/15E148 Safari/604.1\r\nAccept: text/html\r\nAccept-Language: en-US\r\n\r\n",
      "HEAD /liveB01 HTTP/1.1\r\nUser-Agent: WhatsApp/2.23\r\n\r\n",
      "GET /unknown1 HTTP/1.1\r\nUser-Agent: curl/8\r\n\r\n"};
  redirector::ClassifierConfig config;
  redirector::ClickIdGenerator ids("node", 1790000000000, 0);
  redirector::DateCache dates;
  redirector::SpscRing<redirector::HitRecord> ring(64 * 1024, redirector::HitRecord::kMaxUa);
  std::optional<redirector::RequestParser> parser;
  char location[redirector::kMaxLocation];
  char out[16384];

  auto tap = [&](const std::string& bytes, int64_t now) {
    parser.emplace(redirector::RequestParser::Limits{});
    boost::beast::error_code ec;
    parser->Feed(bytes.data(), bytes.size(), ec);
    REQUIRE_FALSE(ec);
    const auto& req = parser->facts();
    redirector::TapContext ctx{table->get(), &config, &ids, now};
    auto outcome = redirector::HandleTap(req, ctx, std::span<char>(location, sizeof(location)));
    size_t n = redirector::WriteTapResponse(outcome, false, true, dates.Get(now),
                                            std::span<char>(out, sizeof(out)), 0);
    REQUIRE(n > 0);
    redirector::HitRecord* hit = ring.Reserve(redirector::HitRecord::UaBytes(req.user_agent));
    REQUIRE(hit != nullptr);
    hit->SetUa(req.user_agent);
    redirector::HitRecord::Copy(outcome.code, hit->code, &hit->code_len);
    hit->link = outcome.link;
    ring.Commit();
    ring.Pop();
  };

  for (int i = 0; i < 100; ++i) tap(requests[i % 3], 1790003600 + i);  // warm-up
  long before = testing::AllocationCount();
  for (int i = 0; i < 30000; ++i) tap(requests[i % 3], 1790003700 + i / 100);
  long after = testing::AllocationCount();
  CHECK(after - before == 0);
}
