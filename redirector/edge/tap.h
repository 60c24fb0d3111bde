#pragma once
// HandleTap: the redirect path from parsed request to outcome, in one straight line:
//   route → resolve (LinkTable) → classify → click id → Location.
// No I/O, no lock, no allocation: the clock reading and the click-id generator are passed in,
// the Location is written into a caller-owned buffer. The connection shell turns the outcome
// into response bytes and a HitRecord.

#include <cstdint>
#include <span>
#include <string_view>

#include "store/link_table.h"

#include "redirector/classify/classify.h"
#include "redirector/classify/request_facts.h"
#include "redirector/classify/sweep_detector.h"
#include "redirector/model/click_id.h"

namespace redirector {

enum class TapStatus : uint16_t {
  kHealth = 200,
  kRedirect = 302,
  kBadRequest = 400,
  kNotFound = 404,
  kMethodNotAllowed = 405,
  kGone = 410,
};

struct TapOutcome {
  TapStatus status = TapStatus::kNotFound;
  std::string_view code;                      // view into the request target
  std::string_view location;                  // view into the caller's buffer (302 only)
  const store::LinkEntry* link = nullptr;     // set when the code resolved
  const store::Campaign* campaign = nullptr;  // set when the code resolved
  Classification classification;
  int64_t seconds_since_sent = -1;
  char click_id[kClickIdLength];
  bool has_click_id = false;
  // True when the hit is worth an event (everything but health checks).
  bool record = true;
};

struct TapContext {
  const store::LinkTable* table;
  const ClassifierConfig* classifier;
  ClickIdGenerator* click_ids;
  int64_t now_s;                     // Unix seconds
  const Ip16* client = nullptr;      // the client's address, for the classifier's network lists
  SweepDetector* sweeps = nullptr;   // inline sweep detection (shared by the workers), or none
  UaGroupCache* ua_cache = nullptr;  // the worker's user-agent match cache, or none
};

TapOutcome HandleTap(const RequestFacts& request, const TapContext& ctx,
                     std::span<char> location_buffer);

}  // namespace redirector
