#pragma once
// Prometheus text exposition of the daemon's counters, rendered at scrape time from the
// per-thread counters (summed) and the component stats. One file holds every metric name.

#include <cstddef>
#include <cstdint>
#include <string>

#include "redirector/edge/public_server.h"

namespace redirector {

struct MetricsSnapshot {
  PublicServerStats server;
  uint64_t events_appended = 0;
  uint64_t events_lost = 0;
  uint64_t event_write_failures = 0;
  // Bad records found in the middle of a segment (at start-up recovery): each is a region
  // skipped, logged with its segment and offset.
  uint64_t event_log_corruptions = 0;
  HistogramSnapshot fsync_durations;
  size_t links = 0;
  size_t campaigns = 0;
};

std::string RenderMetrics(const MetricsSnapshot& m);

}  // namespace redirector
