#include "redirector/report/report_format.h"

#include <charconv>
#include <cmath>
#include <limits>

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <boost/json.hpp>

#include "store/string_view.h"

#include "redirector/model/json_model.h"

namespace redirector {

using store::AV;
namespace {

// Shortest text that reads back as the same double ("19.99", "0.25", "1e-12"), after rounding
// to `decimals` places when given (money sums carry float noise: 24.990000000000002).
std::string Number(double v, int decimals = -1) {
  if (!std::isfinite(v)) return "null";
  if (decimals >= 0) {
    double scale = std::pow(10.0, decimals);
    v = std::round(v * scale) / scale;
  }
  if (v == 0) v = 0;  // no "-0"
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

std::string Quote(std::string_view s) {
  return boost::json::serialize(boost::json::string_view(s.data(), s.size()));
}

std::string OrNull(const std::optional<std::string>& s) { return s ? Quote(*s) : "null"; }

const Comparison* ComparisonFor(const CampaignReport& c, std::string_view variant) {
  if (!c.ab) return nullptr;
  for (const Comparison& cmp : c.ab->comparisons) {
    if (cmp.variant == variant) return &cmp;
  }
  return nullptr;
}

std::string TimeOrNull(int64_t us, int64_t unset) {
  return us == unset ? "null" : Quote(FormatTimeMicros(us));
}

}  // namespace

std::string ReportToJson(const Report& r) {
  std::string out = R"({"campaigns":[)";
  for (size_t ci = 0; ci < r.campaigns.size(); ++ci) {
    const CampaignReport& c = r.campaigns[ci];
    absl::StrAppend(&out, ci ? "," : "", R"({"campaign":)", Quote(c.campaign), R"(,"variants":[)");
    for (size_t vi = 0; vi < c.variants.size(); ++vi) {
      const VariantReport& v = c.variants[vi];
      absl::StrAppend(&out, vi ? "," : "", R"({"variant":)",
                      v.variant.empty() ? "null" : Quote(v.variant), R"(,"sent":)", v.sent,
                      R"(,"hits":)", v.hits, R"(,"human_clicks":)", v.human_clicks,
                      R"(,"unique_clickers":)", v.unique_clickers, R"(,"previews":)", v.previews,
                      R"(,"scanners":)", v.scanners, R"(,"bots":)", v.bots);
      absl::StrAppend(&out, R"(,"coupon_views":)", v.coupon_views, R"(,"conversions":)",
                      v.conversions, R"(,"converters":)", v.converters, R"(,"redemptions":)",
                      v.redemptions, R"(,"revenue":)", Number(v.revenue, 4), R"(,"currency":)",
                      v.currency.empty() ? "null" : Quote(v.currency), R"(,"ctr":)", Number(v.ctr),
                      R"(,"cvr":)", Number(v.cvr), "}");
    }
    out += "]";
    if (!c.ab) {
      out += R"(,"ab":null})";
      continue;
    }
    const AbResult& ab = *c.ab;
    absl::StrAppend(&out, R"(,"ab":{"control":)", Quote(ab.control), R"(,"winner":)",
                    OrNull(ab.winner), R"(,"p_value":)", Number(ab.p_value), R"(,"best":)",
                    OrNull(ab.best), R"(,"min_sample":)", r.options.min_sample,
                    R"(,"min_sample_reached":)", ab.min_sample_reached ? "true" : "false",
                    R"(,"comparisons":[)");
    for (size_t i = 0; i < ab.comparisons.size(); ++i) {
      const Comparison& cmp = ab.comparisons[i];
      absl::StrAppend(&out, i ? "," : "", R"({"variant":)", Quote(cmp.variant), R"(,"z":)",
                      Number(cmp.test.z), R"(,"p_value":)", Number(cmp.test.p_value), R"(,"lift":)",
                      cmp.lift.lift ? Number(*cmp.lift.lift) : "null", R"(,"lift_ci95":)",
                      cmp.lift.ci95 ? absl::StrCat("[", Number(cmp.lift.ci95->first), ",",
                                                   Number(cmp.lift.ci95->second), "]")
                                    : "null",
                      "}");
    }
    out += "]}}";
  }
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  absl::StrAppend(&out, R"(],"unattributed":)", r.unattributed, R"(,"outside_window":)",
                  r.outside_window, R"(,"duplicates":)", r.duplicates, R"(,"unknown_hits":)",
                  r.unknown_hits, R"(,"reclassified":)", r.reclassified ? "true" : "false",
                  R"(,"verdicts_changed":)", r.verdicts_changed, R"(,"from":)",
                  TimeOrNull(r.options.from_us, kMin), R"(,"to":)",
                  TimeOrNull(r.options.to_us, kMax), "}\n");
  return out;
}

std::string ReportToCsv(const Report& r) {
  std::string out =
      "campaign,variant,sent,hits,human_clicks,unique_clickers,previews,scanners,bots,"
      "coupon_views,conversions,converters,redemptions,revenue,currency,ctr,cvr,"
      "p_value,lift,lift_ci95_low,lift_ci95_high,winner\n";
  // Ids, variant names and currencies are [A-Za-z0-9_-]: no CSV quoting needed.
  for (const CampaignReport& c : r.campaigns) {
    std::string winner = c.ab && c.ab->winner ? *c.ab->winner : "";
    for (const VariantReport& v : c.variants) {
      const Comparison* cmp = ComparisonFor(c, v.variant);
      absl::StrAppend(&out, c.campaign, ",", v.variant, ",", v.sent, ",", v.hits, ",",
                      v.human_clicks, ",", v.unique_clickers, ",", v.previews, ",", v.scanners, ",",
                      v.bots, ",", v.coupon_views, ",", v.conversions, ",", v.converters, ",",
                      v.redemptions, ",", Number(v.revenue, 4), ",", v.currency, ",", Number(v.ctr),
                      ",", Number(v.cvr), ",");
      if (cmp != nullptr) {
        absl::StrAppend(&out, Number(cmp->test.p_value), ",",
                        cmp->lift.lift ? Number(*cmp->lift.lift) : "", ",",
                        cmp->lift.ci95 ? Number(cmp->lift.ci95->first) : "", ",",
                        cmp->lift.ci95 ? Number(cmp->lift.ci95->second) : "", ",");
      } else {
        out += ",,,,";
      }
      absl::StrAppend(&out, winner, "\n");
    }
  }
  return out;
}

std::string ReportToTable(const Report& r) {
  std::string out;
  static constexpr char kRow[] = "%-16s %-8s %9s %9s %9s %9s %8s %8s %8s %8s %9s %9s %7s %7s\n";
  for (const CampaignReport& c : r.campaigns) {
    absl::StrAppendFormat(&out, kRow, "campaign", "variant", "sent", "hits", "human", "unique",
                          "previews", "scanners", "bots", "convs", "converters", "revenue", "ctr%",
                          "cvr%");
    for (const VariantReport& v : c.variants) {
      absl::StrAppendFormat(
          &out, kRow, c.campaign, v.variant.empty() ? "-" : v.variant, absl::StrCat(v.sent),
          absl::StrCat(v.hits), absl::StrCat(v.human_clicks), absl::StrCat(v.unique_clickers),
          absl::StrCat(v.previews), absl::StrCat(v.scanners), absl::StrCat(v.bots),
          absl::StrCat(v.conversions), absl::StrCat(v.converters),
          absl::StrFormat("%.2f", v.revenue), absl::StrFormat("%.2f", 100 * v.ctr),
          absl::StrFormat("%.2f", 100 * v.cvr));
      if (v.redemptions > 0 || v.coupon_views > 0) {
        absl::StrAppendFormat(&out, "%-16s %-8s coupons: %d views, %d redemptions\n", "", "",
                              v.coupon_views, v.redemptions);
      }
      if (v.currency == "mixed") {
        absl::StrAppendFormat(&out, "%-16s %-8s revenue sums several currencies\n", "", "");
      }
    }
    if (c.ab) {
      const AbResult& ab = *c.ab;
      for (const Comparison& cmp : ab.comparisons) {
        std::string lift = cmp.lift.lift ? absl::StrFormat("%+.1f%%", 100 * *cmp.lift.lift) : "n/a";
        std::string ci =
            cmp.lift.ci95 ? absl::StrFormat(" (95%% CI %+.1f%% to %+.1f%%)",
                                            100 * cmp.lift.ci95->first, 100 * cmp.lift.ci95->second)
                          : "";
        absl::StrAppendFormat(&out, "  %s vs %s: lift %s%s, z %.2f, p %.4g\n", cmp.variant,
                              ab.control, lift, ci, cmp.test.z, cmp.test.p_value);
      }
      std::string why;
      if (!ab.winner) {
        why = !ab.best ? " (no single best variant)"
              : !ab.min_sample_reached
                  ? absl::StrCat(" (a variant has sent fewer than ", r.options.min_sample, ")")
                  : absl::StrFormat(" (p %.4g is not below %.2g)", ab.p_value, r.options.alpha);
      }
      absl::StrAppendFormat(&out, "  winner: %s%s\n", ab.winner ? *ab.winner : "none", why);
    }
    out += "\n";
  }
  absl::StrAppendFormat(&out,
                        "conversions not counted: %d unattributed, %d outside the attribution "
                        "window, %d repeated order ids or redemptions\n",
                        r.unattributed, r.outside_window, r.duplicates);
  if (r.unknown_hits > 0)
    absl::StrAppendFormat(&out, "hits on unknown codes: %d\n", r.unknown_hits);
  if (r.reclassified) {
    absl::StrAppendFormat(&out, "reclassified: %d hits changed verdict\n", r.verdicts_changed);
  }
  return out;
}

}  // namespace redirector
