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

namespace redirector {

void LogLine(std::string_view level, std::string_view msg,
             const std::vector<std::pair<std::string, std::string>>& fields = {});

}  // namespace redirector
