#include "redirector/events/hit_event.h"

#include "store/coding.h"

#include "redirector/classify/classify.h"
#include "redirector/classify/request_facts.h"

namespace redirector {
namespace {
std::string_view MethodName(uint8_t m) {
  switch (static_cast<HttpMethod>(m)) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kHead:
      return "HEAD";
    case HttpMethod::kOther:
      return "OTHER";
  }
  return "OTHER";
}

// Appends name(i) for each bit i (below `count`) set in `bits` to `lists`, length-prefixed as an
// encoded list's strings; returns how many.
template <typename Name>
uint64_t PutBitNames(uint32_t bits, int count, Name name, std::string* lists) {
  uint64_t n = 0;
  for (int i = 0; i < count; ++i) {
    if (bits & (1u << i)) {
      store::PutLengthPrefixed(lists, name(i));
      ++n;
    }
  }
  return n;
}
}  // namespace

void HitToEventView(const HitRecord& hit, std::string_view node, std::string* lists,
                    store::EventView* out) {
  *out = store::EventView();
  out->type = store::log::RecordType::kClick;
  out->ts_us = hit.ts_us;
  out->node = node;
  out->code = std::string_view(hit.code, hit.code_len);
  if (hit.link != nullptr && hit.campaign != nullptr) {
    out->campaign = hit.campaign->id;
    uint8_t v = hit.link->variant_index();
    if (v < hit.campaign->variants.size()) out->variant = hit.campaign->variants[v].name;
    out->recipient = hit.link->recipient();
  }
  out->click_id = std::string_view(hit.click_id, hit.click_id_len);
  out->verdict = VerdictName(static_cast<Verdict>(hit.verdict));
  lists->clear();
  uint64_t reasons = PutBitNames(
      hit.reasons, kReasonCount, [](int i) { return ReasonName(static_cast<Reason>(1u << i)); },
      lists);
  size_t reasons_end = lists->size();
  uint64_t signals = PutBitNames(hit.signals, kSignalCount, SignalName, lists);
  out->reasons = {reasons, std::string_view(*lists).substr(0, reasons_end)};
  out->signals = {signals, std::string_view(*lists).substr(reasons_end)};
  out->method = MethodName(hit.method);
  out->ip = std::string_view(hit.ip, hit.ip_len);
  out->ua = hit.ua();
  out->status = hit.status;
  out->seconds_since_sent = hit.seconds_since_sent;
  out->classifier = kClassifierVersion;
}

}  // namespace redirector
