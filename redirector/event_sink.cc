#include "redirector/event_sink.h"

#include <cstdio>

#include "redirector/hit_event.h"
#include "redirector/log_line.h"

namespace redirector {

EventSink::EventSink(EventSinkOptions options, std::unique_ptr<store::log::LogWriter> writer)
    : options_(std::move(options)), writer_(std::move(writer)) {}

EventSink::~EventSink() { Stop(); }

EventSink::HitRing* EventSink::AddRing(size_t capacity) {
  rings_.push_back(std::make_unique<HitRing>(capacity));
  return rings_.back().get();
}

void EventSink::Start() {
  last_sync_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { Run(); });
}

void EventSink::Submit(store::Event event) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(event));
}

void EventSink::Stop() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_release);
  thread_.join();
}

void EventSink::Run() {
  // Group commit: everything that arrived during one batch interval goes out in one write().
  // Sleeping between batches (instead of spinning on the rings) keeps this thread off the
  // workers' cores; the rings are sized to absorb an interval at full speed.
  while (!stop_.load(std::memory_order_acquire)) {
    if (DrainOnce() > 0 || dirty_) FlushAndMaybeSync(false);
    std::this_thread::sleep_for(options_.batch_interval);
  }
  // Producers have stopped; take what is left.
  while (DrainOnce() > 0) {
    FlushAndMaybeSync(false);
  }
  FlushAndMaybeSync(options_.sync != SyncPolicy::kNone);
}

size_t EventSink::DrainOnce() {
  size_t n = 0;
  for (auto& ring : rings_) {
    // Bound one pass so a busy ring cannot starve the flush.
    for (size_t i = 0; i < ring->capacity(); ++i) {
      const HitRecord* hit = ring->Front();
      if (hit == nullptr) break;
      HitToEvent(*hit, options_.node_id, &scratch_);
      ring->Pop();
      payload_.clear();
      store::EncodeEvent(scratch_, &payload_);
      writer_->Add(store::log::RecordType::kClick, store::kEventVersion, payload_);
      ++n;
    }
  }
  {
    absl::MutexLock lock(&mu_);
    taken_.swap(queue_);
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

void EventSink::FlushAndMaybeSync(bool force_sync) {
  size_t batch = writer_->buffered_records();
  absl::Status s = writer_->Flush();
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
    if (absl::Status ss = writer_->Sync(); !ss.ok()) {
      write_failures_.fetch_add(1, std::memory_order_relaxed);
      LogLine("error", "event_log_sync_failed", {{"error", std::string(ss.message())}});
    }
    dirty_ = false;
    last_sync_ = now;
  }
}

}  // namespace redirector
