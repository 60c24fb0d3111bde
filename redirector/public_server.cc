#include "redirector/public_server.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include <absl/strings/str_cat.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/error.hpp>

#include "redirector/log_line.h"
#include "redirector/redirect_url.h"
#include "redirector/request_parser.h"
#include "redirector/response_writer.h"
#include "redirector/tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

constexpr size_t kPerIpBuckets = 65536;

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

// Why a second epoll set: Asio's reactor re-arms a descriptor with epoll_ctl(EPOLL_CTL_MOD) for
// every async_wait, and its speculative async_read_some pays a recv() that says EAGAIN: either
// way one extra system call per keep-alive request. Connections therefore live in a per-worker
// edge-triggered epoll set that is registered once per connection; the io_context waits on
// that set's descriptor (one re-arm per batch of ready connections, not per request). A request
// then costs one recv() and one send(), as in nginx. Accepting, timers and shutdown stay Asio's.
class PublicServer::Worker {
 public:
  Worker(const PublicServerOptions& options, const store::LinkTable& table, uint8_t index,
         int64_t start_ms, std::atomic<uint32_t>* per_ip, bool always)
      : options_(options),
        per_ip_(per_ip),
        table_(table),
        always_(always),
        ioc_(1),
        acceptor_(ioc_),
        ready_(ioc_),
        sweep_timer_(ioc_),
        click_ids_(options.node_id, start_ms, index) {}
  ~Worker();

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
  std::atomic<uint32_t>* per_ip_;  // kPerIpBuckets counters shared by all workers
  const store::LinkTable& table_;
  bool always_;                        // --sync always: answers wait for their event's fsync
  EventSink::Lane* lane_ = nullptr;    // set by PublicServer::Listen before Run
  int wake_fd_ = -1;                   // eventfd the sink writes when lane_->durable moves
  std::vector<Connection*> awaiting_;  // connections holding answers until their event is durable
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

class Connection {
 public:
  static constexpr size_t kOutCapacity = 16384;

  Connection(PublicServer::Worker& worker, int fd, const sockaddr_storage& peer)
      : w_(worker),
        fd_(fd),
        in_capacity_(worker.options_.request_limits.header_bytes + 1024),
        in_(std::make_unique<char[]>(in_capacity_)),
        out_(std::make_unique<char[]>(kOutCapacity)) {
    char text[INET6_ADDRSTRLEN] = {};
    if (peer.ss_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(peer).sin_addr, text, sizeof(text));
    } else if (peer.ss_family == AF_INET6) {
      const auto& a6 = reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr;
      if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        inet_ntop(AF_INET, &a6.s6_addr[12], text, sizeof(text));
      } else {
        inet_ntop(AF_INET6, &a6, text, sizeof(text));
      }
    }
    HitRecord::Copy(std::string_view(text), peer_ip_, &peer_ip_len_);
    if (auto parsed = ParseIp(std::string_view(text))) {
      peer_ = *parsed;
      peer_trusted_ = AnyContains(w_.options_.trusted_proxies, *parsed);
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    last_activity_ms_ = MonotonicMs();
  }

  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
    if (ip_bucket_ != nullptr) ip_bucket_->fetch_sub(1, std::memory_order_relaxed);
  }

  // Takes a slot of the client address's connection budget; false if it is spent (or, for a
  // trusted proxy or with no limit, true without counting).
  bool AdmitPerIp() {
    size_t limit = w_.options_.max_connections_per_ip;
    if (limit == 0 || peer_trusted_) return true;
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint8_t b : peer_) h = (h ^ b) * 0x100000001b3ull;
    std::atomic<uint32_t>* bucket = &w_.per_ip_[h % kPerIpBuckets];
    if (bucket->fetch_add(1, std::memory_order_relaxed) >= limit) {
      bucket->fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    ip_bucket_ = bucket;
    return true;
  }

  int fd() const { return fd_; }
  size_t index = 0;  // position in the worker's list

  // Readiness from the epoll set (edge-triggered: each call reports new readiness).
  void OnEvents(uint32_t events) {
    if (closed_) return;  // closed earlier in this batch, not yet freed
    if (events & (EPOLLERR | EPOLLHUP)) {
      Close();
      return;
    }
    if ((events & EPOLLOUT) && writing_) {
      if (!Flush()) return;
      if (!read_pending_) return;
    }
    if (events & (EPOLLIN | EPOLLRDHUP)) read_pending_ = true;
    if (read_pending_ && !writing_ && durable_pos_ == 0) OnReadable();
  }

  // Sweep: closes the connection if it overstayed a timeout.
  void SweepCheck(int64_t now_ms) {
    if (writing_ || durable_pos_ > 0) return;
    if (in_len_ > 0 && now_ms - request_start_ms_ > w_.options_.header_timeout.count() * 1000) {
      Fail(408);
    } else if (in_len_ == 0 &&
               now_ms - last_activity_ms_ > w_.options_.idle_timeout.count() * 1000) {
      Close();
    }
  }

  // Drain: idle connections close now; busy ones close after their current response.
  void DrainCheck() {
    if (!writing_ && durable_pos_ == 0 && in_len_ == 0) Close();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    if (durable_pos_ > 0) {
      auto& list = w_.awaiting_;
      list.erase(std::remove(list.begin(), list.end(), this), list.end());
    }
    ::shutdown(fd_, SHUT_RDWR);
    w_.Release(this);  // closes the descriptor (leaving the epoll set) once the handler is done
  }

 private:
  void OnReadable() {
    read_pending_ = false;
    for (;;) {
      size_t space = in_capacity_ - in_len_;
      if (space == 0) {  // a header larger than the limit is still arriving
        Fail(431);
        return;
      }
      ssize_t n = ::recv(fd_, in_.get() + in_len_, space, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) Close();
        return;
      }
      if (n == 0) {  // the peer closed
        Close();
        return;
      }
      if (in_len_ == 0) request_start_ms_ = MonotonicMs();
      in_len_ += static_cast<size_t>(n);
      if (!Process()) return;  // closed, or waiting for the socket to take the rest
      // A short read emptied the socket; the next edge brings the next request.
      if (static_cast<size_t>(n) < space) return;
    }
  }

  // Answers every complete request in the buffer. Returns false if the connection closed or a
  // response is still waiting for the socket.
  bool Process() {
    size_t pos = 0;
    bool close_after = false;
    while (pos < in_len_ && !close_after) {
      parser_.emplace(w_.options_.request_limits);
      error_code ec;
      size_t used = parser_->Feed(in_.get() + pos, in_len_ - pos, ec);
      if (ec == boost::beast::http::error::need_more) break;
      if (ec) {
        uint16_t status = parser_->target_too_long()                      ? 414
                          : ec == boost::beast::http::error::header_limit ? 431
                          : ec == boost::beast::http::error::body_limit   ? 413
                                                                          : 400;
        in_len_ = 0;
        Fail(status);
        return false;
      }
      if (!parser_->is_done()) break;
      const RequestFacts& req = parser_->facts();
      bool keep_alive = req.keep_alive && !w_.draining_;
      if (out_len_ + kMaxLocation + 512 > kOutCapacity) {
        if (durable_pos_ > 0) break;  // --sync always: answer these first, then go on
        if (!Flush()) return false;   // rare: many pipelined requests in one read
      }
      bool ok = Respond(req, keep_alive);
      pos += used;
      close_after = !keep_alive || !ok;
    }
    // Keep the unparsed tail at the front of the buffer.
    if (pos > 0) {
      std::memmove(in_.get(), in_.get() + pos, in_len_ - pos);
      in_len_ -= pos;
      request_start_ms_ = MonotonicMs();
    }
    last_activity_ms_ = MonotonicMs();
    close_after_write_ = close_after;
    if (durable_pos_ > 0) {  // --sync always: the answers wait for their events' fsync
      w_.awaiting_.push_back(this);
      return false;
    }
    return Flush();
  }

 public:
  // --sync always: the sink made `durable` positions durable and lost those up to `lost`.
  // Returns true if this connection's answers were released (sent or closed).
  bool OnDurable(uint64_t durable, uint64_t lost) {
    if (durable_pos_ <= lost) {  // its event may be lost: no redirect without its record
      durable_pos_ = 0;
      Close();
      return true;
    }
    if (durable_pos_ > durable) return false;
    durable_pos_ = 0;
    if (!Flush()) return true;
    if (in_len_ > 0 && !Process()) return true;  // requests that were waiting behind
    if (read_pending_ && !writing_ && durable_pos_ == 0) OnReadable();
    return true;
  }

 private:
  // Returns false when the answer must end the connection (--sync always with a full ring).
  bool Respond(const RequestFacts& req, bool keep_alive) {
    int64_t now_us = NowUs();
    TapContext ctx{&w_.table_, &w_.options_.classifier, &w_.click_ids_, now_us / 1000000};
    TapOutcome outcome = HandleTap(req, ctx, std::span<char>(w_.location_, kMaxLocation));
    HitRecord* hit = outcome.record ? w_.lane_->ring.Reserve() : nullptr;
    if (outcome.record && hit == nullptr) {  // the log writer is behind
      Counters::Bump(w_.counters_.events_shed);
      if (w_.always_) {  // a redirect whose event cannot be made durable is not given
        size_t end = WriteErrorResponse(503, w_.dates_.Get(now_us / 1000000),
                                        std::span<char>(out_.get(), kOutCapacity), out_len_);
        if (end > 0) out_len_ = end;
        return false;
      }
    }
    auto status = static_cast<uint16_t>(outcome.status);
    out_len_ = WriteTapResponse(outcome, req.method == HttpMethod::kHead, keep_alive,
                                w_.dates_.Get(now_us / 1000000),
                                std::span<char>(out_.get(), kOutCapacity), out_len_);
    // (cannot overflow: Process() made room for the largest response)
    if (int i = StatusIndex(status); i >= 0) Counters::Bump(w_.counters_.requests[i]);
    if (!outcome.record) return true;
    Counters::Bump(w_.counters_.verdicts[static_cast<int>(outcome.classification.verdict)]);
    if (hit != nullptr) {
      Record(req, outcome, now_us, hit);
      if (w_.always_) durable_pos_ = w_.lane_->ring.committed();
    }
    return true;
  }

  void Record(const RequestFacts& req, const TapOutcome& outcome, int64_t now_us, HitRecord* hit) {
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
    w_.lane_->ring.Commit();
  }

  // Sends out_[sent_, out_len_). Returns true when all is sent and the connection stays open;
  // false if it closed or the socket is full (EPOLLOUT resumes it).
  bool Flush() {
    while (sent_ < out_len_) {
      ssize_t n = ::send(fd_, out_.get() + sent_, out_len_ - sent_, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          writing_ = true;
          return false;
        }
        Close();
        return false;
      }
      sent_ += static_cast<size_t>(n);
    }
    writing_ = false;
    sent_ = out_len_ = 0;
    if (close_after_write_ || (w_.draining_ && in_len_ == 0)) {
      Close();
      return false;
    }
    return true;
  }

  // Answers with an error status and closes.
  void Fail(uint16_t status) {
    Counters::Bump(w_.counters_.other_errors);
    size_t end = WriteErrorResponse(status, w_.dates_.Get(NowUs() / 1000000),
                                    std::span<char>(out_.get(), kOutCapacity), out_len_);
    if (end > 0) out_len_ = end;
    close_after_write_ = true;
    (void)Flush();
  }

  PublicServer::Worker& w_;
  int fd_;
  size_t in_capacity_;
  std::unique_ptr<char[]> in_;
  std::unique_ptr<char[]> out_;
  size_t in_len_ = 0;
  size_t out_len_ = 0;
  size_t sent_ = 0;
  std::optional<RequestParser> parser_;
  char peer_ip_[HitRecord::kMaxIp];
  uint8_t peer_ip_len_ = 0;
  Ip16 peer_{};
  bool peer_trusted_ = false;
  std::atomic<uint32_t>* ip_bucket_ = nullptr;
  bool writing_ = false;       // a response waits for the socket to drain
  bool read_pending_ = false;  // input arrived while writing
  uint64_t durable_pos_ = 0;   // --sync always: answers wait until the lane is durable here
  bool close_after_write_ = false;
  bool closed_ = false;
  int64_t request_start_ms_ = 0;
  int64_t last_activity_ms_ = 0;
};

PublicServer::Worker::~Worker() {
  awaiting_.clear();
  connections_.clear();
  closed_.clear();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void PublicServer::Worker::Release(Connection* c) {
  size_t i = c->index;
  closed_.push_back(std::move(connections_[i]));
  if (i + 1 != connections_.size()) {
    connections_[i] = std::move(connections_.back());
    connections_[i]->index = i;
  }
  connections_.pop_back();
  counters_.connections.store(connections_.size(), std::memory_order_relaxed);
  MaybeFinishDrain();
}

absl::Status PublicServer::Worker::Bind(const tcp::endpoint& ep) {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) {
    return absl::UnavailableError(absl::StrCat("epoll_create1: ", std::strerror(errno)));
  }
  if (always_) {
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.ptr = nullptr;  // marks the wake-up descriptor
    if (wake_fd_ < 0 || ::epoll_ctl(epfd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
      return absl::UnavailableError(absl::StrCat("eventfd: ", std::strerror(errno)));
    }
  }
  error_code ec;
  ready_.assign(epfd_, ec);
  if (!ec) acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) {
    int one = 1;
    if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
      ec = error_code(errno, boost::system::system_category());
    }
  }
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (!ec) acceptor_.non_blocking(true, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("listening on ", ep.address().to_string(), ":",
                                               ep.port(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

void PublicServer::Worker::Run() {
  guard_.emplace(ioc_.get_executor());
  WaitAccept();
  WaitReady();
  Sweep();
  ioc_.run();
  finished_.store(true, std::memory_order_release);
}

void PublicServer::Worker::WaitAccept() {
  acceptor_.async_wait(tcp::acceptor::wait_read, [this](error_code ec) {
    if (ec || draining_) return;
    AcceptAll();
    WaitAccept();
  });
}

void PublicServer::Worker::Refuse(int fd) {
  // Read what the client already sent: closing a socket with unread input sends a reset, which
  // can destroy the 503 before the client reads it.
  char sink[4096];
  while (::recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0) {
  }
  char buf[256];
  size_t n =
      WriteErrorResponse(503, dates_.Get(NowUs() / 1000000), std::span<char>(buf, sizeof(buf)), 0);
  (void)!::send(fd, buf, n, MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
}

void PublicServer::Worker::AcceptAll() {
  for (;;) {
    sockaddr_storage peer{};
    socklen_t len = sizeof(peer);
    int fd = ::accept4(acceptor_.native_handle(), reinterpret_cast<sockaddr*>(&peer), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        LogLine("warn", "accept_failed", {{"error", std::strerror(errno)}});
      }
      return;
    }
    if (connections_.size() >= connection_cap()) {
      Counters::Bump(counters_.connections_refused);
      Refuse(fd);
      ::close(fd);
      continue;
    }
    auto c = std::make_unique<Connection>(*this, fd, peer);
    if (!c->AdmitPerIp()) {
      Counters::Bump(counters_.connections_refused);
      Refuse(fd);
      continue;  // ~Connection closes fd
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = c.get();
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      LogLine("warn", "epoll_add_failed", {{"error", std::strerror(errno)}});
      continue;  // ~Connection closes fd
    }
    c->index = connections_.size();
    connections_.push_back(std::move(c));
    counters_.connections.store(connections_.size(), std::memory_order_relaxed);
  }
}

void PublicServer::Worker::WaitReady() {
  ready_.async_wait(net::posix::stream_descriptor::wait_read, [this](error_code ec) {
    if (ec) return;
    OnReady();
    closed_.clear();
    if (!(draining_ && connections_.empty())) WaitReady();
  });
}

void PublicServer::Worker::OnReady() {
  constexpr int kMax = static_cast<int>(sizeof(events_) / sizeof(events_[0]));
  for (;;) {
    int n = ::epoll_wait(epfd_, events_, kMax, 0);
    for (int i = 0; i < n; ++i) {
      if (events_[i].data.ptr == nullptr) {  // the sink made events durable
        uint64_t count;
        (void)!::read(wake_fd_, &count, sizeof(count));
        ReleaseDurable();
        continue;
      }
      static_cast<Connection*>(events_[i].data.ptr)->OnEvents(events_[i].events);
    }
    if (n < kMax) return;  // a full batch may have left more behind
  }
}

void PublicServer::Worker::ReleaseDurable() {
  uint64_t durable = lane_->durable.load(std::memory_order_acquire);
  uint64_t lost = lane_->lost.load(std::memory_order_acquire);
  std::vector<Connection*> waiting;
  waiting.swap(awaiting_);  // OnDurable may re-queue (pipelined requests) or close
  for (Connection* c : waiting) {
    if (!c->OnDurable(durable, lost)) awaiting_.push_back(c);
  }
}

void PublicServer::Worker::Sweep() {
  sweep_timer_.expires_after(std::chrono::seconds(1));
  sweep_timer_.async_wait([this](error_code ec) {
    if (ec) return;
    int64_t now = MonotonicMs();
    for (size_t i = connections_.size(); i-- > 0;) {  // closing swaps in an already-checked one
      connections_[i]->SweepCheck(now);
    }
    closed_.clear();
    Sweep();
  });
}

void PublicServer::Worker::Drain() {
  draining_ = true;
  error_code ec;
  acceptor_.close(ec);
  for (size_t i = connections_.size(); i-- > 0;) connections_[i]->DrainCheck();
  closed_.clear();
  MaybeFinishDrain();
}

void PublicServer::Worker::MaybeFinishDrain() {
  if (draining_ && connections_.empty()) {
    sweep_timer_.cancel();
    error_code ec;
    ready_.cancel(ec);
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
  per_ip_ = std::make_unique<std::atomic<uint32_t>[]>(kPerIpBuckets);
  for (size_t i = 0; i < kPerIpBuckets; ++i) per_ip_[i].store(0, std::memory_order_relaxed);
  for (int i = 0; i < threads; ++i) {
    bool always = sink_.sync() == SyncPolicy::kAlways;
    workers_.push_back(std::make_unique<Worker>(options_, table_, static_cast<uint8_t>(i), start_ms,
                                                per_ip_.get(), always));
    Worker& w = *workers_.back();
    if (auto s = w.Bind(tcp::endpoint(address, port)); !s.ok()) return s;
    w.lane_ = sink_.AddLane(options_.event_ring_capacity, w.wake_fd_);
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
