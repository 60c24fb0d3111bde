#pragma once
// Segment file names: the first record's sequence number, zero-padded to 20 digits, + ".log".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/statusor.h>

namespace store::log {

std::string SegmentFileName(uint64_t first_seq);
// The first sequence number a segment file name stands for, or nullopt for other files.
std::optional<uint64_t> ParseSegmentFileName(std::string_view name);

struct SegmentFile {
  uint64_t first_seq;
  std::string path;
};
// The segments in `dir`, ordered by first sequence number. An absent dir has none.
absl::StatusOr<std::vector<SegmentFile>> ListSegments(const std::string& dir);

}  // namespace store::log
