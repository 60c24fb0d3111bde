#pragma once
// Connection: one public client connection of a worker (see worker.h): the read buffer, parse →
// HandleTap → response bytes → hit hand-off, and the non-blocking send. Owned by its worker and
// used only on the worker's thread.

#include <algorithm>
#include <cstring>
#include <optional>

#include <boost/beast/http/error.hpp>

#include "redirector/classify/cidr.h"
#include "redirector/edge/request_parser.h"
#include "redirector/edge/tap.h"
#include "redirector/edge/worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace redirector {

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
  // io_uring: a recv or send of this connection's buffers is with the kernel (it may not be
  // freed until both completed).
  bool in_flight() const { return recv_in_flight_ || send_in_flight_; }

  // io_uring: routes a completion to the connection whose address (plus the op) is `tag`.
  static void OnCompletion(uint64_t tag, int result) {
    auto* c = reinterpret_cast<Connection*>(tag & ~kOpMask);
    if ((tag & kOpMask) == kSendOp) {
      c->OnSendDone(result);
    } else {
      c->OnRecvDone(result);
    }
  }

  // io_uring: asks for the next bytes (at most one recv in flight). A full buffer while no
  // answer is being sent is a header over the limit: 431.
  void StartRecv() {
    if (closed_ || recv_in_flight_) return;
    size_t space = in_capacity_ - in_len_;
    if (space == 0) {
      if (!writing_) Fail(431);  // else: the buffered requests are answered after the send
      return;
    }
    recv_in_flight_ = true;
    recv_at_ = in_len_;
    w_.uring_->Recv(fd_, in_.get() + in_len_, space, Tag(kRecvOp));
  }

  // Readiness from the epoll set (edge-triggered: each call reports new readiness).
  void OnEvents(uint32_t events) {
    if (closed_) return;  // closed earlier in this batch, not yet freed
    if (events & (EPOLLERR | EPOLLHUP)) {
      Close();
      return;
    }
    // Noted first: the edge is not repeated, whatever returns early below.
    if (events & (EPOLLIN | EPOLLRDHUP)) read_pending_ = true;
    if ((events & EPOLLOUT) && writing_) {
      if (Flush()) Resume();
      return;
    }
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
  // A connection that has not sent its first request yet is not idle: it was just accepted (in
  // a binary upgrade, from the backlog the new process shares) and its request is on the way;
  // it is answered, with Connection: close, or times out like any other.
  void DrainCheck() {
    if (!writing_ && durable_pos_ == 0 && in_len_ == 0 && answered_ > 0) Close();
  }

  // Shuts the socket down (which also ends io_uring requests in flight) and hands the
  // connection to the worker to free.
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
      if (!Process()) {  // closed, or answers waiting for the socket or for durability
        // A read that filled the buffer may have left bytes in the socket, and no new edge
        // announces those: read again once the answers are out.
        if (static_cast<size_t>(n) == space) read_pending_ = true;
        return;
      }
      // A short read emptied the socket; the next edge brings the next request.
      if (static_cast<size_t>(n) < space) return;
    }
  }

  // io_uring completions.
  void OnRecvDone(int result) {
    recv_in_flight_ = false;
    if (closed_) return;
    if (result <= 0) {  // 0: the peer closed
      if (result == -EINTR || result == -EAGAIN) {
        StartRecv();
      } else {
        Close();
      }
      return;
    }
    if (in_len_ == 0) request_start_ms_ = MonotonicMs();
    // The kernel wrote at recv_at_; answering meanwhile (a send completed first) may have moved
    // the unanswered bytes down, leaving a gap to close.
    auto got = static_cast<size_t>(result);
    if (recv_at_ != in_len_) std::memmove(in_.get() + in_len_, in_.get() + recv_at_, got);
    in_len_ += got;
    // While an answer is being sent or waits for durability, the bytes wait in the buffer.
    if (writing_ || durable_pos_ > 0) return;
    Resume();
  }

  void OnSendDone(int result) {
    send_in_flight_ = false;
    if (closed_) return;
    if (result < 0) {
      Close();
      return;
    }
    sent_ += static_cast<size_t>(result);
    if (!Flush()) return;  // the rest was submitted, or the connection closed
    Resume();
  }

  // With nothing left to send (or, from OnRecvDone, new bytes in): answers the requests that
  // waited in the buffer (many pipelined in one read, or held for durability), then reads on.
  // With io_uring the next recv goes beside the send just submitted, if any (the kernel gets
  // both in one system call); with epoll reading waits until the answers are out.
  void Resume() {
    bool answered = in_len_ == 0 || Process();
    if (w_.uring_) {
      if (durable_pos_ == 0) StartRecv();
    } else if (answered && read_pending_ && !writing_ && durable_pos_ == 0) {
      OnReadable();
    }
  }

  static constexpr uint64_t kRecvOp = 1;
  static constexpr uint64_t kSendOp = 2;
  static constexpr uint64_t kOpMask = 7;
  uint64_t Tag(uint64_t op) const { return reinterpret_cast<uint64_t>(this) | op; }

  // Answers every complete request in the buffer. Returns false if the connection closed or a
  // response is still waiting for the socket.
  bool Process() {
    size_t pos = 0;
    bool close_after = false;
    bool waiting = false;  // a flush mid-way is still with the socket (or closed)
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
        if (!Flush()) {               // rare: many pipelined requests in one read
          waiting = true;             // (the rest are answered once the socket took these)
          break;
        }
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
    if (waiting) return false;
    close_after_write_ = close_after;
    if (durable_pos_ > 0) {  // --sync always: the answers wait for their events' fsync
      w_.awaiting_.push_back(this);
      return false;
    }
    return Flush();
  }

 public:
  // --sync always: the sink's next outcome (the oldest this connection may not have seen).
  // Returns true if this connection's answers were released (sent or closed).
  bool OnOutcome(const EventSink::Outcome& outcome) {
    if (durable_pos_ > outcome.end) return false;  // its hits are in a later batch
    durable_pos_ = 0;
    if (!outcome.ok) {  // its event may be lost: no redirect without its record
      Close();
      return true;
    }
    if (Flush()) Resume();
    return true;
  }

 private:
  // Returns false when the answer must end the connection (--sync always with a full ring).
  bool Respond(const RequestFacts& req, bool keep_alive) {
    // One clock read serves the event's time and the start of the duration (a realtime step
    // in between counts as 0).
    ++answered_;
    int64_t start_ns = NowNs();
    int64_t now_us = start_ns / 1000;
    // The client: the peer, or the address a trusted proxy put last in X-Forwarded-For.
    Ip16 client = peer_;
    std::string_view forwarded;
    if (peer_trusted_ && !req.x_forwarded_for.empty()) {
      forwarded = LastForwardedAddress(req.x_forwarded_for);
      if (auto ip = ParseIp(forwarded)) {
        client = *ip;
      } else {
        forwarded = {};
      }
    }
    TapContext ctx{&w_.table_,     &w_.options_.classifier,
                   &w_.click_ids_, now_us / 1000000,
                   &client,        w_.sweeps_,
                   &w_.ua_cache_};
    TapOutcome outcome = HandleTap(req, ctx, std::span<char>(w_.location_, kMaxLocation));
    HitRecord* hit =
        outcome.record ? w_.lane_->ring.Reserve(HitRecord::UaBytes(req.user_agent)) : nullptr;
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
    if (outcome.record) {
      Counters::Bump(w_.counters_.verdicts[static_cast<int>(outcome.classification.verdict)]);
      if (hit != nullptr) {
        Record(req, outcome, now_us, forwarded, hit);
        if (w_.always_) durable_pos_ = w_.lane_->ring.committed();
      }
    }
    int64_t end_ns = NowNs();
    w_.counters_.request_ns.Observe(end_ns > start_ns ? static_cast<uint64_t>(end_ns - start_ns)
                                                      : 0);
    return true;
  }

  // `forwarded`: the client's address from X-Forwarded-For, empty to log the peer's.
  void Record(const RequestFacts& req, const TapOutcome& outcome, int64_t now_us,
              std::string_view forwarded, HitRecord* hit) {
    hit->ts_us = now_us;
    hit->seconds_since_sent = outcome.seconds_since_sent;
    hit->signals = SignalsOf(req);
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
    hit->SetUa(req.user_agent);
    if (!forwarded.empty()) {
      HitRecord::Copy(forwarded, hit->ip, &hit->ip_len);
    } else {
      std::memcpy(hit->ip, peer_ip_, peer_ip_len_);
      hit->ip_len = peer_ip_len_;
    }
    w_.lane_->ring.Commit();
  }

  // Sends out_[sent_, out_len_). Returns true when all is sent and the connection stays open;
  // false if it closed, the socket is full (EPOLLOUT resumes it) or, with io_uring, a send was
  // submitted (its completion resumes it).
  bool Flush() {
    if (w_.uring_ && sent_ < out_len_) {  // the completion calls Flush again
      writing_ = send_in_flight_ = true;
      w_.uring_->Send(fd_, out_.get() + sent_, out_len_ - sent_, Tag(kSendOp));
      return false;
    }
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
    if (durable_pos_ > 0) {  // --sync always: answers before it wait for their events' fsync
      auto& list = w_.awaiting_;
      if (std::find(list.begin(), list.end(), this) == list.end()) list.push_back(this);
      return;
    }
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
  uint32_t answered_ = 0;      // requests answered on this connection (saturation is harmless)
  bool read_pending_ = false;  // input arrived while writing
  uint64_t durable_pos_ = 0;   // --sync always: answers wait until the lane is durable here
  bool close_after_write_ = false;
  bool closed_ = false;
  bool recv_in_flight_ = false;  // io_uring
  bool send_in_flight_ = false;  // io_uring
  size_t recv_at_ = 0;           // io_uring: where the recv in flight writes (in_len_ then)
  int64_t request_start_ms_ = 0;
  int64_t last_activity_ms_ = 0;
};

}  // namespace redirector
