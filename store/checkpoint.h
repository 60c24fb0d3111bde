#pragma once
// Consumer checkpoints: the last sequence number a named consumer of the event log has taken,
// one small file per consumer. A write goes to "<file>.partial", is synced, then renamed over
// the old file (and the directory synced), so a crash leaves either the old or the new value,
// never a torn one; leftover .partial files are ignored and removed by the next write.
//
//   ASSIGN_OR_RETURN(uint64_t last, ReadCheckpoint(path));   // 0: none yet
//   RETURN_IF_ERROR(WriteCheckpoint(path, last_seq));

#include <cstdint>
#include <string>

#include <absl/status/statusor.h>

namespace store::log {

// 0 if the file does not exist; DataLoss if it holds anything but a number.
absl::StatusOr<uint64_t> ReadCheckpoint(const std::string& path);
// Creates the parent directory if needed.
absl::Status WriteCheckpoint(const std::string& path, uint64_t seq);

}  // namespace store::log
