#pragma once
// LogWriter: appends framed records to the newest segment of an event-log directory.
//
// Add() only frames the record into a memory buffer and assigns its sequence number; Flush()
// writes the buffer with one write() (the caller batches: group commit), rotating to a new
// segment first when the current one is full; Sync() makes what was flushed durable. When a
// write fails (disk full, I/O error) the partial bytes are cut off, the buffered records are
// dropped and their sequence numbers are reused, so the log never holds a gap or garbage.
//
// Open() recovers: the newest segment is scanned, a torn tail is truncated, and sequence
// numbers resume after the highest valid record.
//
// Not thread-safe: one writer thread owns it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

#include "store/log_format.h"
#include "store/log_reader.h"

namespace store::log {

struct LogOptions {
  std::string dir;                       // created if missing
  uint64_t segment_bytes = 64ull << 20;  // rotate once a segment has grown past this
};

class LogWriter {
 public:
  static absl::StatusOr<std::unique_ptr<LogWriter>> Open(const LogOptions& options,
                                                         Reporter reporter);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Frames one record into the buffer and returns its sequence number.
  // REQUIRES: payload.size() <= kMaxPayload.
  uint64_t Add(RecordType type, uint8_t version, std::string_view payload);
  // Writes the buffered records. On failure they are dropped (see buffered_records()).
  absl::Status Flush();
  // fdatasync of the current segment.
  absl::Status Sync();

  uint64_t next_seq() const { return next_seq_; }
  size_t buffered_records() const { return buffered_records_; }
  size_t buffered_bytes() const { return buffer_.size(); }
  // Bytes cut off the newest segment by recovery at Open().
  uint64_t recovered_truncated_bytes() const { return truncated_bytes_; }

 private:
  explicit LogWriter(LogOptions options);
  absl::Status Recover(Reporter reporter);
  absl::Status StartSegment(uint64_t first_seq);
  absl::Status CloseSegment();

  LogOptions options_;
  int fd_ = -1;
  std::string path_;
  uint64_t file_size_ = 0;
  uint64_t next_seq_ = 1;
  std::string buffer_;
  uint64_t buffer_first_seq_ = 1;
  size_t buffered_records_ = 0;
  uint64_t truncated_bytes_ = 0;
};

}  // namespace store::log
