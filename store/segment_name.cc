#include "store/segment_name.h"

#include <algorithm>
#include <filesystem>

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>

#include "store/log_format.h"

namespace store::log {

std::string SegmentFileName(uint64_t first_seq) { return absl::StrFormat("%020u.log", first_seq); }

std::optional<uint64_t> ParseSegmentFileName(std::string_view name) {
  if (name.size() != 20 + kSegmentSuffix.size() || name.substr(20) != kSegmentSuffix) {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

absl::StatusOr<std::vector<SegmentFile>> ListSegments(const std::string& dir) {
  std::vector<SegmentFile> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec == std::errc::no_such_file_or_directory) return out;
  if (ec) return absl::UnavailableError(absl::StrCat("listing ", dir, ": ", ec.message()));
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (auto seq = ParseSegmentFileName(name)) out.push_back({*seq, entry.path().string()});
  }
  std::sort(out.begin(), out.end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.first_seq < b.first_seq; });
  return out;
}

}  // namespace store::log
