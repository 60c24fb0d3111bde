#pragma once
// Latency histograms for /metrics, Prometheus-style: fixed bucket upper bounds, one Histogram
// per writing thread (no lock, no shared cache line: relaxed atomic adds), merged at scrape.
//
//   Histogram h(kRequestBuckets);           // per worker
//   h.Observe(elapsed_ns);                  // writer thread only
//   HistogramSnapshot s = h.Snapshot();     // any thread
//   s.Add(other.Snapshot());
//   RenderHistogram(&out, "redirector_request_duration_seconds", "help", s);

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace redirector {

// Upper bounds in nanoseconds, increasing.
inline constexpr std::array<uint64_t, 14> kRequestBuckets = {
    1'000,   2'500,   5'000,     10'000,    25'000,    50'000,     100'000,
    250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 100'000'000};
inline constexpr std::array<uint64_t, 12> kFsyncBuckets = {
    100'000,    250'000,    500'000,    1'000'000,   2'500'000,   5'000'000,
    10'000'000, 25'000'000, 50'000'000, 100'000'000, 250'000'000, 1'000'000'000};

struct HistogramSnapshot {
  std::vector<uint64_t> bounds_ns;
  std::vector<uint64_t> counts;  // per bucket (not cumulative); one more for +Inf
  uint64_t sum_ns = 0;
  void Add(const HistogramSnapshot& other);
};

class Histogram {
 public:
  explicit Histogram(std::span<const uint64_t> bounds_ns);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // One writer thread.
  void Observe(uint64_t ns) {
    size_t i = 0;
    while (i < bounds_.size() && ns > bounds_[i]) ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(ns, std::memory_order_relaxed);
  }
  HistogramSnapshot Snapshot() const;

 private:
  std::span<const uint64_t> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> sum_ns_{0};
};

// Appends HELP, TYPE, the cumulative _bucket lines (le in seconds), _sum (seconds) and _count.
void RenderHistogram(std::string* out, std::string_view name, std::string_view help,
                     const HistogramSnapshot& s);

// CLOCK_MONOTONIC in nanoseconds (vDSO: no system call).
uint64_t MonotonicNs();

}  // namespace redirector
