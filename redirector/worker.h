#pragma once
// Internal to the public listener (public_server.cc, connection.h): a worker thread's state and
// the small helpers its connections share. Not an API: include public_server.h instead.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redirector/click_id.h"
#include "redirector/histogram.h"
#include "redirector/public_server.h"
#include "redirector/redirect_url.h"
#include "redirector/response_writer.h"

#include <sys/epoll.h>
#include <time.h>

namespace redirector {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

// Helpers shared by the worker and its connections.
inline int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);  // vDSO: no system call
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
inline int64_t NowUs() { return NowNs() / 1000; }

inline int64_t MonotonicMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

inline constexpr size_t kPerIpBuckets = 65536;

inline int StatusIndex(uint16_t status) {
  switch (status) {
    case 200:
      return 0;
    case 302:
      return 1;
    case 400:
      return 2;
    case 404:
      return 3;
    case 405:
      return 4;
    case 410:
      return 5;
    default:
      return -1;
  }
}

// The rightmost address in an X-Forwarded-For value (the one our trusted proxy added).
inline std::string_view LastForwardedAddress(std::string_view xff) {
  size_t comma = xff.rfind(',');
  std::string_view last = comma == std::string_view::npos ? xff : xff.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  return last;
}

// Per-worker counters: written by the worker only, read by Stats() from any thread.
struct Counters {
  // Server-side time per answered request: from the parsed request to its response bytes
  // (classification, click id and event hand-off included).
  Histogram request_ns{kRequestBuckets};
  std::atomic<uint64_t> requests[6] = {};
  std::atomic<uint64_t> other_errors{0};
  std::atomic<uint64_t> verdicts[4] = {};
  std::atomic<uint64_t> events_shed{0};
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> connections_refused{0};

  static void Bump(std::atomic<uint64_t>& c) {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
};

class Connection;

// Why a second epoll set: Asio's reactor re-arms a descriptor with epoll_ctl(EPOLL_CTL_MOD) for
// every async_wait, and its speculative async_read_some pays a recv() that says EAGAIN: either
// way one extra system call per keep-alive request. Connections therefore live in a per-worker
// edge-triggered epoll set that is registered once per connection; the io_context waits on
// that set's descriptor (one re-arm per batch of ready connections, not per request). A request
// then costs one recv() and one send(), as in nginx. Accepting, timers and shutdown stay Asio's.
class PublicServer::Worker {
 public:
  Worker(const PublicServerOptions& options, const store::LinkTable& table, uint8_t index,
         int64_t start_ms, std::atomic<uint32_t>* per_ip, SweepDetector* sweeps, bool always)
      : options_(options),
        per_ip_(per_ip),
        sweeps_(sweeps),
        table_(table),
        always_(always),
        ioc_(1),
        acceptor_(ioc_),
        ready_(ioc_),
        sweep_timer_(ioc_),
        click_ids_(options.node_id, start_ms, index) {}
  ~Worker();

  // Sets up the epoll set and the acceptor: bound to `ep`, or adopting `inherited_fd` (≥ 0).
  absl::Status Bind(const tcp::endpoint& ep, int inherited_fd);
  uint16_t local_port() const { return acceptor_.local_endpoint().port(); }
  void Run();
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  // Thread-safe: asks the worker to drain and stop.
  void BeginShutdown() {
    net::post(ioc_, [this] { Drain(); });
  }
  void ForceStop() { ioc_.stop(); }
  // Thread-safe: the worker takes `o` between two requests. Connections opened before keep
  // their read buffer (sized by the old header limit).
  void Reconfigure(PublicServerOptions o) {
    net::post(ioc_, [this, o = std::move(o)]() mutable { options_ = std::move(o); });
  }

  PublicServerOptions options_;    // this worker's copy: Reconfigure replaces it on its thread
  std::atomic<uint32_t>* per_ip_;  // kPerIpBuckets counters shared by all workers
  SweepDetector* sweeps_;          // shared by all workers
  const store::LinkTable& table_;
  bool always_;                      // --sync always: answers wait for their event's fsync
  EventSink::Lane* lane_ = nullptr;  // set by PublicServer::Listen before Run
  int wake_fd_ = -1;                 // eventfd the sink writes when lane_->durable moves
  std::vector<Connection*> awaiting_;
  std::vector<Connection*> releasing_;  // ReleaseDurable's scratch, swapped with awaiting_  //
                                        // connections holding answers until their event is durable
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::posix::stream_descriptor ready_;  // the epoll set, as Asio sees it
  net::steady_timer sweep_timer_;
  ClickIdGenerator click_ids_;
  DateCache dates_;
  Counters counters_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> closed_;  // freed after the current handler
  bool draining_ = false;
  std::atomic<bool> finished_{false};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard_;

  // Shared by the connections of this worker (one thread): the Location being built.
  char location_[kMaxLocation];

  void Release(Connection* c);

 private:
  size_t connection_cap() const {
    size_t threads = static_cast<size_t>(options_.threads < 1 ? 1 : options_.threads);
    return (options_.max_connections + threads - 1) / threads;
  }
  void WaitAccept();
  void AcceptAll();
  // Answers 503 on a connection over a cap; the caller closes it.
  void Refuse(int fd);
  void WaitReady();
  void OnReady();
  void ReleaseDurable();
  void Sweep();
  void Drain();
  void MaybeFinishDrain();

  int epfd_ = -1;
  epoll_event events_[256];
};

}  // namespace redirector
