#pragma once
// Reading event-log segments: one segment at a time (SegmentReader), or the whole log from a
// sequence number on, following new records and rotation (LogReader).
//
// Corruption is reported and skipped, never fatal: a record whose CRC or length is wrong in the
// middle of a segment goes to the Reporter with the segment and offset, and reading resumes at
// the next valid record. Bytes at the end of the newest segment that do not form a complete,
// valid record are a torn tail (or a write in progress): the reader stops before them and, when
// following, tries again later. Not thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

#include "store/log_record.h"

namespace store::log {

// Called for each stretch of corrupt bytes skipped: file path, offset, bytes skipped, reason.
using Reporter =
    std::function<void(const std::string& path, uint64_t offset, uint64_t bytes, std::string_view)>;

class SegmentReader {
 public:
  static absl::StatusOr<std::unique_ptr<SegmentReader>> Open(const std::string& path,
                                                             Reporter reporter);
  ~SegmentReader();
  SegmentReader(const SegmentReader&) = delete;
  SegmentReader& operator=(const SegmentReader&) = delete;

  // The next valid record, or false when none is complete yet. *out's payload stays valid until
  // the next call.
  bool Next(RecordView* out);
  // File offset just past the segment header and the last valid record returned (0 when the
  // header itself is missing or torn).
  uint64_t valid_end() const { return valid_end_; }
  bool header_ok() const { return header_ok_; }
  const std::string& path() const { return path_; }

 private:
  SegmentReader(int fd, std::string path, Reporter reporter);
  // Reads what the file has beyond the buffer; false when nothing new arrived.
  bool Fill();
  bool CheckHeader();

  int fd_;
  std::string path_;
  Reporter reporter_;
  std::string buf_;  // file bytes [base_, base_ + end_); bytes past end_ are spare room
  size_t end_ = 0;
  uint64_t base_ = 0;  // file offset of buf_[0]
  size_t pos_ = 0;     // parse position within buf_
  uint64_t valid_end_ = 0;
  bool header_ok_ = false;
};

// Reads records with seq ≥ `from` across all segments of `dir`, in order.
class LogReader {
 public:
  LogReader(std::string dir, uint64_t from, Reporter reporter);
  ~LogReader();

  // The next record, or false when the log has no more complete records now. With polling
  // (follow), call again later: new records and new segments are picked up.
  absl::StatusOr<bool> Next(RecordView* out);

 private:
  absl::Status OpenSegmentFor(uint64_t seq);

  std::string dir_;
  uint64_t next_seq_;
  Reporter reporter_;
  std::unique_ptr<SegmentReader> segment_;
  uint64_t segment_first_seq_ = 0;
};

}  // namespace store::log
