#include "redirector/events/event_sink.h"

#include <chrono>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "testing/temp_dir.h"
#include <signal.h>
#include <sys/resource.h>

namespace {

using redirector::EventSink;
using redirector::HitRecord;

// Commits one hit (an unknown code) to the lane's ring; returns the ring position after it.
uint64_t PushHit(EventSink::Lane* lane) {
  HitRecord* hit = lane->ring.Reserve(0);
  REQUIRE(hit != nullptr);
  hit->ts_us = 1790000000000000;
  hit->status = 404;
  HitRecord::Copy(std::string_view("nosuch"), hit->code, &hit->code_len);
  lane->ring.Commit();
  return lane->ring.committed();
}

// Writes to regular files past `bytes` fail (EFBIG) while it lives, as on a full disk.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit r = saved_;
    r.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &r);
  }
  ~FileSizeLimit() { ::setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_{};
};

template <typename F>
bool WaitFor(F done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace

TEST_CASE("With --sync always a worker that wakes late sees each batch's outcome in order",
          "[sink]") {
  testing::TempDir dir;
  auto writer = store::log::LogWriter::Open({dir.Sub("events")}, nullptr);
  REQUIRE(writer.ok());
  redirector::EventSinkOptions o;
  o.node_id = "n1";
  o.sync = redirector::SyncPolicy::kAlways;
  EventSink sink(o, std::move(*writer));
  EventSink::Lane* lane = sink.AddLane(64 * 1024);
  sink.Start();

  // A tap whose event is written and synced, then one whose write fails, before the worker
  // looks: the first must get its redirect, the second must not.
  uint64_t written = PushHit(lane);
  REQUIRE(WaitFor([&] { return sink.appended() == 1; }));  // written (and then synced)
  {
    FileSizeLimit full(1);
    uint64_t failed = PushHit(lane);
    REQUIRE(WaitFor([&] { return sink.lost() == 1; }));
    // As the worker decides: each waiting tap by the first outcome that reaches its position.
    // (The failed batch's outcome follows its count by a log line: wait for it.)
    std::vector<std::pair<uint64_t, bool>> outcomes;
    WaitFor([&] {
      while (const EventSink::Outcome* o = lane->outcomes.Front()) {
        outcomes.emplace_back(o->end, o->ok);
        lane->outcomes.Pop();
      }
      return outcomes.size() >= 2;
    });
    CHECK(outcomes == std::vector<std::pair<uint64_t, bool>>{{written, true}, {failed, false}});
  }
  sink.Stop();
  CHECK(sink.appended() == 1);
  CHECK(sink.lost() == 1);
}
