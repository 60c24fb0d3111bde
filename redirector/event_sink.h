#pragma once
// EventSink: the event-log writer thread. Redirect workers hand hits over through their own
// SpscRing (no lock, no syscall, never blocks: a full ring sheds the hit and counts it); other
// components (admin API) submit whole events through a mutex-guarded queue. The thread drains
// everything available, appends it as one batch (group commit: one write()), and syncs by
// policy, then sleeps for the batch interval. Stop() drains what is left, flushes and syncs before
// it returns.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <absl/base/thread_annotations.h>
#include <absl/status/status.h>
#include <absl/synchronization/mutex.h>

#include "store/event.h"
#include "store/log_writer.h"

#include "redirector/hit_record.h"
#include "redirector/spsc_ring.h"

namespace redirector {

enum class SyncPolicy { kInterval, kNone };

struct EventSinkOptions {
  std::string node_id;
  SyncPolicy sync = SyncPolicy::kInterval;
  std::chrono::milliseconds sync_interval{100};
  // How long events gather between two writes (group commit). A worker's ring must hold this
  // long a burst: 16,384 slots at 2 ms is 8M events/s per worker.
  std::chrono::milliseconds batch_interval{2};
};

class EventSink {
 public:
  using HitRing = SpscRing<HitRecord>;

  EventSink(EventSinkOptions options, std::unique_ptr<store::log::LogWriter> writer);
  ~EventSink();

  // Before Start(): a ring for one producer thread; the sink owns it.
  HitRing* AddRing(size_t capacity);
  void Start();
  // Any thread: queue an event for the log (the sequence number is assigned on append).
  void Submit(store::Event event);
  // Drains every ring and the queue, flushes, syncs, and joins the thread. Idempotent.
  void Stop();

  uint64_t appended() const { return appended_.load(std::memory_order_relaxed); }
  uint64_t write_failures() const { return write_failures_.load(std::memory_order_relaxed); }
  uint64_t lost() const { return lost_.load(std::memory_order_relaxed); }

 private:
  void Run();
  // Appends everything available; returns how many events were taken.
  size_t DrainOnce();
  void FlushAndMaybeSync(bool force_sync);

  EventSinkOptions options_;
  std::unique_ptr<store::log::LogWriter> writer_;
  std::vector<std::unique_ptr<HitRing>> rings_;
  absl::Mutex mu_;
  std::vector<store::Event> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<store::Event> taken_;      // writer thread only
  std::vector<const HitRecord*> batch_;  // writer thread only
  store::Event scratch_;
  std::string payload_;
  std::chrono::steady_clock::time_point last_sync_;
  bool dirty_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::atomic<uint64_t> appended_{0};
  std::atomic<uint64_t> write_failures_{0};
  std::atomic<uint64_t> lost_{0};
  uint64_t last_error_log_s_ = 0;
};

}  // namespace redirector
