#pragma once
// Operator log lines: one line per event worth attention, key=value, to stderr (journald
// picks it up). Not for the redirect path.
//
//   LogLine("info", "listening", {{"public", "127.0.0.1:8080"}});
//   → level=info msg=listening public=127.0.0.1:8080

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/log_reader.h"

namespace redirector {

void LogLine(std::string_view level, std::string_view msg,
             const std::vector<std::pair<std::string, std::string>>& fields = {});

// For commands that read the event log (tail, report, ship): prints each corrupt region the
// reader skips on stderr, "redirector COMMAND: corruption in SEGMENT at offset N: why (M bytes
// skipped)".
store::log::Reporter CorruptionToStderr(std::string command);

}  // namespace redirector
