#include "store/retention.h"

#include <filesystem>

#include <absl/strings/str_cat.h>

#include "store/checkpoint.h"
#include "store/segment_name.h"

namespace store::log {

RetentionPlan PlanRetention(const std::vector<SegmentInfo>& segments, int64_t now,
                            const RetentionOptions& options,
                            std::optional<uint64_t> min_checkpoint) {
  RetentionPlan plan;
  uint64_t total = 0;
  for (const SegmentInfo& s : segments) total += s.bytes;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {  // never the newest
    const SegmentInfo& s = segments[i];
    bool over_size = options.max_bytes > 0 && total > options.max_bytes;
    bool too_old = options.max_age_seconds > 0 && now - s.mtime > options.max_age_seconds;
    bool over_cap = options.hard_cap_bytes > 0 && total > options.hard_cap_bytes;
    if (!over_size && !too_old && !over_cap) break;
    uint64_t last_seq = segments[i + 1].first_seq - 1;
    bool read = !min_checkpoint.has_value() || last_seq <= *min_checkpoint;
    if (!read && !over_cap) break;  // a consumer still needs it
    plan.remove.push_back(i);
    if (!read) ++plan.forced;
    total -= s.bytes;
  }
  return plan;
}

absl::StatusOr<RetentionPlan> ApplyRetention(const std::string& log_dir,
                                             const std::string& consumers_dir, int64_t now,
                                             const RetentionOptions& options) {
  auto files = ListSegments(log_dir);
  if (!files.ok()) return files.status();
  std::vector<SegmentInfo> segments;
  for (const SegmentFile& f : *files) {
    std::error_code ec;
    SegmentInfo info;
    info.first_seq = f.first_seq;
    info.path = f.path;
    info.bytes = std::filesystem::file_size(f.path, ec);
    auto mtime = std::filesystem::last_write_time(f.path, ec);
    if (ec) continue;  // vanished meanwhile
    info.mtime = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::file_clock::to_sys(mtime).time_since_epoch())
                     .count();
    segments.push_back(std::move(info));
  }
  std::optional<uint64_t> min_checkpoint;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(consumers_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.ends_with(".partial")) continue;
    auto seq = ReadCheckpoint(entry.path().string());
    if (!seq.ok()) return seq.status();
    min_checkpoint = min_checkpoint ? std::min(*min_checkpoint, *seq) : *seq;
  }
  RetentionPlan plan = PlanRetention(segments, now, options, min_checkpoint);
  for (size_t i : plan.remove) {
    std::filesystem::remove(segments[i].path, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("removing ", segments[i].path, ": ", ec.message()));
    }
  }
  return plan;
}

}  // namespace store::log
