#include "redirector/report.h"

#include <algorithm>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

namespace redirector {
namespace {

struct LinkInfo {
  std::string code;
  std::string campaign;
  std::string variant;
  std::string recipient;
  int64_t sent_at = 0;  // Unix seconds
};

std::string Key(std::string_view campaign, std::string_view second) {
  std::string k;
  k.reserve(campaign.size() + 1 + second.size());
  k.append(campaign).push_back('\0');
  k.append(second);
  return k;
}

// Who converted or clicked: the recipient, or the link when it has none.
std::string PersonOf(std::string_view recipient, std::string_view code) {
  std::string person = recipient.empty() ? "code:" : "r:";
  person.append(recipient.empty() ? code : recipient);
  return person;
}

}  // namespace

struct ReportBuilder::State {
  ReportOptions options;
  Report report;
  // Pass 1.
  std::vector<store::Event> conversions;  // counted ones: deduplicated, in the time range
  absl::flat_hash_set<std::string> order_ids, redeemed;
  absl::flat_hash_map<std::string, std::string> click_codes;  // wanted click id → its code
  // Pass 2: counters per campaign\0variant; human clicks per code.
  absl::flat_hash_map<std::string, VariantReport> variants;
  absl::flat_hash_map<std::string, uint32_t> human_by_code;
  // Links: what conversions need, and the people behind the clicks.
  absl::flat_hash_map<std::string, LinkInfo> links_by_code;       // wanted codes
  absl::flat_hash_map<std::string, LinkInfo> links_by_recipient;  // wanted campaign\0recipient
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> clickers, converters;
  std::vector<store::Campaign> campaigns;

  bool InRange(int64_t ts) const { return ts >= options.from_us && ts < options.to_us; }
  VariantReport& Counters(std::string_view campaign, std::string_view variant) {
    return variants[Key(campaign, variant)];
  }
};

ReportBuilder::ReportBuilder(ReportOptions options) : s_(std::make_unique<State>()) {
  s_->options = options;
  s_->report.options = options;
}
ReportBuilder::~ReportBuilder() = default;

void ReportBuilder::AddConversion(const store::Event& e) {
  // Repeats are dropped first, over the whole log, so a repeat inside the range of an order
  // first seen before it does not count.
  if (!e.order_id.empty() && !s_->order_ids.insert(e.order_id).second) {
    ++s_->report.duplicates;
    return;
  }
  if (e.kind == "redemption" && !e.coupon.empty() && !s_->redeemed.insert(e.coupon).second) {
    ++s_->report.duplicates;
    return;
  }
  if (!s_->InRange(e.ts_us)) return;
  if (!e.click_id.empty()) s_->click_codes.emplace(e.click_id, std::string());
  if (!e.code.empty()) s_->links_by_code.emplace(e.code, LinkInfo{});
  if (e.code.empty() && e.click_id.empty() && !e.recipient.empty()) {
    s_->links_by_recipient.emplace(Key(e.campaign, e.recipient), LinkInfo{});
  }
  s_->conversions.push_back(e);
}

void ReportBuilder::AddClick(const store::Event& e) {
  if (!e.click_id.empty()) {
    auto wanted = s_->click_codes.find(e.click_id);
    if (wanted != s_->click_codes.end()) {
      wanted->second = e.code;
      s_->links_by_code.emplace(e.code, LinkInfo{});
    }
  }
  if (!s_->InRange(e.ts_us)) return;
  if (e.campaign.empty()) {
    ++s_->report.unknown_hits;
    return;
  }
  VariantReport& v = s_->Counters(e.campaign, e.variant);
  ++v.hits;
  if (e.verdict == "human") {
    if (e.status == 302) {
      ++v.human_clicks;
      ++s_->human_by_code[e.code];
    }
  } else if (e.verdict == "preview") {
    ++v.previews;
  } else if (e.verdict == "scanner") {
    ++v.scanners;
  } else {
    ++v.bots;
  }
}

void ReportBuilder::AddCampaign(const store::Campaign& c) { s_->campaigns.push_back(c); }

void ReportBuilder::AddLink(const store::Link& l) {
  VariantReport& v = s_->Counters(l.campaign, l.variant);
  ++v.sent;
  if (auto it = s_->human_by_code.find(l.code); it != s_->human_by_code.end()) {
    s_->clickers[Key(l.campaign, l.variant)].insert(PersonOf(l.recipient, l.code));
    if (!l.coupon.empty()) v.coupon_views += it->second;
  }
  LinkInfo info{l.code, l.campaign, l.variant, l.recipient, l.sent_at};
  if (auto it = s_->links_by_code.find(l.code); it != s_->links_by_code.end()) it->second = info;
  if (!l.recipient.empty()) {
    auto it = s_->links_by_recipient.find(Key(l.campaign, l.recipient));
    // A recipient with several links in one campaign: the latest message is the one answered.
    if (it != s_->links_by_recipient.end() &&
        (it->second.code.empty() || l.sent_at > it->second.sent_at)) {
      it->second = info;
    }
  }
}

Report ReportBuilder::Finish() {
  State& s = *s_;
  absl::flat_hash_map<std::string, int64_t> windows;
  for (const store::Campaign& c : s.campaigns) windows[c.id] = c.attribution_window_seconds;
  for (const store::Event& e : s.conversions) {
    const LinkInfo* link = nullptr;
    std::string code = e.code;
    if (code.empty() && !e.click_id.empty()) code = s.click_codes[e.click_id];
    if (!code.empty()) {
      auto it = s.links_by_code.find(code);
      if (it != s.links_by_code.end() && !it->second.code.empty()) link = &it->second;
    } else if (!e.recipient.empty()) {
      auto it = s.links_by_recipient.find(Key(e.campaign, e.recipient));
      if (it != s.links_by_recipient.end() && !it->second.code.empty()) link = &it->second;
    }
    auto window = link ? windows.find(link->campaign) : windows.end();
    if (window == windows.end()) {
      ++s.report.unattributed;
      continue;
    }
    if (link->sent_at > 0 && (e.ts_us < link->sent_at * 1000000 ||
                              e.ts_us > (link->sent_at + window->second) * 1000000)) {
      ++s.report.outside_window;
      continue;
    }
    VariantReport& v = s.Counters(link->campaign, link->variant);
    ++v.conversions;
    v.revenue += e.value;
    if (!e.currency.empty() && v.currency != e.currency) {
      v.currency = v.currency.empty() ? e.currency : "mixed";
    }
    if (e.kind == "redemption") ++v.redemptions;
    s.converters[Key(link->campaign, link->variant)].insert(PersonOf(link->recipient, link->code));
  }

  std::sort(s.campaigns.begin(), s.campaigns.end(),
            [](const store::Campaign& a, const store::Campaign& b) { return a.id < b.id; });
  for (const store::Campaign& c : s.campaigns) {
    CampaignReport cr;
    cr.campaign = c.id;
    std::vector<std::string> names;
    for (const store::Variant& v : c.variants) names.push_back(v.name);
    if (names.empty()) names.push_back("");
    std::vector<Arm> arms;
    for (const std::string& name : names) {
      std::string key = Key(c.id, name);
      VariantReport v = s.variants[key];
      v.variant = name;
      v.unique_clickers = s.clickers[key].size();
      v.converters = s.converters[key].size();
      if (v.sent > 0) {
        v.ctr = static_cast<double>(v.unique_clickers) / static_cast<double>(v.sent);
        v.cvr = static_cast<double>(v.converters) / static_cast<double>(v.sent);
      }
      arms.push_back({name, v.converters, v.sent});
      cr.variants.push_back(std::move(v));
    }
    if (arms.size() >= 2) cr.ab = CompareArms(arms, s.options.min_sample, s.options.alpha);
    s.report.campaigns.push_back(std::move(cr));
  }
  return std::move(s.report);
}

}  // namespace redirector
