#include "redirector/classify/classify.h"

#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "testing/browser_hit.h"

using redirector::ClassifierConfig;
using redirector::Classify;
using redirector::HitFacts;
using redirector::HttpMethod;
using redirector::Verdict;

namespace {
using testing::kIphoneSafari;

HitFacts Browser(const char* ua = kIphoneSafari) { return testing::BrowserHit(ua); }

Verdict VerdictOf(const std::string& ua) {
  HitFacts h = Browser();
  h.user_agent = ua;
  return Classify(h, ClassifierConfig()).verdict;
}
}  // namespace

TEST_CASE("A phone browser tapping an hour later is a person", "[redirector][classify]") {
  auto c = Classify(Browser(), ClassifierConfig());
  CHECK(c.verdict == Verdict::kHuman);
  CHECK(c.reasons == 0);
}

TEST_CASE("Link previewers are previews", "[redirector][classify]") {
  auto ua = GENERATE(
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) "
      "Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
      "WhatsApp/2.23.20.0 A", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
      "TelegramBot (like TwitterBot)",
      "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
      "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "Twitterbot/1.0",
      "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
      "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 "
      "skype-url-preview@microsoft.com");
  CHECK(VerdictOf(ua) == Verdict::kPreview);
}

TEST_CASE("Crawlers and HTTP libraries are bots", "[redirector][classify]") {
  auto ua = GENERATE("curl/8.4.0", "python-requests/2.31.0", "Go-http-client/1.1",
                     "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                     "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                     "HeadlessChrome/120.0.0.0 Safari/537.36",
                     "okhttp/4.12.0", "Java/17.0.2", "");
  CHECK(VerdictOf(ua) == Verdict::kBot);
}

TEST_CASE("Security link scanners are scanners", "[redirector][classify]") {
  CHECK(VerdictOf("Google-Safety") == Verdict::kScanner);
  CHECK(VerdictOf("Barracuda Sentinel (EE)") == Verdict::kScanner);
}

TEST_CASE("In-app browsers are people", "[redirector][classify]") {
  auto ua = GENERATE(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Mobile/15E148 [FBAN/FBIOS;FBDV/iPhone14,2;FBMD/iPhone;FBSN/iOS;FBSV/16.6;FBSS/3;"
      "FBID/phone;FBLC/en_US;FBOP/5]",
      "Mozilla/5.0 (Linux; Android 13; SM-S901B Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
      "(KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 Instagram "
      "308.0.0.36.109 Android (33/13; 450dpi; 1080x2340; samsung; SM-S901B; r0s; s5e9925; en_US)",
      "Mozilla/5.0 (Linux; Android 12; moto g(60)) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 trill_310503 JsSdk/1.0 NetType/WIFI "
      "Channel/googleplay AppName/trill app_version/31.5.3 ByteLocale/en BytedanceWebview/d8a21c6",
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Mobile Safari/537.36",
      "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
      "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
      "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0");
  CHECK(VerdictOf(ua) == Verdict::kHuman);
}

TEST_CASE("HEAD and prefetch headers are not taps", "[redirector][classify]") {
  HitFacts h = Browser();
  SECTION("HEAD") {
    h.method = HttpMethod::kHead;
    auto c = Classify(h, ClassifierConfig());
    CHECK(c.verdict == Verdict::kPreview);
    CHECK(c.reasons & redirector::kReasonHeadRequest);
  }
  SECTION("Sec-Purpose: prefetch") {
    h.sec_purpose = "prefetch;prerender";
    CHECK(Classify(h, ClassifierConfig()).reasons & redirector::kReasonPrefetch);
  }
  SECTION("Purpose: Prefetch, any case") {
    h.purpose = "Prefetch";
    CHECK(Classify(h, ClassifierConfig()).verdict == Verdict::kPreview);
  }
  SECTION("X-Moz: prefetch") {
    h.x_moz = "prefetch";
    CHECK(Classify(h, ClassifierConfig()).verdict == Verdict::kPreview);
  }
  SECTION("X-Purpose: preview on an in-app browser") {
    h.user_agent =
        "Mozilla/5.0 (Linux; Android 13; wv) AppleWebKit/537.36 Chrome/119 Mobile Safari/537.36 "
        "[FB_IAB/FB4A;FBAV/440.0.0.0;]";
    h.x_purpose = "preview";
    auto c = Classify(h, ClassifierConfig());
    CHECK(c.verdict == Verdict::kPreview);
    CHECK(c.reasons & redirector::kReasonPreviewHeader);
  }
}

TEST_CASE("A hit right after the send is a scanner, threshold is configurable",
          "[redirector][classify]") {
  HitFacts h = Browser();
  h.seconds_since_sent = 1;
  auto c = Classify(h, ClassifierConfig());
  CHECK(c.verdict == Verdict::kScanner);
  CHECK(c.reasons & redirector::kReasonTooSoon);
  h.seconds_since_sent = 45;
  CHECK(Classify(h, ClassifierConfig()).verdict == Verdict::kHuman);
  ClassifierConfig strict;
  strict.too_soon_seconds = 60;
  CHECK(Classify(h, strict).verdict == Verdict::kScanner);
  h.seconds_since_sent = -1;  // unknown send time: no timing signal
  CHECK(Classify(h, strict).verdict == Verdict::kHuman);
}

TEST_CASE("A browser UA with neither Accept nor Accept-Language is a bot",
          "[redirector][classify]") {
  HitFacts h = Browser();
  h.has_accept = false;
  CHECK(Classify(h, ClassifierConfig()).verdict == Verdict::kHuman);  // one missing is weak
  h.has_accept_language = false;
  auto c = Classify(h, ClassifierConfig());
  CHECK(c.verdict == Verdict::kBot);
  CHECK(c.reasons & redirector::kReasonNoBrowserHeaders);
}

TEST_CASE("Every reason bit has a distinct name", "[redirector][classify]") {
  std::set<std::string_view> names;
  for (int i = 0; i < redirector::kReasonCount; ++i) {
    auto name = redirector::ReasonName(static_cast<redirector::Reason>(1u << i));
    CHECK(name != "unknown");
    names.insert(name);
  }
  CHECK(names.size() == static_cast<size_t>(redirector::kReasonCount));
}
