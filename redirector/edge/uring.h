#pragma once
// Uring: the few io_uring operations a public worker uses (liburing underneath). A worker that
// has one submits its connections' recv and send as requests and collects their completions in
// batches: one io_uring_enter system call per wake-up covers every connection that was ready,
// where epoll costs an epoll_wait plus one recv and one send per request.
//
// Thread: Open() on any thread; everything else only on the thread that called Enable() (the
// ring is single-issuer, and its completions' kernel work runs when that thread waits).
// Requests carry a 64-bit tag (`user_data`) that comes back with their completion.

#include <cstddef>
#include <cstdint>
#include <memory>

#include <absl/status/statusor.h>

struct io_uring;
struct io_uring_sqe;

namespace redirector {

class Uring {
 public:
  // Fails (with the kernel's reason) where io_uring is missing or not allowed (old kernels,
  // seccomp in containers, kernel.io_uring_disabled).
  static absl::StatusOr<std::unique_ptr<Uring>> Open(unsigned entries);
  ~Uring();
  Uring(const Uring&) = delete;
  Uring& operator=(const Uring&) = delete;

  // On the thread that will use the ring, before anything below.
  absl::Status Enable();

  void Recv(int fd, char* buf, size_t len, uint64_t tag);
  void Send(int fd, const char* buf, size_t len, uint64_t tag);
  // A completion (tag) each time `fd` becomes readable, until cancelled; a completion without
  // `more` means it ended and must be asked for again.
  void PollReadable(int fd, uint64_t tag);
  // Cancels every request in flight; each still completes (with -ECANCELED or its result).
  void CancelAll(uint64_t tag);

  // Submits what was prepared and waits until a completion arrives or `timeout_ms` passes.
  // Returns false on an error other than a timeout or an interruption (errno-style in `error`).
  // Where the kernel allows it (6.15+) the wait is not counted as I/O wait: a worker waiting for
  // connections is idle, not waiting for a disk (kernels 6.5–6.14 count it as iowait).
  bool SubmitAndWait(int64_t timeout_ms, int* error);
  // Whether SubmitAndWait's waits show up as iowait in /proc/stat.
  bool counts_iowait() const { return wait_flags_ == 0; }
  // Calls f(tag, result, more) for each completion ready now.
  template <typename F>
  void Drain(F&& f) {
    for (Completion c; Peek(&c); Advance()) f(c.tag, c.result, c.more);
  }

 private:
  struct Completion {
    uint64_t tag;
    int result;
    bool more;
  };
  Uring(std::unique_ptr<io_uring> ring, unsigned wait_flags);
  io_uring_sqe* NextSqe();
  bool Peek(Completion* c);
  void Advance();

  std::unique_ptr<io_uring> ring_;
  unsigned wait_flags_;  // extra io_uring_enter flags for a wait
};

}  // namespace redirector
