#include "redirector/public_server.h"

#include <cstring>
#include <optional>

#include <absl/strings/str_cat.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include "redirector/log_line.h"
#include "redirector/redirect_url.h"
#include "redirector/request_parser.h"
#include "redirector/response_writer.h"
#include "redirector/tap.h"

#include <sys/socket.h>
#include <time.h>

namespace redirector {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

int64_t NowUs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);  // vDSO: no system call
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

int64_t MonotonicMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

int StatusIndex(uint16_t status) {
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
std::string_view LastForwardedAddress(std::string_view xff) {
  size_t comma = xff.rfind(',');
  std::string_view last = comma == std::string_view::npos ? xff : xff.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  return last;
}

// Per-worker counters: written by the worker only, read by Stats() from any thread.
struct Counters {
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

}  // namespace

class Connection;

class PublicServer::Worker {
 public:
  Worker(const PublicServerOptions& options, const store::LinkTable& table,
         EventSink::HitRing* ring, uint8_t index, int64_t start_ms)
      : options_(options),
        table_(table),
        ring_(ring),
        ioc_(1),
        acceptor_(ioc_),
        sweep_timer_(ioc_),
        click_ids_(options.node_id, start_ms, index) {}

  absl::Status Bind(const tcp::endpoint& ep);
  uint16_t local_port() const { return acceptor_.local_endpoint().port(); }
  void Run();
  bool finished() const { return finished_.load(std::memory_order_acquire); }
  // Thread-safe: asks the worker to drain and stop.
  void BeginShutdown() {
    net::post(ioc_, [this] { Drain(); });
  }
  void ForceStop() { ioc_.stop(); }

  const PublicServerOptions& options_;
  const store::LinkTable& table_;
  EventSink::HitRing* ring_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer sweep_timer_;
  ClickIdGenerator click_ids_;
  DateCache dates_;
  Counters counters_;
  std::vector<Connection*> connections_;  // owned by their own shared_ptrs
  bool draining_ = false;
  std::atomic<bool> finished_{false};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard_;

  // Shared by the connections of this worker (one thread): the Location being built.
  char location_[kMaxLocation];

  static size_t connection_cap_per_worker(const PublicServerOptions& o) {
    size_t threads = static_cast<size_t>(o.threads < 1 ? 1 : o.threads);
    return (o.max_connections + threads - 1) / threads;
  }

 private:
  void Accept();
  void Sweep();
  void Drain();
  void MaybeFinishDrain();
  friend class Connection;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  static constexpr size_t kOutCapacity = 16384;

  Connection(PublicServer::Worker& worker, tcp::socket socket)
      : w_(worker),
        socket_(std::move(socket)),
        in_capacity_(worker.options_.header_limit + 1024),
        in_(std::make_unique<char[]>(in_capacity_)),
        out_(std::make_unique<char[]>(kOutCapacity)) {}

  void Start() {
    error_code ec;
    socket_.non_blocking(true, ec);
    socket_.set_option(tcp::no_delay(true), ec);
    tcp::endpoint peer = socket_.remote_endpoint(ec);
    if (!ec) {
      std::string ip =
          peer.address().is_v6() && peer.address().to_v6().is_v4_mapped()
              ? net::ip::make_address_v4(net::ip::v4_mapped, peer.address().to_v6()).to_string()
              : peer.address().to_string();
      HitRecord::Copy(ip, peer_ip_, &peer_ip_len_);
      if (auto parsed = ParseIp(ip)) {
        peer_trusted_ = AnyContains(w_.options_.trusted_proxies, *parsed);
      }
    }
    index_ = w_.connections_.size();
    w_.connections_.push_back(this);
    Counters::Bump(w_.counters_.connections);
    last_activity_ms_ = MonotonicMs();
    WaitReadable();
  }

  // Sweep: closes the connection if it overstayed a timeout. Returns true if it did.
  bool SweepCheck(int64_t now_ms) {
    if (writing_) return false;
    if (in_len_ > 0 && now_ms - request_start_ms_ > w_.options_.header_timeout.count() * 1000) {
      Fail(408);
      return true;
    }
    if (in_len_ == 0 && now_ms - last_activity_ms_ > w_.options_.idle_timeout.count() * 1000) {
      Close();
      return true;
    }
    return false;
  }

  // Drain: idle connections close now; busy ones close after their current response.
  void DrainCheck() {
    if (!writing_ && in_len_ == 0) Close();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    // Unregister: swap with the last entry.
    auto& list = w_.connections_;
    list[index_] = list.back();
    list[index_]->index_ = index_;
    list.pop_back();
    w_.counters_.connections.store(w_.counters_.connections.load(std::memory_order_relaxed) - 1,
                                   std::memory_order_relaxed);
    w_.MaybeFinishDrain();
  }

 private:
  void WaitReadable() {
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](error_code ec) { self->OnReadable(ec); });
  }

  void OnReadable(error_code ec) {
    if (closed_) return;
    if (ec) {
      Close();
      return;
    }
    for (;;) {
      size_t space = in_capacity_ - in_len_;
      if (space == 0) {  // a header larger than the limit is still arriving
        Fail(431);
        return;
      }
      size_t n = socket_.read_some(net::buffer(in_.get() + in_len_, space), ec);
      if (ec == net::error::would_block || ec == net::error::try_again) break;
      if (ec) {  // EOF or reset
        Close();
        return;
      }
      if (in_len_ == 0) request_start_ms_ = MonotonicMs();
      in_len_ += n;
      if (!Process()) return;  // closed, or an asynchronous write resumes reading itself
      // A short read emptied the socket: wait for the next edge instead of paying for a read
      // that would only say EAGAIN (Asio's epoll reactor is edge-triggered).
      if (n < space) break;
    }
    WaitReadable();
  }

  // Answers every complete request in the buffer. Returns false if the connection closed or an
  // asynchronous write is now in flight (it resumes reading itself).
  bool Process() {
    size_t pos = 0;
    bool close_after = false;
    while (pos < in_len_ && !close_after) {
      parser_.emplace(w_.options_.header_limit);
      error_code ec;
      size_t used = parser_->Feed(in_.get() + pos, in_len_ - pos, ec);
      if (ec == boost::beast::http::error::need_more) break;
      if (ec) {
        uint16_t status = ec == boost::beast::http::error::header_limit ? 431
                          : ec == boost::beast::http::error::body_limit ? 413
                                                                        : 400;
        in_len_ = 0;
        Fail(status);
        return false;
      }
      if (!parser_->is_done()) break;
      const RequestFacts& req = parser_->facts();
      bool keep_alive = req.keep_alive && !w_.draining_;
      if (out_len_ + kMaxLocation + 512 > kOutCapacity) {
        if (!Flush()) return false;  // rare: many pipelined requests in one read
      }
      Respond(req, keep_alive);
      pos += used;
      close_after = !keep_alive;
    }
    // Keep the unparsed tail at the front of the buffer.
    if (pos > 0) {
      std::memmove(in_.get(), in_.get() + pos, in_len_ - pos);
      in_len_ -= pos;
      request_start_ms_ = MonotonicMs();
    }
    last_activity_ms_ = MonotonicMs();
    close_after_write_ = close_after;
    return Flush();
  }

  void Respond(const RequestFacts& req, bool keep_alive) {
    int64_t now_us = NowUs();
    TapContext ctx{&w_.table_, &w_.options_.classifier, &w_.click_ids_, now_us / 1000000};
    TapOutcome outcome = HandleTap(req, ctx, std::span<char>(w_.location_, kMaxLocation));
    auto status = static_cast<uint16_t>(outcome.status);
    size_t end = WriteTapResponse(outcome, req.method == HttpMethod::kHead, keep_alive,
                                  w_.dates_.Get(now_us / 1000000),
                                  std::span<char>(out_.get(), kOutCapacity), out_len_);
    out_len_ = end;  // cannot overflow: Process() made room for the largest response
    if (int i = StatusIndex(status); i >= 0) Counters::Bump(w_.counters_.requests[i]);
    if (!outcome.record) return;
    Counters::Bump(w_.counters_.verdicts[static_cast<int>(outcome.classification.verdict)]);
    Record(req, outcome, now_us);
  }

  void Record(const RequestFacts& req, const TapOutcome& outcome, int64_t now_us) {
    HitRecord* hit = w_.ring_->Reserve();
    if (hit == nullptr) {  // the log writer is behind: shed, count, keep serving
      Counters::Bump(w_.counters_.events_shed);
      return;
    }
    hit->ts_us = now_us;
    hit->seconds_since_sent = outcome.seconds_since_sent;
    hit->link = outcome.link;
    hit->campaign = outcome.campaign;
    hit->reasons = outcome.classification.reasons;
    hit->status = static_cast<uint16_t>(outcome.status);
    hit->verdict = static_cast<uint8_t>(outcome.classification.verdict);
    hit->method = static_cast<uint8_t>(req.method);
    HitRecord::Copy(outcome.code, hit->code, &hit->code_len);
    HitRecord::Copy(outcome.has_click_id ? std::string_view(outcome.click_id, kClickIdLength)
                                         : std::string_view(),
                    hit->click_id, &hit->click_id_len);
    HitRecord::Copy(req.user_agent, hit->ua, &hit->ua_len);
    std::string_view forwarded;
    if (peer_trusted_ && !req.x_forwarded_for.empty()) {
      forwarded = LastForwardedAddress(req.x_forwarded_for);
      if (!ParseIp(forwarded)) forwarded = {};
    }
    if (!forwarded.empty()) {
      HitRecord::Copy(forwarded, hit->ip, &hit->ip_len);
    } else {
      std::memcpy(hit->ip, peer_ip_, peer_ip_len_);
      hit->ip_len = peer_ip_len_;
    }
    w_.ring_->Commit();
  }

  // Writes out_ now if the socket takes it; otherwise finishes asynchronously. Returns false if
  // the connection closed or a write is in flight.
  bool Flush() {
    size_t done = 0;
    while (done < out_len_) {
      error_code ec;
      size_t n = socket_.write_some(net::buffer(out_.get() + done, out_len_ - done), ec);
      if (ec == net::error::would_block || ec == net::error::try_again) {
        writing_ = true;
        net::async_write(socket_, net::buffer(out_.get() + done, out_len_ - done),
                         [self = shared_from_this()](error_code wec, size_t) {
                           self->writing_ = false;
                           self->out_len_ = 0;
                           if (wec || self->close_after_write_ || self->closed_) {
                             self->Close();
                             return;
                           }
                           if (self->w_.draining_ && self->in_len_ == 0) {
                             self->Close();
                             return;
                           }
                           self->WaitReadable();
                         });
        return false;
      }
      if (ec) {
        Close();
        return false;
      }
      done += n;
    }
    out_len_ = 0;
    if (close_after_write_) {
      Close();
      return false;
    }
    return true;
  }

  // Answers with an error status and closes.
  void Fail(uint16_t status) {
    Counters::Bump(w_.counters_.other_errors);
    int64_t now_s = NowUs() / 1000000;
    size_t end = WriteErrorResponse(status, w_.dates_.Get(now_s),
                                    std::span<char>(out_.get(), kOutCapacity), out_len_);
    if (end > 0) out_len_ = end;
    close_after_write_ = true;
    (void)Flush();
  }

  PublicServer::Worker& w_;
  tcp::socket socket_;
  size_t in_capacity_;
  std::unique_ptr<char[]> in_;
  std::unique_ptr<char[]> out_;
  size_t in_len_ = 0;
  size_t out_len_ = 0;
  std::optional<RequestParser> parser_;
  char peer_ip_[HitRecord::kMaxIp];
  uint8_t peer_ip_len_ = 0;
  bool peer_trusted_ = false;
  bool writing_ = false;
  bool close_after_write_ = false;
  bool closed_ = false;
  size_t index_ = 0;
  int64_t request_start_ms_ = 0;
  int64_t last_activity_ms_ = 0;
};

absl::Status PublicServer::Worker::Bind(const tcp::endpoint& ep) {
  error_code ec;
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) {
    int one = 1;
    if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
      ec = error_code(errno, boost::system::system_category());
    }
  }
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("listening on ", ep.address().to_string(), ":",
                                               ep.port(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

void PublicServer::Worker::Run() {
  guard_.emplace(ioc_.get_executor());
  Accept();
  Sweep();
  ioc_.run();
  finished_.store(true, std::memory_order_release);
}

void PublicServer::Worker::Accept() {
  acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor_.is_open() || draining_) return;
      // Out of descriptors or similar: keep accepting after a breath.
      LogLine("warn", "accept_failed", {{"error", ec.message()}});
    } else if (connections_.size() >= connection_cap_per_worker(options_)) {
      Counters::Bump(counters_.connections_refused);
      error_code ignored;
      char buf[256];
      size_t n = WriteErrorResponse(503, dates_.Get(NowUs() / 1000000),
                                    std::span<char>(buf, sizeof(buf)), 0);
      socket.non_blocking(true, ignored);
      socket.write_some(net::buffer(buf, n), ignored);
      socket.close(ignored);
    } else {
      std::make_shared<Connection>(*this, std::move(socket))->Start();
    }
    if (!draining_) Accept();
  });
}

void PublicServer::Worker::Sweep() {
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this](error_code ec) {
    if (ec) return;
    int64_t now = MonotonicMs();
    for (size_t i = 0; i < connections_.size();) {
      Connection* c = connections_[i];
      if (!c->SweepCheck(now)) ++i;  // a closed one was swapped out of position i
    }
    if (!draining_ || !connections_.empty()) Sweep();
  });
}

void PublicServer::Worker::Drain() {
  draining_ = true;
  error_code ec;
  acceptor_.close(ec);
  for (size_t i = 0; i < connections_.size();) {
    Connection* c = connections_[i];
    size_t before = connections_.size();
    c->DrainCheck();
    if (connections_.size() == before) ++i;
  }
  MaybeFinishDrain();
}

void PublicServer::Worker::MaybeFinishDrain() {
  if (draining_ && connections_.empty()) {
    sweep_timer_.cancel();
    guard_.reset();
  }
}

PublicServer::PublicServer(PublicServerOptions options, const store::LinkTable& table,
                           EventSink& sink)
    : options_(std::move(options)), table_(table), sink_(sink) {}

PublicServer::~PublicServer() {
  for (auto& w : workers_) w->ForceStop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

absl::Status PublicServer::Listen() {
  error_code ec;
  net::ip::address address = net::ip::make_address(options_.host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad listen host ", options_.host));
  int threads = options_.threads < 1 ? 1 : options_.threads;
  int64_t start_ms = NowUs() / 1000;
  uint16_t port = options_.port;
  for (int i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(options_, table_,
                                                sink_.AddRing(options_.event_ring_capacity),
                                                static_cast<uint8_t>(i), start_ms));
    if (auto s = workers_.back()->Bind(tcp::endpoint(address, port)); !s.ok()) return s;
    port = workers_.back()->local_port();  // port 0: the rest join the port the first got
  }
  port_ = port;
  return absl::OkStatus();
}

void PublicServer::Start() {
  for (auto& w : workers_) {
    threads_.emplace_back([worker = w.get()] { worker->Run(); });
  }
}

void PublicServer::Shutdown() {
  for (auto& w : workers_) w->BeginShutdown();
  auto deadline = std::chrono::steady_clock::now() + options_.drain_timeout;
  for (auto& w : workers_) {
    while (!w->finished() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  for (auto& w : workers_) w->ForceStop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

PublicServerStats PublicServer::Stats() const {
  PublicServerStats s;
  for (const auto& w : workers_) {
    const Counters& c = w->counters_;
    for (int i = 0; i < 6; ++i) s.requests[i] += c.requests[i].load(std::memory_order_relaxed);
    for (int i = 0; i < 4; ++i) s.verdicts[i] += c.verdicts[i].load(std::memory_order_relaxed);
    s.other_errors += c.other_errors.load(std::memory_order_relaxed);
    s.events_shed += c.events_shed.load(std::memory_order_relaxed);
    s.connections += c.connections.load(std::memory_order_relaxed);
    s.connections_refused += c.connections_refused.load(std::memory_order_relaxed);
  }
  return s;
}

}  // namespace redirector
