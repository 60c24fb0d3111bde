#pragma once
// Internal to the public listener (public_server.cc, connection.h): a worker thread's state and
// the small helpers its connections share. Not an API: include public_server.h instead.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "redirector/base/histogram.h"
#include "redirector/classify/ua_cache.h"
#include "redirector/edge/public_server.h"
#include "redirector/edge/redirect_url.h"
#include "redirector/edge/response_writer.h"
#include "redirector/edge/uring.h"
#include "redirector/model/click_id.h"

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

// The worker's own event loop. Asio's reactor re-arms a descriptor with epoll_ctl(EPOLL_CTL_MOD)
// for every async_wait, and waiting on a nested epoll set through it costs an epoll_wait and an
// epoll_ctl per wake-up on top of the set's own epoll_wait. So a worker runs a plain loop
// around one epoll set holding its listener (level-triggered), a control eventfd for work posted
// from other threads (drain, reconfigure, stop) and, with --sync always, the sink's wake-up
// eventfd. Connections do their I/O one of two ways (--io):
//  - io_uring (uring.h): each connection keeps a recv request in flight and submits its answers
//    as send requests; the loop waits in io_uring_enter, which also submits everything the last
//    batch prepared, and the epoll set is one more request (a poll) in the ring. One system
//    call per wake-up, however many requests it answers.
//  - epoll: connections sit in the epoll set (edge-triggered, registered once); a request costs
//    one recv() and one send(), a wake-up one epoll_wait(), as in nginx.
// Asio only opens the listening socket (listener.h, shared with the admin server); timeouts are
// checked once a second by the loop.
class PublicServer::Worker {
 public:
  Worker(const PublicServerOptions& options, const store::LinkTable& table, uint8_t index,
         int64_t start_ms, std::atomic<uint32_t>* per_ip, SweepDetector* sweeps, bool always)
      : options_(options),
        per_ip_(per_ip),
        sweeps_(sweeps),
        table_(table),
        always_(always),
        acceptor_(setup_ioc_),
        click_ids_(options.node_id, start_ms, index) {}
  ~Worker();

  // Sets up the epoll set, the ring (per options_.io) and the listener: bound to `ep`, or
  // adopting `inherited_fd` (≥ 0). For --io auto, `uring_error` receives why io_uring is not used.
  absl::Status Bind(const tcp::endpoint& ep, int inherited_fd, std::string* uring_error);
  bool uses_uring() const { return uring_ != nullptr; }
  bool uring_counts_iowait() const { return uring_ != nullptr && uring_->counts_iowait(); }
  uint16_t local_port() const { return acceptor_.local_endpoint().port(); }
  // The loop: returns after a drain finished or ForceStop.
  void Run();
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  // Thread-safe: asks the worker to drain and stop.
  void BeginShutdown() {
    Post([this] { Drain(); });
  }
  // Thread-safe: the loop returns at its next wake-up, whatever is open.
  void ForceStop() {
    stop_.store(true, std::memory_order_release);
    Wake();
  }
  // Thread-safe: the worker takes `o` between two requests. Connections opened before keep
  // their read buffer (sized by the old header limit).
  void Reconfigure(PublicServerOptions o) {
    Post([this, o = std::move(o)]() mutable { options_ = std::move(o); });
  }

  PublicServerOptions options_;    // this worker's copy: Reconfigure replaces it on its thread
  std::atomic<uint32_t>* per_ip_;  // kPerIpBuckets counters shared by all workers
  SweepDetector* sweeps_;          // shared by all workers
  const store::LinkTable& table_;
  bool always_;                      // --sync always: answers wait for their event's fsync
  EventSink::Lane* lane_ = nullptr;  // set by PublicServer::Listen before Run
  int wake_fd_ = -1;                 // eventfd the sink writes when it adds outcomes
  // Connections holding answers until their event is durable (--sync always), and
  // ReleaseDurable's scratch list, swapped with it.
  std::vector<Connection*> awaiting_;
  std::vector<Connection*> releasing_;
  net::io_context setup_ioc_{1};  // owns the acceptor object; never run
  tcp::acceptor acceptor_;
  ClickIdGenerator click_ids_;
  UaGroupCache ua_cache_;
  DateCache dates_;
  Counters counters_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> closed_;  // freed after the current batch
  bool draining_ = false;
  std::atomic<bool> finished_{false};

  // Shared by the connections of this worker (one thread): the Location being built.
  char location_[kMaxLocation];

  void Release(Connection* c);
  std::unique_ptr<Uring> uring_;  // null: connections use the epoll set

 private:
  size_t connection_cap() const {
    size_t threads = static_cast<size_t>(options_.threads < 1 ? 1 : options_.threads);
    return (options_.max_connections + threads - 1) / threads;
  }
  // Runs `f` on the worker's thread at its next wake-up (control path only: takes a mutex).
  void Post(std::function<void()> f);
  void Wake();
  void RunPosted();
  void AcceptAll();
  // Answers 503 on a connection over a cap; the caller closes it.
  void Refuse(int fd);
  void ReleaseDurable();
  void Sweep(int64_t now_ms);
  void Drain();
  // The two loops; Run picks one. Both go on while Running() and call AfterWake after each
  // wake-up: it frees closed connections, sweeps once a second and returns how long the next
  // wait may last (ms).
  void RunEpoll();
  void RunUring();
  bool Running() const;
  int64_t AfterWake(int64_t* next_sweep);
  // Dispatches `n` events from events_ (listener, control, durable wake-up, connections).
  void HandleEpollEvents(int n);
  // Frees closed connections that have no request in flight.
  void FreeClosed();
  // io_uring: closes every connection and waits (bounded) until none has a request in flight,
  // so that no buffer is freed under the kernel.
  void Quiesce();

  int epfd_ = -1;
  int control_fd_ = -1;  // eventfd: Post and ForceStop wake the loop
  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;  // guarded by posted_mu_
  std::atomic<bool> stop_{false};
  epoll_event events_[256];
};

}  // namespace redirector
