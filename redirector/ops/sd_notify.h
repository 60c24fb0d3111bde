#pragma once
// systemd's readiness protocol (sd_notify(3)) without libsystemd: one datagram to the socket
// named by $NOTIFY_SOCKET, if set. "READY=1" once serving; during a binary upgrade the new
// process sends "MAINPID=<pid>" so systemd follows it (the unit needs NotifyAccess=all).

#include <string_view>

namespace redirector {

// Sends `state` (newline-separated assignments); does nothing without $NOTIFY_SOCKET. Errors
// are ignored, as sd_notify's callers do: readiness is advisory.
void NotifySystemd(std::string_view state);

}  // namespace redirector
