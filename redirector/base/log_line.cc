#include "redirector/base/log_line.h"

#include <atomic>
#include <cstdio>

#include <boost/json.hpp>

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

int LevelRank(std::string_view level) {
  if (level == "debug") return 0;
  if (level == "info") return 1;
  if (level == "warn") return 2;
  if (level == "error") return 3;
  return -1;
}

std::atomic<bool> g_json{false};  // atomic: a reload may change them while threads log
std::atomic<int> g_min_rank{1};

std::string JsonLine(std::string_view level, std::string_view msg,
                     const std::vector<std::pair<std::string, std::string>>& fields) {
  boost::json::object o;
  o["level"] = boost::json::string_view(level.data(), level.size());
  o["msg"] = boost::json::string_view(msg.data(), msg.size());
  for (const auto& [k, v] : fields) o[k] = v;
  return boost::json::serialize(o) + "\n";
}

}  // namespace

absl::Status CheckLogFormat(std::string_view format) {
  if (format != "kv" && format != "json") {
    return absl::InvalidArgumentError("--log-format must be kv or json");
  }
  return absl::OkStatus();
}

absl::Status CheckLogLevel(std::string_view level) {
  if (LevelRank(level) < 0) {
    return absl::InvalidArgumentError("--log-level must be debug, info, warn or error");
  }
  return absl::OkStatus();
}

absl::Status SetLogFormat(std::string_view format) {
  if (absl::Status s = CheckLogFormat(format); !s.ok()) return s;
  g_json = format == "json";
  return absl::OkStatus();
}

absl::Status SetLogLevel(std::string_view level) {
  if (absl::Status s = CheckLogLevel(level); !s.ok()) return s;
  g_min_rank = LevelRank(level);
  return absl::OkStatus();
}

void LogLine(std::string_view level, std::string_view msg,
             const std::vector<std::pair<std::string, std::string>>& fields) {
  if (LevelRank(level) < g_min_rank) return;
  if (g_json) {
    std::string line = JsonLine(level, msg, fields);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
    return;
  }
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
