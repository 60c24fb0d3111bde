#include "redirector/report/report.h"

#include <catch2/catch.hpp>

#include "redirector/report/code_table.h"
#include "redirector/report/report_format.h"

using redirector::Report;
using redirector::ReportBuilder;
using store::Event;

namespace {

constexpr int64_t kSent = 1790000000;         // Unix seconds
constexpr int64_t kSentUs = kSent * 1000000;  // the links' sent_at, in µs
constexpr int64_t kHour = 3600LL * 1000000;

Event Click(std::string code, std::string variant, std::string recipient, std::string verdict,
            int64_t ts, std::string click_id = "") {
  Event e;
  e.type = store::log::RecordType::kClick;
  e.campaign = code == "zz" ? "" : "spring";  // zz: a code that is no link
  e.code = std::move(code);
  e.variant = std::move(variant);
  e.recipient = std::move(recipient);
  e.verdict = std::move(verdict);
  e.status = 302;
  e.ts_us = ts;
  e.click_id = std::move(click_id);
  return e;
}

Event Conversion(int64_t ts, double value, std::string order_id) {
  Event e;
  e.type = store::log::RecordType::kConversion;
  e.kind = "purchase";
  e.value = value;
  e.currency = "USD";
  e.order_id = std::move(order_id);
  e.ts_us = ts;
  return e;
}

// Feeds the builder: campaign spring (A, B; 24 h window), links a1 a2 (A, r-1 r-2), b1 (B, r-3,
// with a coupon), then the events.
// The builder reads views of encoded events, as `redirector report` does.
void Add(ReportBuilder& b, const Event& e, store::log::RecordType pass) {
  if (e.type != pass) return;
  std::string payload;
  store::EncodeEvent(e, &payload);
  store::EventView v;
  REQUIRE(store::DecodeEventView(e.type, store::kEventVersion, 1, payload, &v));
  if (pass == store::log::RecordType::kConversion) {
    b.AddConversion(v);
  } else {
    b.AddClick(v);
  }
}

Report Build(const std::vector<Event>& events, redirector::ReportOptions options = {}) {
  ReportBuilder b(options);
  store::Campaign c;
  c.id = "spring";
  c.variants = {{"A", ""}, {"B", ""}};
  c.attribution_window_seconds = 24 * 3600;
  b.AddCampaign(c);
  auto link = [&](std::string code, std::string variant, std::string recipient,
                  std::string coupon = "") {
    store::Link l;
    l.code = std::move(code);
    l.campaign = "spring";
    l.variant = std::move(variant);
    l.recipient = std::move(recipient);
    l.sent_at = kSent;
    l.coupon = std::move(coupon);
    b.AddLink(l);
  };
  link("a1", "A", "r-1");
  link("a2", "A", "r-2");
  link("b1", "B", "r-3", "SPRING-XYZ1");
  for (const Event& e : events) Add(b, e, store::log::RecordType::kConversion);
  for (const Event& e : events) Add(b, e, store::log::RecordType::kClick);
  return b.Finish();
}

}  // namespace

TEST_CASE("Report counts clicks by verdict and people once", "[redirector][report]") {
  Report r = Build({Click("a1", "A", "r-1", "human", kSentUs + kHour),
                    Click("a1", "A", "r-1", "human", kSentUs + 2 * kHour),  // repeat tap
                    Click("a2", "A", "r-2", "preview", kSentUs + 1),
                    Click("b1", "B", "r-3", "scanner", kSentUs + 2),
                    Click("b1", "B", "r-3", "human", kSentUs + kHour),
                    Click("zz", "", "", "bot", kSentUs)});
  REQUIRE(r.campaigns.size() == 1);
  const auto& a = r.campaigns[0].variants[0];
  const auto& b = r.campaigns[0].variants[1];
  CHECK(a.sent == 2);
  CHECK(a.hits == 3);
  CHECK(a.human_clicks == 2);
  CHECK(a.unique_clickers == 1);
  CHECK(a.previews == 1);
  CHECK(a.ctr == 0.5);
  CHECK(b.scanners == 1);
  CHECK(b.coupon_views == 1);
  CHECK(r.unknown_hits == 1);
}

TEST_CASE("Conversions: attributed by every key, once per order, inside the window",
          "[redirector][report]") {
  Event by_click = Conversion(kSentUs + 3 * kHour, 10, "o-1");
  by_click.click_id = "click-of-a1";
  Event repeat = by_click;  // a retried webhook
  Event by_code = Conversion(kSentUs + 4 * kHour, 5, "o-2");
  by_code.code = "b1";
  Event by_recipient = Conversion(kSentUs + 5 * kHour, 7, "o-3");
  by_recipient.campaign = "spring";
  by_recipient.recipient = "r-2";
  Event late = Conversion(kSentUs + 25 * kHour, 100, "o-4");
  late.code = "a2";
  Event unknown = Conversion(kSentUs + kHour, 1, "o-5");
  unknown.click_id = "never-clicked";
  // The conversion comes before its click in the log: the report still finds it.
  Report r = Build({by_click, repeat, by_code, by_recipient, late, unknown,
                    Click("a1", "A", "r-1", "human", kSentUs + kHour, "click-of-a1")});
  const auto& a = r.campaigns[0].variants[0];
  const auto& b = r.campaigns[0].variants[1];
  CHECK(a.conversions == 2);
  CHECK(a.converters == 2);
  CHECK(a.revenue == 17);
  CHECK(a.currency == "USD");
  CHECK(a.cvr == 1.0);
  CHECK(b.conversions == 1);
  CHECK(b.revenue == 5);
  CHECK(r.duplicates == 1);
  CHECK(r.outside_window == 1);
  CHECK(r.unattributed == 1);

  redirector::ReportOptions window;
  window.from_us = kSentUs + 4 * kHour;
  window.to_us = kSentUs + 5 * kHour;  // exclusive: o-3 is out
  Report ranged = Build({by_click, by_code, by_recipient}, window);
  CHECK(ranged.campaigns[0].variants[0].conversions == 0);
  CHECK(ranged.campaigns[0].variants[1].conversions == 1);

  std::string json = redirector::ReportToJson(r);
  CHECK(json.find(R"("variant":"A","sent":2,"hits":1,"human_clicks":1,"unique_clickers":1)") !=
        std::string::npos);
  CHECK(json.find(R"("revenue":17,"currency":"USD")") != std::string::npos);
  CHECK(redirector::ReportToCsv(r).find("spring,B,1,0,0,0,0,0,0,0,1,1,0,5,USD,0,1,") !=
        std::string::npos);
  CHECK(redirector::ReportToTable(r).find("1 unattributed, 1 outside") != std::string::npos);
}

TEST_CASE("CodeTable interns codes to dense indexes and finds them after growing",
          "[redirector][report]") {
  redirector::CodeTable<int> t;
  bool added = false;
  for (int i = 0; i < 100000; ++i) {
    auto* e = t.Intern("code" + std::to_string(i), i, &added);
    REQUIRE(added);
    REQUIRE(e - t.entries().data() == i);
  }
  CHECK(t.Intern("code7", -1, &added)->value == 7);
  CHECK_FALSE(added);
  for (int i = 0; i < 100000; i += 997) CHECK(t.Find("code" + std::to_string(i))->value == i);
  CHECK(t.Find("nope") == nullptr);
  CHECK(t.size() == 100000);
}

TEST_CASE("Clicks beyond the prefetch pipeline's depth are all counted", "[redirector][report]") {
  std::vector<Event> events;
  for (int i = 0; i < 1000; ++i) {
    events.push_back(
        Click(i % 3 == 2 ? "b1" : (i % 3 ? "a2" : "a1"), "", "", "human", kSentUs + kHour));
  }
  events.push_back(Click("zz", "", "", "bot", kSentUs + kHour));
  Report r = Build(events);
  CHECK(r.campaigns[0].variants[0].human_clicks == 667);
  CHECK(r.campaigns[0].variants[0].unique_clickers == 2);
  CHECK(r.campaigns[0].variants[1].human_clicks == 333);
  CHECK(r.unknown_hits == 1);
}

TEST_CASE("Links sent without a variant get their own row, outside the A/B test",
          "[redirector][report]") {
  ReportBuilder b({});
  store::Campaign c;
  c.id = "spring";
  c.variants = {{"A", ""}, {"B", ""}};
  b.AddCampaign(c);
  for (auto [code, variant] : {std::pair{"a1", "A"}, {"b1", "B"}, {"n1", ""}, {"n2", ""}}) {
    store::Link l;
    l.code = code;
    l.campaign = "spring";
    l.variant = variant;
    l.recipient = std::string("r-") + code;
    l.sent_at = kSent;
    b.AddLink(l);
  }
  for (const Event& e : {Click("n1", "", "r-n1", "human", kSentUs + kHour),
                         Click("n2", "", "r-n2", "scanner", kSentUs + 1),
                         Click("a1", "A", "r-a1", "human", kSentUs + kHour)}) {
    Add(b, e, store::log::RecordType::kClick);
  }
  Report r = b.Finish();
  REQUIRE(r.campaigns[0].variants.size() == 3);
  const auto& none = r.campaigns[0].variants[2];
  CHECK(none.variant.empty());
  CHECK(none.sent == 2);
  CHECK(none.hits == 2);
  CHECK(none.human_clicks == 1);
  CHECK(none.scanners == 1);
  REQUIRE(r.campaigns[0].ab.has_value());
  REQUIRE(r.campaigns[0].ab->comparisons.size() == 1);  // B against A only
  CHECK(r.campaigns[0].ab->comparisons[0].variant == "B");
  CHECK(redirector::ReportToCsv(r).find("\nspring,,2,2,1,") != std::string::npos);
}
