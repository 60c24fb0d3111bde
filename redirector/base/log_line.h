#pragma once
// Operator log lines: one line per event worth attention, key=value or JSON, to stderr
// (journald picks it up). Not for the redirect path.
//
//   LogLine("info", "listening", {{"public", "127.0.0.1:8080"}});
//   → level=info msg=listening public=127.0.0.1:8080
//   → {"level":"info","msg":"listening","public":"127.0.0.1:8080"}       (json)

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/status/status.h>

#include "store/log_reader.h"

namespace redirector {

// Levels, in order: debug, info, warn, error.
void LogLine(std::string_view level, std::string_view msg,
             const std::vector<std::pair<std::string, std::string>>& fields = {});

// Process-wide settings, any thread (a reload changes them). InvalidArgument for an unknown name.
absl::Status SetLogFormat(std::string_view format);  // "kv" (default) or "json"
absl::Status SetLogLevel(std::string_view level);    // lines below it are dropped; default info
// The same checks without the change (config validation).
absl::Status CheckLogFormat(std::string_view format);
absl::Status CheckLogLevel(std::string_view level);

// For commands that read the event log (tail, report, ship): prints each corrupt region the
// reader skips on stderr, "redirector COMMAND: corruption in SEGMENT at offset N: why (M bytes
// skipped)".
store::log::Reporter CorruptionToStderr(std::string command);

}  // namespace redirector
