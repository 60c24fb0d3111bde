#pragma once
// The ghost-click classifier: a pure function from what a hit looked like to a verdict and the
// reasons behind it. No I/O, no clock, no allocation: the caller passes the time since the
// link was sent. `redirector classify` and the daemon call the same Classify().
//
// Verdicts, strongest first: preview (link unfurlers and prefetches a person caused, not a
// tap), scanner (carrier and security link scanners, machines reacting to delivery), bot
// (crawlers, HTTP libraries, other automation), human. Every reason that fired is kept, even
// when a stronger one decided the verdict.

#include <cstdint>
#include <memory>
#include <string_view>

#include "redirector/classify/cidr.h"

namespace redirector {

enum class Verdict : uint8_t { kHuman = 0, kPreview = 1, kScanner = 2, kBot = 3 };

// Reason bits. Names (ReasonName) are part of the event contract: add, never rename.
enum Reason : uint32_t {
  kReasonUaPreview = 1u << 0,         // user agent of a link previewer / unfurler
  kReasonUaScanner = 1u << 1,         // user agent of a security or carrier link scanner
  kReasonUaBot = 1u << 2,             // crawler, monitor, headless browser, HTTP library
  kReasonUaEmpty = 1u << 3,           // no user agent at all
  kReasonUaNotBrowser = 1u << 4,      // a user agent no browser sends
  kReasonHeadRequest = 1u << 5,       // HEAD: fetches metadata, never a tap
  kReasonPrefetch = 1u << 6,          // Purpose / Sec-Purpose / X-Moz: prefetch
  kReasonPreviewHeader = 1u << 7,     // X-Purpose: preview (Safari Top Sites, FB in-app prefetch)
  kReasonNoBrowserHeaders = 1u << 8,  // neither Accept nor Accept-Language
  kReasonTooSoon = 1u << 9,           // within the threshold after the message was sent
  kReasonInApp = 1u << 10,            // an in-app browser (a person), informational
  kReasonNetworkCrawler = 1u << 11,   // client address in a published crawler range
  kReasonNetworkScanner = 1u << 12,   // client address in a listed scanner range (ops' files)
  kReasonNetworkPreview = 1u << 13,   // client address in a listed previewer range (ops' files)
  kReasonSweep = 1u << 14,            // this address swept many codes of the campaign (behaviour)
};
inline constexpr int kReasonCount = 15;

enum class HttpMethod : uint8_t { kGet, kHead, kOther };

// What the classifier reads of a hit. Views are borrowed for the call only.
struct HitFacts {
  HttpMethod method = HttpMethod::kGet;
  std::string_view user_agent;
  bool has_accept = false;
  bool has_accept_language = false;
  std::string_view purpose;         // Purpose
  std::string_view sec_purpose;     // Sec-Purpose
  std::string_view x_purpose;       // X-Purpose
  std::string_view x_moz;           // X-Moz
  int64_t seconds_since_sent = -1;  // -1: unknown (no sent time, or the clock is behind)
  const Ip16* client = nullptr;     // the client's address (after trusted X-Forwarded-For)
};

struct ClassifierData;  // classifier_data.h
class UaGroupCache;     // ua_cache.h

struct ClassifierConfig {
  // A hit sooner than this after the send is a machine reacting to delivery. Published scanner
  // audits see them "within 5 seconds of delivery"; people take longer to open and tap.
  int64_t too_soon_seconds = 5;
  // Tokens and networks: the built-in data when null (LoadClassifierData for ops' files).
  std::shared_ptr<const ClassifierData> data;
  // Inline sweep detection (sweep_detector.h, applied by the tap handler, not by Classify):
  // this many different codes of one campaign from one address within sweep_window_s make the
  // hit that crosses it a scanner. 0: off.
  uint32_t sweep_codes = 10;
  int64_t sweep_window_s = 10;
};

struct Classification {
  Verdict verdict = Verdict::kHuman;
  uint32_t reasons = 0;  // Reason bits
};

// `ua_cache` (optional, the caller's thread's): remembers user-agent matches (ua_cache.h).
Classification Classify(const HitFacts& hit, const ClassifierConfig& config,
                        UaGroupCache* ua_cache = nullptr);
// A behaviour signal found outside Classify (a sweep): adds `reason`, and a hit that looked
// human or like a plain bot becomes a scanner (a preview stays a preview).
void AddSweepReason(Classification* c, Reason reason);

std::string_view VerdictName(Verdict v);
// The inverse of VerdictName; an unknown name is kBot (what the classifier gives the unknown).
Verdict VerdictFromName(std::string_view name);
// The name of a single reason bit, e.g. "ua_preview".
std::string_view ReasonName(Reason r);

// The classifier's version, stored with every event so history can be reclassified.
// 2: address ranges (network_* reasons), tokens read from data files.
inline constexpr int kClassifierVersion = 2;

}  // namespace redirector
