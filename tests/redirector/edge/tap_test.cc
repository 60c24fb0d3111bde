#include "redirector/edge/tap.h"

#include <string>

#include <catch2/catch.hpp>

#include "redirector/edge/redirect_url.h"

#include "testing/temp_dir.h"

using redirector::HttpMethod;
using redirector::RequestFacts;
using redirector::TapStatus;

namespace {

class TapFixture {
 public:
  TapFixture() : click_ids_("node-a", 1790000000000, 0) {
    auto t = store::LinkTable::Open(dir_.Sub("links"));
    REQUIRE(t.ok());
    table_ = std::move(*t);
    store::Campaign c;
    c.id = "spring";
    c.destination = "https://shop.example/s";
    c.utm = {{"source", "sms"}};
    c.variants = {{"A", ""}, {"B", "https://shop.example/b?k=v#f"}};
    REQUIRE(table_->CreateCampaign(c).ok());
    std::vector<store::Link> links(4);
    links[0] = {"liveA01", "spring", "A", "r-1", kSent, 0, "", "", false};
    links[1] = {"liveB01", "spring", "B", "r-2", kSent, 0, "", "", false};
    links[2] = {"expired", "spring", "A", "r-3", kSent, kSent + 100, "", "", false};
    links[3] = {"disable", "spring", "A", "r-4", kSent, 0, "", "", false};
    REQUIRE(table_->CreateLinks(&links).ok());
    REQUIRE(table_->DisableLink("disable").ok());
  }

  redirector::TapOutcome Tap(std::string target, HttpMethod method = HttpMethod::kGet,
                             int64_t now = kSent + 3600) {
    target_ = std::move(target);
    RequestFacts req;
    req.method = method;
    req.target = target_;
    req.user_agent =
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120 Mobile "
        "Safari/537.36";
    req.has_accept = req.has_accept_language = true;
    redirector::TapContext ctx{table_.get(), &config_, &click_ids_, now};
    return redirector::HandleTap(req, ctx, std::span<char>(location_, sizeof(location_)));
  }

  static constexpr int64_t kSent = 1790000000;

 private:
  testing::TempDir dir_;
  std::unique_ptr<store::LinkTable> table_;
  redirector::ClassifierConfig config_;
  redirector::ClickIdGenerator click_ids_;
  std::string target_;
  char location_[redirector::kMaxLocation];
};

}  // namespace

TEST_CASE("A known code redirects to its variant's destination with UTM and click id",
          "[redirector][tap]") {
  TapFixture f;
  auto a = f.Tap("/liveA01");
  REQUIRE(a.status == TapStatus::kRedirect);
  std::string click(a.click_id, redirector::kClickIdLength);
  CHECK(std::string(a.location) == "https://shop.example/s?utm_source=sms&smsclid=" + click);
  CHECK(a.seconds_since_sent == 3600);
  CHECK(a.classification.verdict == redirector::Verdict::kHuman);
  auto b = f.Tap("/liveB01?from=sms");
  REQUIRE(b.status == TapStatus::kRedirect);
  std::string click_b(b.click_id, redirector::kClickIdLength);
  CHECK(std::string(b.location) ==
        "https://shop.example/b?k=v&utm_source=sms&smsclid=" + click_b + "#f");
  CHECK(click != click_b);
  CHECK(b.code == "liveB01");
}

TEST_CASE("Unknown, expired, disabled, bad method and health", "[redirector][tap]") {
  TapFixture f;
  CHECK(f.Tap("/nosuchcode").status == TapStatus::kNotFound);
  CHECK(f.Tap("/").status == TapStatus::kNotFound);
  CHECK(f.Tap("/../../etc/passwd").status == TapStatus::kNotFound);
  CHECK(f.Tap("/" + std::string(40, 'a')).status == TapStatus::kNotFound);
  CHECK(f.Tap("/expired").status == TapStatus::kGone);
  CHECK(f.Tap("/expired", HttpMethod::kGet, TapFixture::kSent + 50).status == TapStatus::kRedirect);
  CHECK(f.Tap("/disable").status == TapStatus::kGone);
  CHECK(f.Tap("/liveA01", HttpMethod::kOther).status == TapStatus::kMethodNotAllowed);
  CHECK(f.Tap("http://evil.example/liveA01").status == TapStatus::kBadRequest);
  auto h = f.Tap("/healthz");
  CHECK(h.status == TapStatus::kHealth);
  CHECK_FALSE(h.record);
}

TEST_CASE("HEAD still gets its redirect but is not a click", "[redirector][tap]") {
  TapFixture f;
  auto h = f.Tap("/liveA01", HttpMethod::kHead);
  CHECK(h.status == TapStatus::kRedirect);
  CHECK(h.classification.verdict == redirector::Verdict::kPreview);
}
