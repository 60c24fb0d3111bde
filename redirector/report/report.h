#pragma once
// Reports: clicks by people, conversions, revenue and the A/B verdict per campaign and
// variant, from the event log and the link database. Pure: the caller feeds links and events
// (report_command.cc does the reading) in this order, because a conversion may name a click id
// whose click comes later in the log:
//
//   ReportBuilder b(options);
//   for each campaign, then each link:     b.AddCampaign(c) / b.AddLink(l);
//   for each conversion event in the log:  b.AddConversion(e);   // log pass 1
//   for each click event in the log:       b.AddClick(e);        // log pass 2
//   Report r = b.Finish();
//
// Cost: one hash lookup per click (its code); memory per link, not per event.
//
// What counts (redirector/cli/COMMANDS.md, "report"):
// - hits: every request for one of the campaign's links; previews, scanners, bots: hits with
//   that verdict; human_clicks: human hits answered 302; unique_clickers: recipients (links,
//   when a link has no recipient) with at least one human click; coupon_views: human clicks on
//   links that carry a coupon.
// - A conversion is attributed to a link by its click id (through that click), code, coupon, or
//   campaign + recipient; it counts when its time lies within the campaign's attribution
//   window after the link's sent_at (links without sent_at: any time). A repeated order id
//   counts once (the first in the log), a coupon's redemption once. Conversions that match no
//   link are `unattributed`; those outside the window `outside_window`.
// - conversions, revenue (summed as given: `currency` says which, or "mixed"), redemptions;
//   converters: recipients with a counted conversion; ctr = unique_clickers / sent,
//   cvr = converters / sent.
// - --from/--to select events by their time (from inclusive, to exclusive); `sent` counts every
//   link of the variant. Hits on codes the link scan did not see (no such link, or one made
//   after the scan) are `unknown_hits`.

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/event.h"
#include "store/link.h"

#include "redirector/classify/classify.h"
#include "redirector/report/ab_test.h"

namespace redirector {

struct ReportOptions {
  int64_t from_us = std::numeric_limits<int64_t>::min();
  int64_t to_us = std::numeric_limits<int64_t>::max();
  uint64_t min_sample = 100;  // sent per variant before a winner may be named
  double alpha = 0.05;
};

struct VariantReport {
  std::string variant;  // empty: a campaign without variants
  uint64_t sent = 0;
  uint64_t hits = 0;
  uint64_t human_clicks = 0;
  uint64_t unique_clickers = 0;
  uint64_t previews = 0;
  uint64_t scanners = 0;
  uint64_t bots = 0;
  uint64_t coupon_views = 0;
  uint64_t conversions = 0;
  uint64_t converters = 0;
  uint64_t redemptions = 0;
  double revenue = 0;
  std::string currency;  // "" none, "USD", or "mixed"
  double ctr = 0;
  double cvr = 0;
};

struct CampaignReport {
  std::string campaign;
  std::vector<VariantReport> variants;  // in the campaign's order; the first is the control
  std::optional<AbResult> ab;           // with two variants or more
};

struct Report {
  std::vector<CampaignReport> campaigns;  // by id
  uint64_t unattributed = 0;              // conversions that match no link
  uint64_t outside_window = 0;            // conversions after the attribution window
  uint64_t duplicates = 0;                // repeated order ids and redemptions, not counted
  uint64_t unknown_hits = 0;              // hits on codes that are no link
  bool reclassified = false;              // verdicts re-judged (report --reclassify)
  uint64_t verdicts_changed = 0;          // hits whose verdict differs from the stored one
  ReportOptions options;
};

class ReportBuilder {
 public:
  explicit ReportBuilder(ReportOptions options);
  ~ReportBuilder();
  ReportBuilder(const ReportBuilder&) = delete;
  ReportBuilder& operator=(const ReportBuilder&) = delete;

  void AddConversion(const store::EventView& e);
  // `verdict`: the verdict to count (report --reclassify); none: the stored one.
  void AddClick(const store::EventView& e, std::optional<Verdict> verdict = std::nullopt);
  void AddCampaign(const store::Campaign& c);
  void AddLink(const store::Link& l);
  Report Finish();

 private:
  struct State;
  struct PendingClick;
  void CountClick(const PendingClick& c);
  std::unique_ptr<State> s_;
};

}  // namespace redirector
