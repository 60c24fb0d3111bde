#pragma once
// EventSink: the event-log writer thread. Redirect workers hand hits over through their own
// Lane: an SpscRing (no lock, no syscall, never blocks: a full ring sheds the hit and counts it)
// plus, for --sync always, a second small ring of each batch's outcome (the hit ring position it
// reached, written or lost), in order, and an eventfd the sink writes to wake the worker, which
// then releases (or refuses) the answers that waited for them; other
// components (admin API) submit whole events through a mutex-guarded queue. The thread drains
// everything available, appends it as one batch (group commit: one write()), and syncs by
// policy, then sleeps for the batch interval. Stop() drains what is left, flushes and syncs before
// it returns.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <absl/base/thread_annotations.h>
#include <absl/status/status.h>
#include <absl/time/time.h>

#include "store/event.h"
#include "store/log_writer.h"
#include "store/retention.h"

#include "redirector/base/histogram.h"
#include "redirector/events/hit_record.h"
#include "redirector/events/spsc_ring.h"

namespace redirector {

enum class SyncPolicy {
  kAlways,    // every batch is fsynced before its taps are answered (group commit)
  kInterval,  // fsync every sync_interval; answers never wait for the disk
  kNone,      // left to the OS
};

struct EventSinkOptions {
  std::string node_id;
  SyncPolicy sync = SyncPolicy::kInterval;
  std::chrono::milliseconds sync_interval{100};
  // How long events gather between two writes (group commit). A worker's ring must hold this
  // long a burst: its 4 MiB hold ~14,000 hits with a 140-byte user agent (6,000 with the longest
  // kept, 512 bytes), at 2 ms that is 3M events/s per worker.
  std::chrono::milliseconds batch_interval{2};
  // Retention, applied by the writer thread every retention_interval (nothing set: keep all).
  std::string log_dir;        // the event log directory
  std::string consumers_dir;  // consumer checkpoints (tail --consumer)
  store::log::RetentionOptions retention;
  std::chrono::seconds retention_interval{10};
};

class EventSink {
 public:
  using HitRing = SpscRing<HitRecord>;

  // --sync always: what became of a lane's hits up to `end` (a HitRing::committed() position,
  // in bytes) since the previous outcome: written and synced (`ok`), or lost to a failed write
  // or sync. A tap waiting on a lost hit must not get its answer.
  struct Outcome {
    uint64_t end = 0;
    bool ok = false;
  };

  // One producer thread's hand-off.
  struct Lane {
    explicit Lane(size_t ring_bytes)
        : ring(ring_bytes, HitRecord::kMaxUa), outcomes(kOutcomeRingBytes) {}
    HitRing ring;
    // --sync always: every batch's outcome, oldest first. In order, because a worker that wakes
    // after a written batch and a failed one must tell their taps apart.
    SpscRing<Outcome> outcomes;
    int wake_fd = -1;  // written (eventfd) after outcomes were added; -1: nobody waits
    // Writer thread only: the position published so far, and outcomes `outcomes` had no room
    // for yet (consecutive ones alike merged), sent at the writer's next turn.
    uint64_t published = 0;
    std::vector<Outcome> backlog;
  };
  static constexpr size_t kOutcomeRingBytes = 4096;  // 170 outcomes

  EventSink(EventSinkOptions options, std::unique_ptr<store::log::LogWriter> writer);
  ~EventSink();

  // Before Start(): a lane for one producer thread; the sink owns it. `wake_fd` as in Lane.
  Lane* AddLane(size_t ring_bytes, int wake_fd = -1);
  SyncPolicy sync() const { return options_.sync; }
  void Start();
  // Any thread: queue an event for the log (the sequence number is assigned on append).
  void Submit(store::Event event);
  // Any thread (not a redirect worker: it blocks): appends `events` in one batch and waits until
  // they are written and, unless the policy is kNone, fsynced. Unavailable if the write or sync
  // failed (the events may or may not be in the log) or the sink is stopped; DeadlineExceeded
  // after `timeout` (they may still be written).
  absl::Status SubmitDurable(std::vector<store::Event> events,
                             absl::Duration timeout = absl::Seconds(30));
  // Drains every ring and the queue, flushes, syncs, and joins the thread. Idempotent.
  void Stop();

  // Any thread: retention settings for the next check (live reload).
  void SetRetention(store::log::RetentionOptions retention);

  uint64_t appended() const { return appended_.load(std::memory_order_relaxed); }
  uint64_t write_failures() const { return write_failures_.load(std::memory_order_relaxed); }
  uint64_t lost() const { return lost_.load(std::memory_order_relaxed); }
  HistogramSnapshot fsync_durations() const { return fsync_ns_.Snapshot(); }

 private:
  void Run();
  // Appends everything available; returns how many events were taken.
  size_t DrainOnce();
  // Returns false if the batch could not be written (or synced, when that was due).
  bool FlushAndMaybeSync(bool force_sync);
  // --sync always: queues the batch's outcome for each lane that had hits in it, then
  // SendOutcomes.
  void Publish(bool ok);
  // Moves queued outcomes into the lanes' outcome rings and wakes the workers that got some.
  void SendOutcomes();
  // Tells the SubmitDurable callers of the batch just written how it went.
  void ReleaseWaiters(bool ok);
  void MaybeApplyRetention();

  EventSinkOptions options_;
  std::unique_ptr<store::log::LogWriter> writer_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<size_t> peeked_;  // per lane: the ring position the current batch reaches
  // The synchronisation the writer thread shares with other threads is std::mutex and
  // std::condition_variable, not absl::Mutex/Notification: Debian's libabsl is not built with
  // ThreadSanitizer, which then cannot see its locks and reports the data they guard as races.
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;  // guarded by mu
    bool ok = false;    // guarded by mu, set with `done`
  };
  std::mutex mu_;
  std::vector<store::Event> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Waiter>> waiters_ ABSL_GUARDED_BY(mu_);
  bool accepting_ ABSL_GUARDED_BY(mu_) = true;
  std::optional<store::log::RetentionOptions> next_retention_ ABSL_GUARDED_BY(mu_);
  std::vector<store::Event> taken_;                     // writer thread only
  std::vector<std::shared_ptr<Waiter>> taken_waiters_;  // writer thread only
  std::vector<const HitRecord*> batch_;                 // writer thread only
  store::EventView view_;                               // writer thread only: the hit being encoded
  std::string lists_;                                   // its encoded reasons and signals
  std::string payload_;
  std::chrono::steady_clock::time_point last_sync_;
  std::chrono::steady_clock::time_point last_retention_;
  bool dirty_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::atomic<uint64_t> appended_{0};
  std::atomic<uint64_t> write_failures_{0};
  std::atomic<uint64_t> lost_{0};
  Histogram fsync_ns_{kFsyncBuckets};  // written by the writer thread
  uint64_t last_error_log_s_ = 0;
};

}  // namespace redirector
