#include "redirector/base/histogram.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include "store/string_view.h"

#include <time.h>

namespace redirector {

using store::AV;

Histogram::Histogram(std::span<const uint64_t> bounds_ns)
    : bounds_(bounds_ns), counts_(new std::atomic<uint64_t>[bounds_ns.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::Snapshot() const {
  HistogramSnapshot s;
  s.bounds_ns.assign(bounds_.begin(), bounds_.end());
  s.counts.resize(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    s.counts[i] = counts_[i].load(std::memory_order_relaxed);
  }
  s.sum_ns = sum_ns_.load(std::memory_order_relaxed);
  return s;
}

void HistogramSnapshot::Add(const HistogramSnapshot& other) {
  if (counts.empty()) {
    *this = other;
    return;
  }
  for (size_t i = 0; i < counts.size() && i < other.counts.size(); ++i)
    counts[i] += other.counts[i];
  sum_ns += other.sum_ns;
}

void RenderHistogram(std::string* out, std::string_view name, std::string_view help,
                     const HistogramSnapshot& s) {
  absl::StrAppend(out, "# HELP ", AV(name), " ", AV(help), "\n# TYPE ", AV(name), " histogram\n");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < s.counts.size(); ++i) {
    cumulative += s.counts[i];
    std::string le = i < s.bounds_ns.size()
                         ? absl::StrFormat("%g", static_cast<double>(s.bounds_ns[i]) / 1e9)
                         : "+Inf";
    absl::StrAppend(out, AV(name), "_bucket{le=\"", le, "\"} ", cumulative, "\n");
  }
  absl::StrAppend(out, AV(name), "_sum ",
                  absl::StrFormat("%.9g", static_cast<double>(s.sum_ns) / 1e9), "\n", AV(name),
                  "_count ", cumulative, "\n");
}

uint64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace redirector
