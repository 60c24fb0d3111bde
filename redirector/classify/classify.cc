#include "redirector/classify/classify.h"

#include "redirector/base/ascii.h"
#include "redirector/classify/classifier_data.h"
#include "redirector/classify/ua_cache.h"
#include "redirector/classify/ua_tokens.h"

namespace redirector {
namespace {

bool HasGroup(uint64_t groups, UaGroup g) { return (groups >> g) & 1; }

}  // namespace

Classification Classify(const HitFacts& hit, const ClassifierConfig& config,
                        UaGroupCache* ua_cache) {
  const ClassifierData& data = config.data ? *config.data : BuiltinClassifierData();
  uint32_t reasons = 0;
  std::string_view ua = hit.user_agent;
  if (ua.empty() || ua == "-") {
    reasons |= kReasonUaEmpty;
  } else {
    uint64_t g = ua_cache != nullptr ? ua_cache->Match(data.ua, ua) : data.ua.Match(ua);
    bool in_app = HasGroup(g, kUaGroupInApp);
    if (HasGroup(g, kUaGroupPreview)) reasons |= kReasonUaPreview;
    if (HasGroup(g, kUaGroupScanner)) reasons |= kReasonUaScanner;
    bool browser = HasGroup(g, kUaGroupBrowser);
    if (HasGroup(g, kUaGroupBot) ||
        (HasGroup(g, kUaGroupUrl) && !in_app && !HasGroup(g, kUaGroupHumanQuirk))) {
      reasons |= kReasonUaBot;
    }
    if (HasGroup(g, kUaGroupNativePreviewApp) && !browser) reasons |= kReasonUaPreview;
    if (in_app) reasons |= kReasonInApp;
    if (!browser && !in_app) reasons |= kReasonUaNotBrowser;
  }
  if (hit.method == HttpMethod::kHead) reasons |= kReasonHeadRequest;
  if (StartsWithNoCase(hit.purpose, "prefetch") || StartsWithNoCase(hit.sec_purpose, "prefetch") ||
      StartsWithNoCase(hit.x_moz, "prefetch") || StartsWithNoCase(hit.x_purpose, "prefetch")) {
    reasons |= kReasonPrefetch;
  }
  if (StartsWithNoCase(hit.x_purpose, "preview")) reasons |= kReasonPreviewHeader;
  if (!hit.has_accept && !hit.has_accept_language) reasons |= kReasonNoBrowserHeaders;
  if (hit.seconds_since_sent >= 0 && hit.seconds_since_sent < config.too_soon_seconds) {
    reasons |= kReasonTooSoon;
  }
  if (hit.client != nullptr && data.networks.size() > 0) {
    if (auto kind = data.networks.Find(*hit.client)) {
      reasons |= *kind == NetworkKind::kCrawler   ? kReasonNetworkCrawler
                 : *kind == NetworkKind::kScanner ? kReasonNetworkScanner
                                                  : kReasonNetworkPreview;
    }
  }

  Verdict v = Verdict::kHuman;
  if (reasons & (kReasonUaPreview | kReasonPrefetch | kReasonPreviewHeader | kReasonHeadRequest |
                 kReasonNetworkPreview)) {
    v = Verdict::kPreview;
  } else if (reasons & (kReasonUaScanner | kReasonTooSoon | kReasonNetworkScanner)) {
    v = Verdict::kScanner;
  } else if (reasons & (kReasonUaBot | kReasonUaEmpty | kReasonUaNotBrowser |
                        kReasonNoBrowserHeaders | kReasonNetworkCrawler)) {
    v = Verdict::kBot;
  }
  return {v, reasons};
}

void AddSweepReason(Classification* c, Reason reason) {
  c->reasons |= reason;
  if (c->verdict == Verdict::kHuman || c->verdict == Verdict::kBot) c->verdict = Verdict::kScanner;
}

Verdict VerdictFromName(std::string_view name) {
  for (Verdict v : {Verdict::kHuman, Verdict::kPreview, Verdict::kScanner}) {
    if (name == VerdictName(v)) return v;
  }
  return Verdict::kBot;
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kHuman:
      return "human";
    case Verdict::kPreview:
      return "preview";
    case Verdict::kScanner:
      return "scanner";
    case Verdict::kBot:
      return "bot";
  }
  return "human";
}

std::string_view ReasonName(Reason r) {
  switch (r) {
    case kReasonUaPreview:
      return "ua_preview";
    case kReasonUaScanner:
      return "ua_scanner";
    case kReasonUaBot:
      return "ua_bot";
    case kReasonUaEmpty:
      return "ua_empty";
    case kReasonUaNotBrowser:
      return "ua_not_browser";
    case kReasonHeadRequest:
      return "head_request";
    case kReasonPrefetch:
      return "prefetch_header";
    case kReasonPreviewHeader:
      return "preview_header";
    case kReasonNoBrowserHeaders:
      return "no_browser_headers";
    case kReasonTooSoon:
      return "too_soon_after_send";
    case kReasonInApp:
      return "in_app_browser";
    case kReasonNetworkCrawler:
      return "network_crawler";
    case kReasonNetworkScanner:
      return "network_scanner";
    case kReasonNetworkPreview:
      return "network_preview";
    case kReasonSweep:
      return "sweep";
  }
  return "unknown";
}

}  // namespace redirector
