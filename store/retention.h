#pragma once
// Event-log retention: which old segments to delete, by total size and age, never one that a
// registered consumer has not yet read past (its checkpoint) unless the log is over a hard cap.
// PlanRetention is pure; ApplyRetention reads the directory and the checkpoints and deletes.
// The newest segment (the one being written) is never deleted.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/statusor.h>

namespace store::log {

struct RetentionOptions {
  uint64_t max_bytes = 0;       // keep the log under this total; 0: no size limit
  int64_t max_age_seconds = 0;  // delete segments last written longer ago; 0: no age limit
  uint64_t hard_cap_bytes = 0;  // over this, delete even unread segments; 0: never
};

struct SegmentInfo {
  uint64_t first_seq = 0;
  uint64_t bytes = 0;
  int64_t mtime = 0;  // Unix seconds of the last write
  std::string path;
};

struct RetentionPlan {
  std::vector<size_t> remove;  // indexes into the segments, oldest first
  size_t forced = 0;           // how many of them a consumer had not read yet (hard cap)
};

// `segments` ordered by first_seq. `min_checkpoint`: the lowest consumer checkpoint (the last
// seq every consumer has taken), or nullopt when there are no consumers.
RetentionPlan PlanRetention(const std::vector<SegmentInfo>& segments, int64_t now,
                            const RetentionOptions& options,
                            std::optional<uint64_t> min_checkpoint);

// Applies the plan to `log_dir`, reading checkpoints from `consumers_dir`. Returns the plan
// carried out; `forced` segments are the caller's to report loudly.
absl::StatusOr<RetentionPlan> ApplyRetention(const std::string& log_dir,
                                             const std::string& consumers_dir, int64_t now,
                                             const RetentionOptions& options);

}  // namespace store::log
