#include "redirector/report/report.h"

#include <algorithm>
#include <functional>
#include <utility>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>

#include "store/string_view.h"

#include "redirector/report/code_table.h"

namespace redirector {

using store::AV;
namespace {

constexpr uint32_t kNone = 0xffffffff;

// One link: 20 bytes (28 with its code's fingerprint in the CodeTable).
struct LinkRec {
  uint32_t slot;     // index of its variant's counters
  uint32_t person;   // its recipient within the campaign (or the link itself, without one)
  uint32_t sent_at;  // Unix seconds, 0: unknown
  uint32_t human_clicks;
  bool coupon;
};

// A counted conversion (deduplicated, in the time range), waiting for Finish().
struct Conversion {
  uint32_t link = kNone;   // resolved link, or
  uint32_t click = kNone;  // the wanted click id it names (index into clicks_by_id's values)
  bool redemption = false;
  double value = 0;
  std::string currency;
  int64_t ts_us = 0;
};

std::string Key(std::string_view campaign, std::string_view second) {
  std::string k;
  k.reserve(campaign.size() + 1 + second.size());
  k.append(campaign).push_back('\0');
  k.append(second);
  return k;
}

// Order ids are kept as 128 bits of two independent hashes: a million ids in 32 MB instead of
// a million strings, with a chance of a false repeat far below 1e-20.
using Fingerprint = std::pair<uint64_t, uint64_t>;
Fingerprint FingerprintOf(std::string_view s) {
  return {absl::HashOf(AV(s)), std::hash<std::string_view>()(s)};
}

// Counts distinct (slot, person) pairs per slot.
std::vector<uint64_t> DistinctPerSlot(std::vector<std::pair<uint32_t, uint32_t>> pairs,
                                      size_t slots) {
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<uint64_t> n(slots);
  for (const auto& [slot, person] : pairs) ++n[slot];
  return n;
}

}  // namespace

// A click on its way through AddClick's prefetch pipeline: what counting it needs.
struct ReportBuilder::PendingClick {
  uint64_t fingerprint;     // of its code
  uint32_t wanted = kNone;  // index of its click id in clicks_by_id, if a conversion names it
  bool in_range;
  Verdict verdict;
  bool redirected;
};

namespace {
// Clicks go through AddClick in three steps, kStage apart: prefetch the code's slot, prefetch
// its entry, count it. Lookups are random over millions of links; overlapping their cache
// misses halves the time of a report.
constexpr size_t kStage = 8;
}  // namespace

struct ReportBuilder::State {
  std::vector<PendingClick> pipeline;  // ring of 2 * kStage
  uint64_t clicks_in = 0;

  ReportOptions options;
  Report report;
  std::vector<store::Campaign> campaigns;
  absl::flat_hash_map<std::string, size_t> campaign_index;
  // Counters, one slot per campaign\0variant.
  std::vector<VariantReport> counters;
  std::vector<size_t> slot_campaign;  // slot → index in `campaigns`, or kNone
  absl::flat_hash_map<std::string, uint32_t> slot_of;
  // Links, interned.
  CodeTable<LinkRec> links;  // by code; a link's index is its place in links.entries()
  absl::flat_hash_map<std::string, uint32_t> person_of;  // campaign\0recipient → person
  std::vector<uint32_t> latest_link;  // person → their link sent last (conversions by recipient)
  // Conversions.
  std::vector<Conversion> conversions;
  absl::flat_hash_set<Fingerprint> order_ids;
  absl::flat_hash_set<std::string> redeemed;
  absl::flat_hash_map<std::string, uint32_t> clicks_by_id;  // wanted click id → index
  std::vector<uint32_t> click_links;                        // index → its link, or kNone

  bool InRange(int64_t ts) const { return ts >= options.from_us && ts < options.to_us; }

  uint32_t SlotOf(std::string_view campaign, std::string_view variant) {
    auto [it, added] = slot_of.try_emplace(Key(campaign, variant), counters.size());
    if (added) {
      counters.emplace_back();
      counters.back().variant = variant;
      auto c = campaign_index.find(AV(campaign));
      slot_campaign.push_back(c == campaign_index.end() ? kNone : c->second);
    }
    return it->second;
  }
};

ReportBuilder::ReportBuilder(ReportOptions options) : s_(std::make_unique<State>()) {
  s_->options = options;
  s_->report.options = options;
}
ReportBuilder::~ReportBuilder() = default;

void ReportBuilder::AddCampaign(const store::Campaign& c) {
  s_->campaign_index.emplace(c.id, s_->campaigns.size());
  s_->campaigns.push_back(c);
}

void ReportBuilder::AddLink(const store::Link& l) {
  State& s = *s_;
  uint32_t slot = s.SlotOf(l.campaign, l.variant);
  ++s.counters[slot].sent;
  bool added;
  auto index = static_cast<uint32_t>(s.links.size());
  LinkRec& rec = s.links.Intern(l.code, LinkRec{}, &added)->value;
  if (!added) return;  // a code is scanned once
  auto person = static_cast<uint32_t>(s.latest_link.size());
  if (!l.recipient.empty()) {
    person = s.person_of.try_emplace(Key(l.campaign, l.recipient), person).first->second;
  }
  if (person == s.latest_link.size()) {
    s.latest_link.push_back(index);
  } else if (l.sent_at > s.links.entries()[s.latest_link[person]].value.sent_at) {
    s.latest_link[person] = index;
  }
  rec = {slot, person, static_cast<uint32_t>(l.sent_at), 0, !l.coupon.empty()};
}

void ReportBuilder::AddConversion(const store::EventView& e) {
  State& s = *s_;
  // Repeats are dropped first, over the whole log, so a repeat inside the range of an order
  // first seen before it does not count.
  if (!e.order_id.empty() && !s.order_ids.insert(FingerprintOf(e.order_id)).second) {
    ++s.report.duplicates;
    return;
  }
  Conversion c;
  c.redemption = e.kind == "redemption";
  if (c.redemption && !e.coupon.empty() && !s.redeemed.emplace(e.coupon).second) {
    ++s.report.duplicates;
    return;
  }
  if (!s.InRange(e.ts_us)) return;
  c.value = e.value;
  c.currency = e.currency;
  c.ts_us = e.ts_us;
  if (!e.code.empty()) {
    auto* entry = s.links.Find(e.code);
    if (entry != nullptr) c.link = static_cast<uint32_t>(entry - s.links.entries().data());
  } else if (!e.click_id.empty()) {
    auto [it, added] = s.clicks_by_id.try_emplace(std::string(e.click_id), s.click_links.size());
    if (added) s.click_links.push_back(kNone);
    c.click = it->second;
  } else if (!e.recipient.empty()) {
    // A recipient with several links in the campaign: the latest message is the one answered.
    auto person = s.person_of.find(Key(e.campaign, e.recipient));
    if (person != s.person_of.end()) c.link = s.latest_link[person->second];
  }
  s.conversions.push_back(std::move(c));
}

void ReportBuilder::AddClick(const store::EventView& e, std::optional<Verdict> verdict) {
  State& s = *s_;
  constexpr size_t kRing = 2 * kStage;
  if (s.pipeline.empty()) s.pipeline.resize(kRing);
  PendingClick c;
  c.fingerprint = CodeFingerprint(e.code);
  if (!e.click_id.empty() && !s.clicks_by_id.empty()) {
    auto wanted = s.clicks_by_id.find(AV(e.click_id));
    if (wanted != s.clicks_by_id.end()) c.wanted = wanted->second;
  }
  c.in_range = s.InRange(e.ts_us);
  c.verdict = VerdictFromName(e.verdict);
  if (verdict) {
    s.report.reclassified = true;
    if (*verdict != c.verdict && c.in_range) ++s.report.verdicts_changed;
    c.verdict = *verdict;
  }
  c.redirected = e.status == 302;
  uint64_t n = s.clicks_in++;
  if (n >= kRing) CountClick(s.pipeline[n % kRing]);  // in cache by now
  if (n >= kStage) s.links.PrefetchEntry(s.pipeline[(n - kStage) % kRing].fingerprint);
  s.links.PrefetchSlot(c.fingerprint);
  s.pipeline[n % kRing] = c;
}

void ReportBuilder::CountClick(const PendingClick& c) {
  State& s = *s_;
  auto* entry = s.links.FindFingerprint(c.fingerprint);
  if (c.wanted != kNone && entry != nullptr) {
    s.click_links[c.wanted] = static_cast<uint32_t>(entry - s.links.entries().data());
  }
  if (!c.in_range) return;
  if (entry == nullptr) {
    ++s.report.unknown_hits;
    return;
  }
  LinkRec& l = entry->value;
  VariantReport& v = s.counters[l.slot];
  ++v.hits;
  switch (c.verdict) {
    case Verdict::kHuman:
      if (c.redirected) {
        ++v.human_clicks;
        ++l.human_clicks;
        if (l.coupon) ++v.coupon_views;
      }
      break;
    case Verdict::kPreview:
      ++v.previews;
      break;
    case Verdict::kScanner:
      ++v.scanners;
      break;
    case Verdict::kBot:
      ++v.bots;
      break;
  }
}

Report ReportBuilder::Finish() {
  State& s = *s_;
  // Count the clicks still in the pipeline.
  uint64_t n = s.clicks_in;
  for (uint64_t i = n > 2 * kStage ? n - 2 * kStage : 0; i < n; ++i) {
    CountClick(s.pipeline[i % (2 * kStage)]);
  }
  std::vector<std::pair<uint32_t, uint32_t>> clickers, converters;  // (slot, person)
  for (const auto& entry : s.links.entries()) {
    if (entry.value.human_clicks > 0) clickers.emplace_back(entry.value.slot, entry.value.person);
  }
  for (const Conversion& c : s.conversions) {
    uint32_t link = c.link != kNone ? c.link : c.click != kNone ? s.click_links[c.click] : kNone;
    size_t campaign = link == kNone ? kNone : s.slot_campaign[s.links.entries()[link].value.slot];
    if (campaign == kNone) {
      ++s.report.unattributed;
      continue;
    }
    const LinkRec& l = s.links.entries()[link].value;
    int64_t window = s.campaigns[campaign].attribution_window_seconds;
    int64_t sent_us = int64_t{l.sent_at} * 1000000;
    if (l.sent_at > 0 && (c.ts_us < sent_us || c.ts_us > sent_us + window * 1000000)) {
      ++s.report.outside_window;
      continue;
    }
    VariantReport& v = s.counters[l.slot];
    ++v.conversions;
    v.revenue += c.value;
    if (!c.currency.empty() && v.currency != c.currency) {
      v.currency = v.currency.empty() ? c.currency : "mixed";
    }
    if (c.redemption) ++v.redemptions;
    converters.emplace_back(l.slot, l.person);
  }
  std::vector<uint64_t> unique_clickers = DistinctPerSlot(std::move(clickers), s.counters.size());
  std::vector<uint64_t> converting = DistinctPerSlot(std::move(converters), s.counters.size());

  std::vector<size_t> order(s.campaigns.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return s.campaigns[a].id < s.campaigns[b].id; });
  for (size_t ci : order) {
    const store::Campaign& c = s.campaigns[ci];
    CampaignReport cr;
    cr.campaign = c.id;
    auto row = [&](const std::string& name) {
      uint32_t slot = s.SlotOf(c.id, name);
      if (slot >= unique_clickers.size()) {  // a variant without links
        unique_clickers.resize(slot + 1);
        converting.resize(slot + 1);
      }
      VariantReport v = s.counters[slot];
      v.unique_clickers = unique_clickers[slot];
      v.converters = converting[slot];
      if (v.sent > 0) {
        v.ctr = static_cast<double>(v.unique_clickers) / static_cast<double>(v.sent);
        v.cvr = static_cast<double>(v.converters) / static_cast<double>(v.sent);
      }
      return v;
    };
    std::vector<Arm> arms;
    for (const store::Variant& variant : c.variants) {
      cr.variants.push_back(row(variant.name));
      arms.push_back({variant.name, cr.variants.back().converters, cr.variants.back().sent});
    }
    // Links sent without a variant: their own row (variant ""), never an arm of the A/B test.
    // A campaign without variants has only this row.
    if (c.variants.empty() || s.slot_of.contains(Key(c.id, ""))) cr.variants.push_back(row(""));
    if (arms.size() >= 2) cr.ab = CompareArms(arms, s.options.min_sample, s.options.alpha);
    s.report.campaigns.push_back(std::move(cr));
  }
  return std::move(s.report);
}

}  // namespace redirector
