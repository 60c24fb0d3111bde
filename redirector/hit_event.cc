#include "redirector/hit_event.h"

#include "redirector/classify.h"
#include "redirector/request_facts.h"

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
}  // namespace

void HitToEvent(const HitRecord& hit, std::string_view node, store::Event* out) {
  out->type = store::log::RecordType::kClick;
  out->ts_us = hit.ts_us;
  out->node.assign(node);
  out->code.assign(hit.code, hit.code_len);
  if (hit.link != nullptr && hit.campaign != nullptr) {
    out->campaign = hit.campaign->id;
    uint8_t v = hit.link->variant_index();
    if (v < hit.campaign->variants.size()) {
      out->variant = hit.campaign->variants[v].name;
    } else {
      out->variant.clear();
    }
    out->recipient.assign(hit.link->recipient());
  } else {
    out->campaign.clear();
    out->variant.clear();
    out->recipient.clear();
  }
  out->click_id.assign(hit.click_id, hit.click_id_len);
  out->verdict.assign(VerdictName(static_cast<Verdict>(hit.verdict)));
  out->reasons.clear();
  for (int i = 0; i < kReasonCount; ++i) {
    auto bit = static_cast<Reason>(1u << i);
    if (hit.reasons & bit) out->reasons.emplace_back(ReasonName(bit));
  }
  out->method.assign(MethodName(hit.method));
  out->ip.assign(hit.ip, hit.ip_len);
  out->ua.assign(hit.ua());
  out->status = hit.status;
  out->seconds_since_sent = hit.seconds_since_sent;
  out->classifier = kClassifierVersion;
  out->signals.clear();
  for (int i = 0; i < kSignalCount; ++i) {
    if (hit.signals & (1u << i)) out->signals.emplace_back(SignalName(i));
  }
  out->kind.clear();
  out->value = 0;
  out->currency.clear();
  out->order_id.clear();
}

}  // namespace redirector
