#pragma once
// PublicServer: the redirect listener. A plain epoll loop per thread + Beast's parser;
// shared-nothing threads.
//
// Each worker thread owns an epoll loop (worker.h says why not Asio's), its own SO_REUSEPORT
// listener on the same address (the kernel spreads connections), its connections, a DateCache,
// a ClickIdGenerator and an SpscRing into the EventSink. Workers share only read-mostly state: the
// LinkTable (lock-free reads) and the options. A request goes: wait readable → one non-blocking
// read → parse in the buffer (RequestParser) → HandleTap → response bytes into the connection's
// buffer → hit into the ring → one non-blocking write (async only if the socket is full). Pipelined
// requests in one read are answered with one write.
//
// Limits: request header bytes and header count (→ 431), target length (→ 414), header read
// timeout (→ 408), keep-alive idle timeout, connection caps per process and per client address
// (→ 503 and close). A malformed request gets 400 and the
// connection closes. Timeouts are enforced by one sweep per second per worker, not per-request
// timers (no timer syscalls on the hot path).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <absl/status/status.h>

#include "store/link_table.h"

#include "redirector/base/histogram.h"
#include "redirector/classify/cidr.h"
#include "redirector/classify/classify.h"
#include "redirector/classify/sweep_detector.h"
#include "redirector/edge/request_parser.h"
#include "redirector/events/event_sink.h"

namespace redirector {

// How connections do their I/O (worker.h): io_uring where the kernel allows it, else epoll.
enum class IoEngine { kAuto, kUring, kEpoll };

struct PublicServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (read it back with port())
  int threads = 1;
  IoEngine io = IoEngine::kAuto;         // kUring: fail to listen where io_uring is unavailable
  RequestParser::Limits request_limits;  // header bytes, target bytes, header count
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds idle_timeout{60};
  size_t max_connections = 10000;  // per process
  // Per client address (approximate: addresses share 65,536 counters by hash); 0: no limit.
  // Peers in trusted_proxies are exempt. Carrier NAT puts many phones behind one address, so
  // keep this generous.
  size_t max_connections_per_ip = 1000;
  std::chrono::seconds drain_timeout{10};
  size_t event_ring_bytes = size_t{4} << 20;  // per worker (EventSinkOptions::batch_interval)
  std::string node_id = "node-1";
  ClassifierConfig classifier;
  std::vector<Cidr> trusted_proxies;  // peers allowed to set X-Forwarded-For
};

struct PublicServerStats {
  uint64_t requests[6] = {};  // 200, 302, 400, 404, 405, 410 (see StatusIndex)
  uint64_t other_errors = 0;  // 408, 413, 431, 503
  uint64_t verdicts[4] = {};  // by Verdict
  uint64_t events_shed = 0;   // hits not logged because the ring was full
  uint64_t connections = 0;   // open now
  uint64_t connections_refused = 0;
  uint64_t ua_cache_hits = 0;  // classifications answered by a worker's user-agent cache
  uint64_t ua_cache_misses = 0;
  HistogramSnapshot request_duration;
};

class PublicServer {
 public:
  PublicServer(PublicServerOptions options, const store::LinkTable& table, EventSink& sink);
  ~PublicServer();
  PublicServer(const PublicServer&) = delete;
  PublicServer& operator=(const PublicServer&) = delete;

  // Binds every worker's acceptor. After it, port() is the bound port. With `inherited` (the
  // listeners a binary upgrade handed over, one per worker of the old process) the workers
  // take those instead of binding, one worker per listener whatever `threads` says.
  absl::Status Listen(const std::vector<int>& inherited = {});
  uint16_t port() const { return port_; }
  // The workers' listening descriptors (after Listen, before Shutdown): for a binary upgrade.
  std::vector<int> listener_fds();
  // Starts the worker threads.
  void Start();
  // Graceful stop: close the acceptors, close idle connections, let in-flight requests finish
  // (answered with Connection: close), then join. Forces the rest closed after drain_timeout.
  void Shutdown();
  PublicServerStats Stats() const;
  // Live reload (call from the thread that runs Listen and Shutdown): limits, timeouts,
  // connection caps, trusted proxies and classifier settings from `o`; host, port, threads,
  // node id and ring size stay as they are. Each worker takes them between two requests.
  void Reconfigure(const PublicServerOptions& o);

  class Worker;

 private:
  PublicServerOptions options_;
  const store::LinkTable& table_;
  EventSink& sink_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  // Open connections per client-address hash bucket, shared by the workers (touched on accept
  // and close only, never per request).
  std::unique_ptr<std::atomic<uint32_t>[]> per_ip_;
  // Inline sweep detection, shared by the workers (touched per hit, lock-free).
  std::unique_ptr<SweepDetector> sweeps_;
};

}  // namespace redirector
