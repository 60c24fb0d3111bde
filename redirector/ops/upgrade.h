#pragma once
// Binary upgrade without refusing a tap (SIGUSR2), as nginx does it: the running process starts
// the binary found at its own path again and hands it the listening sockets, so connections
// that arrive during the switch wait in the same kernel backlog instead of being refused.
//
//   old                                   new (same path, same arguments)
//   SIGUSR2: pause admin API, start new ──▶ takes the listeners (REDIRECTOR_HANDOVER)
//            keeps serving redirects       loads the link table read-only (no lock needed)
//   ◀───────────────────────────────────── one byte on the "loaded" pipe
//   stop accepting, drain, flush the
//   event log, close the link DB, exit ──▶ "released" pipe reaches EOF
//                                          opens the link DB read-write and the event log,
//                                          starts accepting (the backlog first)
//
// If the new process fails before it is loaded (a bad config, a broken binary), the old one
// reaps it, resumes its admin API and keeps serving. If the old one is told to stop (SIGTERM,
// SIGINT) before the handover, it kills the new one and stops: nothing serves on.
//
// The new process inherits the descriptors of the handover and no other: every other one is
// close-on-exec in the child before execve.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/statusor.h>

#include <sys/types.h>

namespace redirector {

// The environment variable that carries a Handover from the old process to the new one.
inline constexpr char kHandoverEnv[] = "REDIRECTOR_HANDOVER";

// What the new process inherits (descriptor numbers).
struct Handover {
  std::vector<int> public_fds;  // one listener per worker of the old process
  int admin_fd = -1;
  int loaded_fd = -1;    // write end: the new process writes one byte once loaded
  int released_fd = -1;  // read end: EOF once the old process has exited

  // Every descriptor above, listeners first.
  std::vector<int> all() const;
};

// "public=3,4 admin=5 loaded=6 released=7"
std::string FormatHandover(const Handover& h);
// Strict inverse of FormatHandover: every key once, descriptors ≥ 3, none repeated.
absl::StatusOr<Handover> ParseHandover(std::string_view text);

// In a starting `serve`: the handover from the environment (removed from it, so a later
// upgrade starts clean), each descriptor checked open and marked close-on-exec; nullopt when
// this is an ordinary start.
absl::StatusOr<std::optional<Handover>> TakeHandover();

// The new process's side: says it is loaded, then waits for the old one to be gone.
absl::Status SignalLoaded(Handover& h);
absl::Status AwaitReleased(Handover& h);

// The old process's side.
struct Successor {
  pid_t pid = -1;
  int loaded_fd = -1;    // read end
  int released_fd = -1;  // write end: held until this process exits
};
// This process's executable path, read at start (after an upgrade the file at that path is the
// new binary; /proc/self/exe would then name the deleted old one).
std::string ExecutablePath();
// Starts `exe` with `args` (args[0] included) and the environment plus the handover.
absl::StatusOr<Successor> StartSuccessor(const std::string& exe,
                                         const std::vector<std::string>& args,
                                         const std::vector<int>& public_fds, int admin_fd);
// Waits until the successor is loaded. On an error (it exited; `timeout` passed or `cancelled`
// returned true, asked every 50 ms: then it is killed) the successor has been reaped and its
// descriptors closed.
absl::Status AwaitLoaded(Successor& s, std::chrono::milliseconds timeout,
                         const std::function<bool()>& cancelled = nullptr);
// Kills and reaps a loaded successor that will not be handed over (the old process was told to
// stop meanwhile). It holds nothing yet: the link database read-only, no event log, no accept.
void Abandon(Successor& s);

}  // namespace redirector
