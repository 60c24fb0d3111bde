#include "redirector/log_line.h"

#include <cstdio>

namespace redirector {
namespace {
bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

void AppendValue(std::string* line, std::string_view v) {
  if (!NeedsQuotes(v)) {
    line->append(v);
    return;
  }
  line->push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') {
      line->push_back('\\');
      line->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      line->append("\\n");
    } else {
      line->push_back(c);
    }
  }
  line->push_back('"');
}
}  // namespace

void LogLine(std::string_view level, std::string_view msg,
             const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string line = "level=";
  line.append(level);
  line.append(" msg=");
  AppendValue(&line, msg);
  for (const auto& [k, v] : fields) {
    line.push_back(' ');
    line.append(k);
    line.push_back('=');
    AppendValue(&line, v);
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

store::log::Reporter CorruptionToStderr(std::string command) {
  return [command = std::move(command)](const std::string& path, uint64_t offset, uint64_t bytes,
                                        std::string_view why) {
    std::fprintf(stderr,
                 "redirector %s: corruption in %s at offset %llu: %.*s (%llu bytes skipped)\n",
                 command.c_str(), path.c_str(), static_cast<unsigned long long>(offset),
                 static_cast<int>(why.size()), why.data(), static_cast<unsigned long long>(bytes));
  };
}

}  // namespace redirector
