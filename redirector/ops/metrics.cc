#include "redirector/ops/metrics.h"

#include <absl/strings/str_cat.h>

#include "store/string_view.h"

#include "redirector/classify/classify.h"

namespace redirector {
namespace {

void Header(std::string* out, const char* name, const char* type, const char* help) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

}  // namespace

std::string RenderMetrics(const MetricsSnapshot& m) {
  std::string out;
  Header(&out, "redirector_requests_total", "counter", "Requests answered on the public listener.");
  static constexpr const char* kStatus[] = {"200", "302", "400", "404", "405", "410"};
  for (int i = 0; i < 6; ++i) {
    absl::StrAppend(&out, "redirector_requests_total{status=\"", kStatus[i], "\"} ",
                    m.server.requests[i], "\n");
  }
  absl::StrAppend(&out, "redirector_requests_total{status=\"other\"} ", m.server.other_errors,
                  "\n");
  Header(&out, "redirector_clicks_total", "counter", "Hits by classifier verdict.");
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&out, "redirector_clicks_total{verdict=\"",
                    store::AV(VerdictName(static_cast<Verdict>(i))), "\"} ", m.server.verdicts[i],
                    "\n");
  }
  Header(&out, "redirector_connections", "gauge", "Open public connections.");
  absl::StrAppend(&out, "redirector_connections ", m.server.connections, "\n");
  Header(&out, "redirector_connections_refused_total", "counter",
         "Connections refused at the connection cap.");
  absl::StrAppend(&out, "redirector_connections_refused_total ", m.server.connections_refused,
                  "\n");
  Header(&out, "redirector_ua_cache_lookups_total", "counter",
         "User-agent classifications by whether a worker's cache knew the agent.");
  absl::StrAppend(
      &out, "redirector_ua_cache_lookups_total{result=\"hit\"} ", m.server.ua_cache_hits, "\n",
      "redirector_ua_cache_lookups_total{result=\"miss\"} ", m.server.ua_cache_misses, "\n");
  Header(&out, "redirector_links", "gauge", "Links in the table.");
  absl::StrAppend(&out, "redirector_links ", m.links, "\n");
  Header(&out, "redirector_campaigns", "gauge", "Campaigns in the table.");
  absl::StrAppend(&out, "redirector_campaigns ", m.campaigns, "\n");
  Header(&out, "redirector_event_log_appended_total", "counter", "Events written to the log.");
  absl::StrAppend(&out, "redirector_event_log_appended_total ", m.events_appended, "\n");
  Header(&out, "redirector_event_log_dropped_total", "counter",
         "Events not logged: shed at a full hand-off ring, or lost to a failed write.");
  absl::StrAppend(&out, "redirector_event_log_dropped_total ", m.server.events_shed + m.events_lost,
                  "\n");
  Header(&out, "redirector_event_log_write_failures_total", "counter",
         "Failed event-log writes or syncs.");
  absl::StrAppend(&out, "redirector_event_log_write_failures_total ", m.event_write_failures, "\n");
  Header(&out, "redirector_event_log_corruptions_total", "counter",
         "Corrupt regions found inside event-log segments (each skipped and logged).");
  absl::StrAppend(&out, "redirector_event_log_corruptions_total ", m.event_log_corruptions, "\n");
  RenderHistogram(&out, "redirector_request_duration_seconds",
                  "Server-side time per answered request: parsed request to response bytes.",
                  m.server.request_duration);
  RenderHistogram(&out, "redirector_event_log_fsync_seconds", "Time per event-log fsync.",
                  m.fsync_durations);
  Header(&out, "redirector_build_info", "gauge", "Build information.");
  absl::StrAppend(&out, "redirector_build_info{version=\"0.1.0\",classifier=\"", kClassifierVersion,
                  "\"} 1\n");
  return out;
}

}  // namespace redirector
