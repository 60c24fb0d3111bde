#include "redirector/edge/uring.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <absl/strings/str_cat.h>

#include <liburing.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace redirector {
namespace {
// Newer than Debian 12's headers (Linux 6.15): don't count a wait for completions as iowait.
constexpr unsigned kFeatNoIowait = 1U << 17;  // IORING_FEAT_NO_IOWAIT
constexpr unsigned kEnterNoIowait = 1U << 7;  // IORING_ENTER_NO_IOWAIT
}  // namespace

absl::StatusOr<std::unique_ptr<Uring>> Uring::Open(unsigned entries) {
  auto ring = std::make_unique<io_uring>();
  io_uring_params p{};
  // Single issuer with deferred task work: completions are reaped only when the worker waits,
  // in one batch, instead of interrupting it. Disabled until the worker's thread enables it.
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED;
  int r = io_uring_queue_init_params(entries, ring.get(), &p);
  if (r < 0) {
    return absl::UnavailableError(absl::StrCat("io_uring: ", std::strerror(-r)));
  }
  if ((p.features & IORING_FEAT_EXT_ARG) == 0) {  // waiting with a timeout needs it (5.11)
    io_uring_queue_exit(ring.get());
    return absl::UnavailableError("io_uring: the kernel cannot wait with a timeout");
  }
  unsigned wait_flags = (p.features & kFeatNoIowait) != 0 ? kEnterNoIowait : 0;
  return std::unique_ptr<Uring>(new Uring(std::move(ring), wait_flags));
}

Uring::Uring(std::unique_ptr<io_uring> ring, unsigned wait_flags)
    : ring_(std::move(ring)), wait_flags_(wait_flags) {}

Uring::~Uring() { io_uring_queue_exit(ring_.get()); }

absl::Status Uring::Enable() {
  // (Debian's liburing 2.3 declares io_uring_enable_rings but does not export it.)
  if (::syscall(__NR_io_uring_register, ring_->ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0) <
      0) {
    return absl::UnavailableError(absl::StrCat("io_uring: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

io_uring_sqe* Uring::NextSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
  while (sqe == nullptr) {  // the submission queue is full: hand it to the kernel first
    (void)io_uring_submit(ring_.get());
    sqe = io_uring_get_sqe(ring_.get());
  }
  return sqe;
}

void Uring::Recv(int fd, char* buf, size_t len, uint64_t tag) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_recv(sqe, fd, buf, len, 0);
  io_uring_sqe_set_data64(sqe, tag);
}

void Uring::Send(int fd, const char* buf, size_t len, uint64_t tag) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_send(sqe, fd, buf, len, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, tag);
}

void Uring::PollReadable(int fd, uint64_t tag) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_poll_multishot(sqe, fd, POLLIN);
  io_uring_sqe_set_data64(sqe, tag);
}

void Uring::CancelAll(uint64_t tag) {
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
  io_uring_sqe_set_data64(sqe, tag);
}

bool Uring::SubmitAndWait(int64_t timeout_ms, int* error) {
  __kernel_timespec ts{};
  ts.tv_sec = timeout_ms / 1000;
  ts.tv_nsec = (timeout_ms % 1000) * 1000000;
  // io_uring_submit_and_wait_timeout, with the wait flags Debian's liburing 2.3 cannot pass:
  // publish the prepared entries (liburing maps SQ slot i to entry i, so moving the tail is
  // enough), then one io_uring_enter submits them and waits for a completion or the timeout.
  io_uring_sq& sq = ring_->sq;
  if (sq.sqe_head != sq.sqe_tail) {
    sq.sqe_head = sq.sqe_tail;
    std::atomic_ref<unsigned>(*sq.ktail).store(sq.sqe_tail, std::memory_order_release);
  }
  unsigned submit =
      sq.sqe_tail - std::atomic_ref<unsigned>(*sq.khead).load(std::memory_order_relaxed);
  io_uring_getevents_arg arg{};
  arg.sigmask_sz = _NSIG / 8;
  arg.ts = reinterpret_cast<uint64_t>(&ts);
  long r = ::syscall(__NR_io_uring_enter, ring_->ring_fd, submit, 1,
                     IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG | wait_flags_, &arg, sizeof arg);
  if (r < 0 && errno != ETIME && errno != EINTR && errno != EAGAIN && errno != EBUSY) {
    *error = errno;
    return false;
  }
  return true;
}

bool Uring::Peek(Completion* c) {
  io_uring_cqe* cqe = nullptr;
  if (io_uring_peek_cqe(ring_.get(), &cqe) != 0 || cqe == nullptr) return false;
  c->tag = io_uring_cqe_get_data64(cqe);
  c->result = cqe->res;
  c->more = (cqe->flags & IORING_CQE_F_MORE) != 0;
  return true;
}

void Uring::Advance() { io_uring_cq_advance(ring_.get(), 1); }

}  // namespace redirector
