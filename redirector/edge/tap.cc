#include "redirector/edge/tap.h"

#include "redirector/edge/redirect_url.h"

namespace redirector {
namespace {

// The code of a target "/<code>[?query]"; empty if the path is not a plausible code.
std::string_view CodeOf(std::string_view target) {
  if (target.empty() || target[0] != '/') return {};
  target.remove_prefix(1);
  target = target.substr(0, target.find_first_of("?#"));
  if (target.size() > store::kMaxCodeLength) return {};
  for (char c : target) {
    if (!store::IsCodeChar(c)) return {};
  }
  return target;
}

}  // namespace

TapOutcome HandleTap(const RequestFacts& request, const TapContext& ctx,
                     std::span<char> location_buffer) {
  TapOutcome out;
  if (request.target == "/healthz") {
    out.status = TapStatus::kHealth;
    out.record = false;
    return out;
  }
  if (request.target.empty() || request.target[0] != '/') {
    out.status = TapStatus::kBadRequest;
    return out;
  }
  out.code = CodeOf(request.target);
  const store::LinkEntry* link = out.code.empty() ? nullptr : ctx.table->Find(out.code);
  bool sweeps = ctx.sweeps != nullptr && ctx.client != nullptr && ctx.classifier->sweep_codes > 0;
  if (link != nullptr) {
    if (sweeps) ctx.sweeps->Prefetch(*ctx.client, link->campaign_slot());
    out.link = link;
    out.campaign = ctx.table->CampaignOf(*link);
    if (link->sent_at() > 0 && ctx.now_s >= link->sent_at()) {
      out.seconds_since_sent = ctx.now_s - link->sent_at();
    }
  }
  HitFacts facts = ToHitFacts(request, out.seconds_since_sent);
  facts.client = ctx.client;
  out.classification = Classify(facts, *ctx.classifier, ctx.ua_cache);
  const ClassifierConfig& config = *ctx.classifier;
  if (link != nullptr && sweeps &&
      ctx.sweeps->Observe(*ctx.client, link->campaign_slot(), out.code, ctx.now_s,
                          config.sweep_codes, config.sweep_window_s)) {
    AddSweepReason(&out.classification, kReasonSweep);
  }

  if (request.method == HttpMethod::kOther) {
    out.status = TapStatus::kMethodNotAllowed;
  } else if (link == nullptr || out.campaign == nullptr) {
    out.status = TapStatus::kNotFound;
  } else if (link->disabled() || (link->expires_at() > 0 && ctx.now_s >= link->expires_at())) {
    out.status = TapStatus::kGone;
  } else {
    ctx.click_ids->Next(out.click_id);
    out.has_click_id = true;
    size_t n = BuildLocation(DestinationOf(*link, *out.campaign), *out.campaign,
                             std::string_view(out.click_id, kClickIdLength), location_buffer);
    if (n == 0) {  // cannot happen with validated destinations; answer safely anyway
      out.status = TapStatus::kNotFound;
      out.has_click_id = false;
    } else {
      out.status = TapStatus::kRedirect;
      out.location = std::string_view(location_buffer.data(), n);
    }
  }
  return out;
}

}  // namespace redirector
