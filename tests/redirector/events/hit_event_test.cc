#include "redirector/events/hit_event.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "store/link_table.h"

#include "redirector/classify/classify.h"
#include "redirector/classify/request_facts.h"
#include "redirector/events/spsc_ring.h"

#include "testing/temp_dir.h"

namespace {

constexpr std::string_view kAgent =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

// A hit in a ring, as the redirect path leaves it; `link` null for an unknown code.
redirector::HitRecord* MakeHit(redirector::SpscRing<redirector::HitRecord>* ring,
                               const store::LinkEntry* link, const store::Campaign* campaign) {
  redirector::HitRecord* hit = ring->Reserve(redirector::HitRecord::UaBytes(kAgent));
  REQUIRE(hit != nullptr);
  hit->ts_us = 1790000123456789;
  hit->seconds_since_sent = 4321;
  hit->link = link;
  hit->campaign = campaign;
  hit->reasons = redirector::kReasonInApp | redirector::kReasonTooSoon;
  hit->status = 302;
  hit->verdict = static_cast<uint8_t>(redirector::Verdict::kPreview);
  hit->method = static_cast<uint8_t>(redirector::HttpMethod::kHead);
  hit->signals = 0b101;
  redirector::HitRecord::Copy(std::string_view("liveB01"), hit->code, &hit->code_len);
  redirector::HitRecord::Copy(std::string_view("3Qxe0ilnkjj5sg3BRekn5M"), hit->click_id,
                              &hit->click_id_len);
  redirector::HitRecord::Copy(std::string_view("203.0.113.9"), hit->ip, &hit->ip_len);
  hit->SetUa(kAgent);
  ring->Commit();
  return hit;
}

store::Event Decoded(const std::string& payload) {
  auto e = store::DecodeEvent(store::log::RecordType::kClick, store::kEventVersion, 7, payload);
  REQUIRE(e.has_value());
  return *e;
}

}  // namespace

TEST_CASE("a hit encodes through its view into the event the log keeps", "[hit_event]") {
  testing::TempDir dir;
  auto table = store::LinkTable::Open(dir.Sub("links"));
  REQUIRE(table.ok());
  store::Campaign c;
  c.id = "spring";
  c.destination = "https://shop.example/s";
  c.variants = {{"A", ""}, {"B", "https://shop.example/b"}};
  REQUIRE((*table)->CreateCampaign(c).ok());
  std::vector<store::Link> links = {
      {"liveB01", "spring", "B", "r-2", 1790000000, 0, "", "", false}};
  REQUIRE((*table)->CreateLinks(&links).ok());
  const store::LinkEntry* link = (*table)->Find("liveB01");
  REQUIRE(link != nullptr);

  redirector::SpscRing<redirector::HitRecord> ring(64 * 1024, redirector::HitRecord::kMaxUa);
  store::EventView view;
  std::string lists = "left over from the last hit";
  std::string payload;
  redirector::HitToEventView(*MakeHit(&ring, link, (*table)->CampaignOf(*link)), "edge-1", &lists,
                             &view);
  store::EncodeEvent(view, &payload);
  store::Event e = Decoded(payload);
  CHECK(e.type == store::log::RecordType::kClick);
  CHECK(e.seq == 7);
  CHECK(e.ts_us == 1790000123456789);
  CHECK(e.node == "edge-1");
  CHECK(e.code == "liveB01");
  CHECK(e.campaign == "spring");
  CHECK(e.variant == "B");
  CHECK(e.recipient == "r-2");
  CHECK(e.click_id == "3Qxe0ilnkjj5sg3BRekn5M");
  CHECK(e.verdict == "preview");
  CHECK(e.reasons ==
        std::vector<std::string>{std::string(redirector::ReasonName(redirector::kReasonTooSoon)),
                                 std::string(redirector::ReasonName(redirector::kReasonInApp))});
  CHECK(e.method == "HEAD");
  CHECK(e.ip == "203.0.113.9");
  CHECK(e.ua == kAgent);
  CHECK(e.status == 302);
  CHECK(e.seconds_since_sent == 4321);
  CHECK(e.classifier == redirector::kClassifierVersion);
  CHECK(e.signals == std::vector<std::string>{std::string(redirector::SignalName(0)),
                                              std::string(redirector::SignalName(2))});
  CHECK(e.kind.empty());
  CHECK(e.value == 0);
  CHECK(e.currency.empty());
  CHECK(e.order_id.empty());
  CHECK(e.coupon.empty());

  // The Event form is the same encoder: re-encoding what was decoded gives the same bytes.
  std::string again;
  store::EncodeEvent(e, &again);
  CHECK(again == payload);

  SECTION("an unknown code's hit names no campaign, variant or recipient") {
    ring.Pop();
    redirector::HitToEventView(*MakeHit(&ring, nullptr, nullptr), "edge-1", &lists, &view);
    payload.clear();
    store::EncodeEvent(view, &payload);
    store::Event unknown = Decoded(payload);
    CHECK(unknown.code == "liveB01");
    CHECK(unknown.campaign.empty());
    CHECK(unknown.variant.empty());
    CHECK(unknown.recipient.empty());
    CHECK(unknown.ua == kAgent);
  }
}
