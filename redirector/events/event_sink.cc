#include "redirector/events/event_sink.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "redirector/base/log_line.h"
#include "redirector/events/hit_event.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

namespace redirector {

EventSink::EventSink(EventSinkOptions options, std::unique_ptr<store::log::LogWriter> writer)
    : options_(std::move(options)), writer_(std::move(writer)) {}

EventSink::~EventSink() { Stop(); }

EventSink::Lane* EventSink::AddLane(size_t ring_bytes, int wake_fd) {
  lanes_.push_back(std::make_unique<Lane>(ring_bytes));
  lanes_.back()->wake_fd = wake_fd;
  peeked_.push_back(0);
  return lanes_.back().get();
}

void EventSink::Start() {
  last_sync_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { Run(); });
}

void EventSink::Submit(store::Event event) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(event));
}

absl::Status EventSink::SubmitDurable(std::vector<store::Event> events, absl::Duration timeout) {
  if (events.empty()) return absl::OkStatus();
  auto waiter = std::make_shared<Waiter>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accepting_ || !thread_.joinable()) {
      return absl::UnavailableError("the event log is not running");
    }
    for (store::Event& e : events) queue_.push_back(std::move(e));
    waiters_.push_back(waiter);
  }
  std::unique_lock<std::mutex> lock(waiter->mu);
  auto done = [&] { return waiter->done; };
  if (timeout == absl::InfiniteDuration()) {
    waiter->cv.wait(lock, done);
  } else if (!waiter->cv.wait_for(lock, absl::ToChronoNanoseconds(timeout), done)) {
    return absl::DeadlineExceededError("the event log did not confirm the write in time");
  }
  if (!waiter->ok) {
    return absl::UnavailableError("the event log could not write or sync (see the daemon's log)");
  }
  return absl::OkStatus();
}

void EventSink::ReleaseWaiters(bool ok) {
  for (auto& w : taken_waiters_) {
    {
      std::lock_guard<std::mutex> lock(w->mu);
      w->ok = ok;
      w->done = true;
    }
    w->cv.notify_one();
  }
  taken_waiters_.clear();
}

void EventSink::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    accepting_ = false;
  }
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_release);
  thread_.join();
}

void EventSink::Run() {
  // Background work: as SCHED_BATCH the writer does not preempt a worker when it wakes (CFS
  // preempts on wake-up for interactive threads); it runs while the workers wait, or at the next
  // tick, and still gets its fair share of the CPU. Unprivileged; on failure it stays as it was.
  sched_param param{};
  (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
  // Group commit: everything that arrived during one batch interval goes out in one write().
  // Sleeping between batches (instead of spinning on the rings) keeps this thread off the
  // workers' cores; the rings are sized to absorb an interval at full speed.
  bool always = options_.sync == SyncPolicy::kAlways;
  while (!stop_.load(std::memory_order_acquire)) {
    MaybeApplyRetention();
    size_t n = DrainOnce();
    if (always) {
      // Group commit: the taps that arrived while the last fsync ran share the next one.
      if (n > 0) {
        bool ok = FlushAndMaybeSync(true);
        Publish(ok);
        ReleaseWaiters(ok);
      } else {
        SendOutcomes();  // what a full outcome ring held back
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
      continue;
    }
    if (n > 0 || dirty_) {
      // A SubmitDurable caller waits for the disk, whatever the policy (but kNone).
      ReleaseWaiters(
          FlushAndMaybeSync(!taken_waiters_.empty() && options_.sync != SyncPolicy::kNone));
    }
    std::this_thread::sleep_for(options_.batch_interval);
  }
  // Producers have stopped; take what is left.
  while (DrainOnce() > 0) {
    bool ok = FlushAndMaybeSync(always || !taken_waiters_.empty());
    if (always) Publish(ok);
    ReleaseWaiters(ok);
  }
  FlushAndMaybeSync(options_.sync != SyncPolicy::kNone);
}

void EventSink::SetRetention(store::log::RetentionOptions retention) {
  std::lock_guard<std::mutex> lock(mu_);
  next_retention_ = retention;
}

void EventSink::MaybeApplyRetention() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (next_retention_) {
      options_.retention = *next_retention_;
      next_retention_.reset();
    }
  }
  const auto& r = options_.retention;
  if (r.max_bytes == 0 && r.max_age_seconds == 0 && r.hard_cap_bytes == 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_retention_ < options_.retention_interval) return;
  last_retention_ = now;
  auto plan = store::log::ApplyRetention(options_.log_dir, options_.consumers_dir,
                                         static_cast<int64_t>(std::time(nullptr)), r);
  if (!plan.ok()) {
    LogLine("error", "event_log_retention_failed",
            {{"error", std::string(plan.status().message())}});
    return;
  }
  if (plan->forced > 0) {
    LogLine("warn", "event_log_hard_cap_deleted_unread_segments",
            {{"segments", std::to_string(plan->forced)}});
  }
  if (!plan->remove.empty()) {
    LogLine("info", "event_log_retention",
            {{"segments_deleted", std::to_string(plan->remove.size())}});
  }
}

void EventSink::Publish(bool ok) {
  for (size_t i = 0; i < lanes_.size(); ++i) {
    Lane& lane = *lanes_[i];
    if (peeked_[i] <= lane.published) continue;  // nothing of this lane in the batch
    lane.published = peeked_[i];
    if (!lane.backlog.empty() && lane.backlog.back().ok == ok) {
      lane.backlog.back().end = peeked_[i];
    } else {
      lane.backlog.push_back({peeked_[i], ok});
    }
  }
  SendOutcomes();
}

void EventSink::SendOutcomes() {
  for (auto& lane : lanes_) {
    if (lane->backlog.empty()) continue;
    size_t sent = 0;
    for (; sent < lane->backlog.size(); ++sent) {
      Outcome* slot = lane->outcomes.Reserve();
      if (slot == nullptr) break;  // the worker is behind: the rest go at the next turn
      *slot = lane->backlog[sent];
      lane->outcomes.Commit();
    }
    lane->backlog.erase(lane->backlog.begin(),
                        lane->backlog.begin() + static_cast<std::ptrdiff_t>(sent));
    if (sent > 0 && lane->wake_fd >= 0) {
      uint64_t one = 1;
      (void)!::write(lane->wake_fd, &one, sizeof(one));
    }
  }
}

size_t EventSink::DrainOnce() {
  // Take what every ring holds now, append it in hit-time order (workers' rings interleave),
  // then free the slots.
  batch_.clear();
  for (size_t i = 0; i < lanes_.size(); ++i) {
    auto span = lanes_[i]->ring.Peek();
    for (const HitRecord* hit : span) batch_.push_back(hit);
    peeked_[i] = span.end_position();
  }
  // The links and campaigns the hits name were last read by a worker up to a batch interval ago
  // and have often left the cache since: start loading all of them before converting the first
  // (HitToEventView would otherwise wait for each in turn).
  for (const HitRecord* hit : batch_) {
    __builtin_prefetch(hit->link);
    __builtin_prefetch(hit->campaign);
  }
  std::stable_sort(batch_.begin(), batch_.end(),
                   [](const HitRecord* a, const HitRecord* b) { return a->ts_us < b->ts_us; });
  for (const HitRecord* hit : batch_) {
    HitToEventView(*hit, options_.node_id, &lists_, &view_);
    payload_.clear();
    store::EncodeEvent(view_, &payload_);
    writer_->Add(store::log::RecordType::kClick, store::kEventVersion, payload_);
  }
  for (auto& lane : lanes_) lane->ring.PopPeeked();
  size_t n = batch_.size();
  {
    std::lock_guard<std::mutex> lock(mu_);
    taken_.swap(queue_);
    for (auto& w : waiters_) taken_waiters_.push_back(std::move(w));
    waiters_.clear();
  }
  for (const store::Event& e : taken_) {
    payload_.clear();
    store::EncodeEvent(e, &payload_);
    writer_->Add(e.type, store::kEventVersion, payload_);
    ++n;
  }
  taken_.clear();
  return n;
}

bool EventSink::FlushAndMaybeSync(bool force_sync) {
  size_t batch = writer_->buffered_records();
  absl::Status s = writer_->Flush();
  bool ok = s.ok();
  if (s.ok()) {
    appended_.fetch_add(batch, std::memory_order_relaxed);
    if (batch > 0) dirty_ = true;
  } else {
    write_failures_.fetch_add(1, std::memory_order_relaxed);
    lost_.fetch_add(batch, std::memory_order_relaxed);
    auto now_s = static_cast<uint64_t>(std::time(nullptr));
    if (now_s != last_error_log_s_) {  // at most one line a second
      last_error_log_s_ = now_s;
      LogLine("error", "event_log_write_failed",
              {{"error", std::string(s.message())}, {"lost_events", std::to_string(batch)}});
    }
  }
  auto now = std::chrono::steady_clock::now();
  bool due = options_.sync == SyncPolicy::kInterval && now - last_sync_ >= options_.sync_interval;
  if (dirty_ && (force_sync || due)) {
    uint64_t start_ns = MonotonicNs();
    absl::Status ss = writer_->Sync();
    fsync_ns_.Observe(MonotonicNs() - start_ns);
    if (!ss.ok()) {
      ok = false;
      write_failures_.fetch_add(1, std::memory_order_relaxed);
      LogLine("error", "event_log_sync_failed", {{"error", std::string(ss.message())}});
    }
    dirty_ = false;
    last_sync_ = now;
  }
  return ok;
}

}  // namespace redirector
