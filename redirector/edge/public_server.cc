#include "redirector/edge/public_server.h"

#include <cstring>

#include <absl/strings/str_cat.h>

#include "redirector/base/listener.h"
#include "redirector/base/log_line.h"
#include "redirector/edge/connection.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace redirector {

namespace {
// epoll data for the descriptors that are not connections (connections carry their address).
char kListenerTag;
char kControlTag;
// nullptr: the sink's wake-up eventfd (--sync always).

// io_uring tags that are not a connection's (connections tag theirs with their address plus
// kRecvOp or kSendOp, connection.h).
constexpr uint64_t kEpollTag = 8;    // the epoll set became readable
constexpr uint64_t kCancelTag = 16;  // the answer to CancelAll
}  // namespace

PublicServer::Worker::~Worker() {
  awaiting_.clear();
  connections_.clear();
  closed_.clear();
  for (int fd : {wake_fd_, control_fd_, epfd_}) {
    if (fd >= 0) ::close(fd);
  }
}

void PublicServer::Worker::Release(Connection* c) {
  // Leave the epoll set explicitly: close() alone removes the registration only when no other
  // descriptor refers to the socket, and a binary upgrade's fork gives the child copies until
  // its exec. Meanwhile the socket's events would arrive carrying this freed Connection's
  // address, which the next connection may reuse.
  if (!uring_) (void)::epoll_ctl(epfd_, EPOLL_CTL_DEL, c->fd(), nullptr);
  size_t i = c->index;
  closed_.push_back(std::move(connections_[i]));
  if (i + 1 != connections_.size()) {
    connections_[i] = std::move(connections_.back());
    connections_[i]->index = i;
  }
  connections_.pop_back();
  counters_.connections.store(connections_.size(), std::memory_order_relaxed);
}

absl::Status PublicServer::Worker::Bind(const tcp::endpoint& ep, int inherited_fd,
                                        std::string* uring_error) {
  if (options_.io != IoEngine::kEpoll) {
    auto ring = Uring::Open(4096);
    if (ring.ok()) {
      uring_ = std::move(*ring);
    } else if (options_.io == IoEngine::kUring) {
      return ring.status();
    } else {
      *uring_error = std::string(ring.status().message());
    }
  }
  auto fail = [](const char* what) {
    return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
  };
  auto watch = [this](int fd, uint32_t events, void* tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = tag;
    return ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
  };
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return fail("epoll_create1");
  control_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (control_fd_ < 0 || !watch(control_fd_, EPOLLIN, &kControlTag)) return fail("eventfd");
  if (always_) {
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0 || !watch(wake_fd_, EPOLLIN | EPOLLET, nullptr)) return fail("eventfd");
  }
  error_code ec;
  OpenListener(acceptor_, ep, true, inherited_fd, ec);
  if (!ec) acceptor_.non_blocking(true, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("listening on ", ep.address().to_string(), ":",
                                               ep.port(), ": ", ec.message()));
  }
  if (!watch(acceptor_.native_handle(), EPOLLIN, &kListenerTag)) return fail("epoll_ctl");
  return absl::OkStatus();
}

void PublicServer::Worker::Post(std::function<void()> f) {
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    posted_.push_back(std::move(f));
  }
  Wake();
}

void PublicServer::Worker::Wake() {
  uint64_t one = 1;
  if (control_fd_ >= 0) (void)!::write(control_fd_, &one, sizeof(one));
}

void PublicServer::Worker::RunPosted() {
  uint64_t count;
  (void)!::read(control_fd_, &count, sizeof(count));
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
}

void PublicServer::Worker::Run() {
  if (uring_) {
    if (absl::Status s = uring_->Enable(); !s.ok()) {
      LogLine("warn", "io_uring_unavailable", {{"error", std::string(s.message())}});
      uring_.reset();
    }
  }
  if (uring_) {
    RunUring();
  } else {
    RunEpoll();
  }
  finished_.store(true, std::memory_order_release);
}

void PublicServer::Worker::HandleEpollEvents(int n) {
  for (int i = 0; i < n; ++i) {
    void* tag = events_[i].data.ptr;
    if (tag == &kListenerTag) {
      if (!draining_) AcceptAll();
    } else if (tag == &kControlTag) {
      RunPosted();
    } else if (tag == nullptr) {  // the sink made events durable
      uint64_t count;
      (void)!::read(wake_fd_, &count, sizeof(count));
      ReleaseDurable();
    } else {
      static_cast<Connection*>(tag)->OnEvents(events_[i].events);
    }
  }
}

void PublicServer::Worker::FreeClosed() {
  std::erase_if(closed_, [](const std::unique_ptr<Connection>& c) { return !c->in_flight(); });
}

namespace {
constexpr int kMaxEvents = 256;
constexpr int64_t kSweepMs = 1000;
}  // namespace

bool PublicServer::Worker::Running() const {
  return !stop_.load(std::memory_order_acquire) && !(draining_ && connections_.empty());
}

int64_t PublicServer::Worker::AfterWake(int64_t* next_sweep) {
  FreeClosed();
  int64_t now = MonotonicMs();
  if (now >= *next_sweep) {
    Sweep(now);
    *next_sweep = now + kSweepMs;
  }
  return *next_sweep - now;
}

void PublicServer::Worker::RunEpoll() {
  int64_t next_sweep = MonotonicMs() + kSweepMs;
  for (int64_t wait_ms = kSweepMs; Running(); wait_ms = AfterWake(&next_sweep)) {
    int n = ::epoll_wait(epfd_, events_, kMaxEvents, static_cast<int>(wait_ms));
    if (n < 0 && errno != EINTR) {
      LogLine("error", "epoll_wait_failed", {{"error", std::strerror(errno)}});
      break;
    }
    HandleEpollEvents(n);
  }
}

void PublicServer::Worker::RunUring() {
  auto dispatch = [this](uint64_t tag, int result, bool more) {
    if (tag == kEpollTag) {
      if (!more && !stop_.load(std::memory_order_relaxed)) uring_->PollReadable(epfd_, kEpollTag);
      return true;
    }
    if (tag != kCancelTag) Connection::OnCompletion(tag, result);
    return false;
  };
  uring_->PollReadable(epfd_, kEpollTag);
  int64_t next_sweep = MonotonicMs() + kSweepMs;
  for (int64_t wait_ms = kSweepMs; Running(); wait_ms = AfterWake(&next_sweep)) {
    int error = 0;
    if (!uring_->SubmitAndWait(wait_ms, &error)) {
      LogLine("error", "io_uring_wait_failed", {{"error", std::strerror(error)}});
      break;
    }
    bool epoll_ready = false;
    uring_->Drain(
        [&](uint64_t tag, int result, bool more) { epoll_ready |= dispatch(tag, result, more); });
    for (int n = kMaxEvents; epoll_ready && n == kMaxEvents;) {
      n = ::epoll_wait(epfd_, events_, kMaxEvents, 0);
      HandleEpollEvents(n);
    }
  }
  Quiesce();
}

void PublicServer::Worker::Quiesce() {
  // Closing shuts each socket down, which completes its pending recv (0) and send (EPIPE).
  for (size_t i = connections_.size(); i-- > 0;) connections_[i]->Close();
  uring_->CancelAll(kCancelTag);  // the epoll set's poll
  int64_t deadline = MonotonicMs() + 2000;
  while (!closed_.empty() && MonotonicMs() < deadline) {
    int error = 0;
    if (!uring_->SubmitAndWait(100, &error)) break;
    uring_->Drain([](uint64_t tag, int result, bool) {
      if (tag != kEpollTag && tag != kCancelTag) Connection::OnCompletion(tag, result);
    });
    FreeClosed();
  }
  if (!closed_.empty()) {  // never seen; keep their buffers rather than free them under I/O
    LogLine("error", "io_uring_requests_left", {{"connections", std::to_string(closed_.size())}});
    for (auto& c : closed_) (void)c.release();
    closed_.clear();
  }
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
    if (!uring_) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.ptr = c.get();
      if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
        LogLine("warn", "epoll_add_failed", {{"error", std::strerror(errno)}});
        continue;  // ~Connection closes fd
      }
    }
    Connection* added = c.get();
    c->index = connections_.size();
    connections_.push_back(std::move(c));
    counters_.connections.store(connections_.size(), std::memory_order_relaxed);
    if (uring_) added->StartRecv();
  }
}

void PublicServer::Worker::ReleaseDurable() {
  // Each outcome in turn: a connection is decided by the first that reaches its position.
  // OnOutcome may re-queue (pipelined requests) or close; the two vectors trade buffers, so
  // this allocates nothing in steady state.
  while (const EventSink::Outcome* next = lane_->outcomes.Front()) {
    EventSink::Outcome outcome = *next;
    lane_->outcomes.Pop();
    releasing_.clear();
    releasing_.swap(awaiting_);
    for (Connection* c : releasing_) {
      if (!c->OnOutcome(outcome)) awaiting_.push_back(c);
    }
  }
}

void PublicServer::Worker::Sweep(int64_t now_ms) {
  for (size_t i = connections_.size(); i-- > 0;) {  // closing swaps in an already-checked one
    connections_[i]->SweepCheck(now_ms);
  }
  FreeClosed();
}

void PublicServer::Worker::Drain() {
  draining_ = true;
  // Out of the epoll set first: a binary upgrade's new process holds the same socket.
  (void)::epoll_ctl(epfd_, EPOLL_CTL_DEL, acceptor_.native_handle(), nullptr);
  error_code ec;
  acceptor_.close(ec);
  for (size_t i = connections_.size(); i-- > 0;) connections_[i]->DrainCheck();
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

absl::Status PublicServer::Listen(const std::vector<int>& inherited) {
  error_code ec;
  net::ip::address address = net::ip::make_address(options_.host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad listen host ", options_.host));
  int threads = options_.threads < 1 ? 1 : options_.threads;
  if (!inherited.empty()) threads = static_cast<int>(inherited.size());
  options_.threads = threads;  // the per-worker connection cap divides by it
  int64_t start_ms = NowUs() / 1000;
  uint16_t port = options_.port;
  per_ip_ = std::make_unique<std::atomic<uint32_t>[]>(kPerIpBuckets);
  sweeps_ = std::make_unique<SweepDetector>();
  for (size_t i = 0; i < kPerIpBuckets; ++i) per_ip_[i].store(0, std::memory_order_relaxed);
  for (int i = 0; i < threads; ++i) {
    bool always = sink_.sync() == SyncPolicy::kAlways;
    workers_.push_back(std::make_unique<Worker>(options_, table_, static_cast<uint8_t>(i), start_ms,
                                                per_ip_.get(), sweeps_.get(), always));
    Worker& w = *workers_.back();
    int fd = inherited.empty() ? -1 : inherited[static_cast<size_t>(i)];
    std::string uring_error;
    if (auto s = w.Bind(tcp::endpoint(address, port), fd, &uring_error); !s.ok()) return s;
    if (i == 0) {
      std::vector<std::pair<std::string, std::string>> fields = {
          {"engine", w.uses_uring() ? "io_uring" : "epoll"}};
      if (w.uses_uring()) fields.emplace_back("iowait", w.uring_counts_iowait() ? "yes" : "no");
      if (!uring_error.empty()) fields.emplace_back("io_uring_error", uring_error);
      LogLine("info", "io", fields);
    }
    w.lane_ = sink_.AddLane(options_.event_ring_bytes, w.wake_fd_);
    port = workers_.back()->local_port();  // port 0: the rest join the port the first got
  }
  port_ = port;
  return absl::OkStatus();
}

std::vector<int> PublicServer::listener_fds() {
  std::vector<int> fds;
  for (auto& w : workers_) fds.push_back(w->acceptor_.native_handle());
  return fds;
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

void PublicServer::Reconfigure(const PublicServerOptions& o) {
  PublicServerOptions next = o;
  next.host = options_.host;
  next.port = options_.port;
  next.threads = options_.threads;
  next.node_id = options_.node_id;
  next.event_ring_bytes = options_.event_ring_bytes;
  options_ = next;
  for (auto& w : workers_) w->Reconfigure(next);
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
    s.ua_cache_hits += w->ua_cache_.hits();
    s.ua_cache_misses += w->ua_cache_.misses();
    s.request_duration.Add(c.request_ns.Snapshot());
  }
  return s;
}

}  // namespace redirector
