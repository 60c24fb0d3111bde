#include "redirector/ops/upgrade.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>

#include "store/string_view.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace redirector {
namespace {

absl::Status Errno(absl::string_view what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

absl::StatusOr<int> ParseFd(absl::string_view key, absl::string_view text) {
  int fd = -1;
  if (!absl::SimpleAtoi(text, &fd) || fd < 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        kHandoverEnv, ": ", key, " must be a descriptor number ≥ 3, got '", text, "'"));
  }
  return fd;
}

// How often AwaitLoaded asks whether the upgrade was called off.
constexpr int64_t kCancelPollMs = 50;

// Waits for the successor to exit and closes its pipes; says how it ended.
std::string Reap(Successor& s) {
  int status = 0;
  while (::waitpid(s.pid, &status, 0) < 0 && errno == EINTR) {
  }
  CloseFd(s.loaded_fd);
  CloseFd(s.released_fd);
  return WIFEXITED(status)     ? absl::StrCat("exit code ", WEXITSTATUS(status))
         : WIFSIGNALED(status) ? absl::StrCat("signal ", WTERMSIG(status))
                               : std::string("unknown status");
}

}  // namespace

std::vector<int> Handover::all() const {
  std::vector<int> fds = public_fds;
  fds.insert(fds.end(), {admin_fd, loaded_fd, released_fd});
  return fds;
}

std::string FormatHandover(const Handover& h) {
  return absl::StrCat("public=", absl::StrJoin(h.public_fds, ","), " admin=", h.admin_fd,
                      " loaded=", h.loaded_fd, " released=", h.released_fd);
}

absl::StatusOr<Handover> ParseHandover(std::string_view text) {
  Handover h;
  bool seen[4] = {};
  for (absl::string_view field : absl::StrSplit(store::AV(text), ' ', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(field, '=');
    static constexpr absl::string_view kKeys[] = {"public", "admin", "loaded", "released"};
    int k = 0;
    while (k < 4 && kKeys[k] != kv.first) ++k;
    if (k == 4 || seen[k]) {
      return absl::InvalidArgumentError(
          absl::StrCat(kHandoverEnv, ": unknown or repeated field '", field, "'"));
    }
    seen[k] = true;
    if (k == 0) {
      for (absl::string_view n : absl::StrSplit(kv.second, ',')) {
        auto fd = ParseFd(kv.first, n);
        if (!fd.ok()) return fd.status();
        h.public_fds.push_back(*fd);
      }
      if (h.public_fds.size() > 256) {
        return absl::InvalidArgumentError(absl::StrCat(kHandoverEnv, ": too many listeners"));
      }
      continue;
    }
    auto fd = ParseFd(kv.first, kv.second);
    if (!fd.ok()) return fd.status();
    (k == 1 ? h.admin_fd : k == 2 ? h.loaded_fd : h.released_fd) = *fd;
  }
  for (int k = 0; k < 4; ++k) {
    if (!seen[k]) {
      return absl::InvalidArgumentError(
          absl::StrCat(kHandoverEnv, ": missing a field (public, admin, loaded, released)"));
    }
  }
  std::vector<int> all = h.all();
  std::sort(all.begin(), all.end());
  if (std::adjacent_find(all.begin(), all.end()) != all.end()) {
    return absl::InvalidArgumentError(absl::StrCat(kHandoverEnv, ": a descriptor repeats"));
  }
  return h;
}

absl::StatusOr<std::optional<Handover>> TakeHandover() {
  const char* env = std::getenv(kHandoverEnv);
  if (env == nullptr) return std::nullopt;
  auto h = ParseHandover(env);
  ::unsetenv(kHandoverEnv);
  if (!h.ok()) return h.status();
  for (int fd : h->all()) {
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
      return Errno(absl::StrCat(kHandoverEnv, ": descriptor ", fd));
    }
  }
  return std::optional<Handover>(std::move(*h));
}

absl::Status SignalLoaded(Handover& h) {
  char one = 'L';
  ssize_t n;
  do {
    n = ::write(h.loaded_fd, &one, 1);
  } while (n < 0 && errno == EINTR);
  absl::Status s = n == 1 ? absl::OkStatus() : Errno("telling the old process we are loaded");
  CloseFd(h.loaded_fd);
  return s;
}

absl::Status AwaitReleased(Handover& h) {
  char buf[16];
  ssize_t n;
  do {
    n = ::read(h.released_fd, buf, sizeof(buf));
  } while (n > 0 || (n < 0 && errno == EINTR));
  absl::Status s = n == 0 ? absl::OkStatus() : Errno("waiting for the old process to exit");
  CloseFd(h.released_fd);
  return s;
}

std::string ExecutablePath() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

absl::StatusOr<Successor> StartSuccessor(const std::string& exe,
                                         const std::vector<std::string>& args,
                                         const std::vector<int>& public_fds, int admin_fd) {
  int loaded[2];
  int released[2];
  if (::pipe2(loaded, O_CLOEXEC) != 0) return Errno("pipe");
  if (::pipe2(released, O_CLOEXEC) != 0) {
    absl::Status failed = Errno("pipe");
    ::close(loaded[0]);
    ::close(loaded[1]);
    return failed;
  }
  Handover h{public_fds, admin_fd, loaded[1], released[0]};
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::string handover = absl::StrCat(kHandoverEnv, "=", FormatHandover(h));
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, kHandoverEnv, sizeof(kHandoverEnv) - 1) != 0) envp.push_back(*e);
  }
  envp.push_back(handover.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<int> inherit = h.all();
  long max_fd = ::sysconf(_SC_OPEN_MAX);

  pid_t pid = ::fork();
  absl::Status failed = pid < 0 ? Errno("fork") : absl::OkStatus();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);  // serve blocks its signals again itself
    // The new process gets the handover and nothing else: not an admin connection under way,
    // the link database or the event log (libraries open descriptors without close-on-exec).
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {  // kernels before 5.11
      for (long fd = 3; fd < max_fd; ++fd) (void)::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    }
    for (int fd : inherit) {
      if (::fcntl(fd, F_SETFD, 0) != 0) _exit(126);
    }
    ::execve(exe.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  ::close(loaded[1]);
  ::close(released[0]);
  if (!failed.ok()) {
    ::close(loaded[0]);
    ::close(released[1]);
    return failed;
  }
  return Successor{pid, loaded[0], released[1]};
}

absl::Status AwaitLoaded(Successor& s, std::chrono::milliseconds timeout,
                         const std::function<bool()>& cancelled) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  absl::Status why;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      why = absl::DeadlineExceededError(
          absl::StrCat("the new process was not loaded after ", timeout.count(), " ms; killed"));
      ::kill(s.pid, SIGKILL);
      break;
    }
    if (cancelled && cancelled()) {
      why = absl::CancelledError("the upgrade was called off; the new process was killed");
      ::kill(s.pid, SIGKILL);
      break;
    }
    pollfd p{s.loaded_fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), kCancelPollMs)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;  // timeout: the loop's check kills it
    char byte;
    ssize_t n = ::read(s.loaded_fd, &byte, 1);
    if (n == 1) {
      CloseFd(s.loaded_fd);
      return absl::OkStatus();
    }
    if (n < 0 && errno == EINTR) continue;
    why = absl::AbortedError("the new process exited before it was loaded");
    break;
  }
  return absl::Status(why.code(), absl::StrCat(why.message(), " (", Reap(s), ")"));
}

void Abandon(Successor& s) {
  ::kill(s.pid, SIGKILL);
  (void)Reap(s);
}

}  // namespace redirector
