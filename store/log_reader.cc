#include "store/log_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <absl/strings/str_cat.h>

#include "store/coding.h"
#include "store/segment_name.h"

#include <fcntl.h>
#include <unistd.h>

namespace store::log {

SegmentReader::SegmentReader(int fd, std::string path, Reporter reporter)
    : fd_(fd), path_(std::move(path)), reporter_(std::move(reporter)) {}

SegmentReader::~SegmentReader() { ::close(fd_); }

absl::StatusOr<std::unique_ptr<SegmentReader>> SegmentReader::Open(const std::string& path,
                                                                   Reporter reporter) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("opening ", path, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<SegmentReader>(new SegmentReader(fd, path, std::move(reporter)));
}

bool SegmentReader::Fill() {
  // Drop what was consumed, so the buffer holds about one chunk: reading a 64 MiB segment must
  // not grow (and page-fault) a 64 MiB buffer.
  if (pos_ > 0 && pos_ >= end_ / 2) {
    std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    base_ += pos_;
    pos_ = 0;
  }
  // Read in place, 64 KiB at first and up to 1 MiB a call as the buffer proves needed (a small
  // segment, or a follower polling, costs little).
  size_t chunk = std::clamp<size_t>(buf_.size(), 64 << 10, 1 << 20);
  if (buf_.size() < end_ + chunk) buf_.resize(end_ + chunk);  // zero-fills only new bytes
  ssize_t n;
  do {
    n = ::pread(fd_, buf_.data() + end_, chunk, static_cast<off_t>(base_ + end_));
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  end_ += static_cast<size_t>(n);
  return true;
}

bool SegmentReader::CheckHeader() {
  if (header_ok_) return true;
  while (end_ < kSegmentHeaderSize) {
    if (!Fill()) return false;
  }
  if (std::string_view(buf_.data(), kSegmentMagic.size()) != kSegmentMagic) {
    if (reporter_) reporter_(path_, 0, end_, "bad segment magic");
    return false;
  }
  header_ok_ = true;
  pos_ = kSegmentHeaderSize;
  valid_end_ = kSegmentHeaderSize;
  return true;
}

bool SegmentReader::Next(RecordView* out) {
  if (!CheckHeader()) return false;
  for (;;) {
    std::string_view rest(buf_.data() + pos_, end_ - pos_);
    switch (ParseRecord(rest, out)) {
      case ParseResult::kOk:
        pos_ += out->size;
        valid_end_ = base_ + pos_;
        return true;
      case ParseResult::kIncomplete:
        if (!Fill()) return false;
        continue;
      case ParseResult::kCorrupt:
        break;
    }
    // Look for the next valid record; without one, the bad bytes are a torn tail (or a write
    // still in progress) and reading stops before them.
    while (Fill()) {
    }
    rest = std::string_view(buf_.data() + pos_, end_ - pos_);
    size_t skip = 1;
    RecordView probe;
    while (skip + kRecordHeaderSize <= rest.size() &&
           ParseRecord(rest.substr(skip), &probe) != ParseResult::kOk) {
      ++skip;
    }
    if (skip + kRecordHeaderSize > rest.size()) return false;
    if (reporter_) reporter_(path_, base_ + pos_, skip, "checksum mismatch or bad length");
    pos_ += skip;
  }
}

LogReader::LogReader(std::string dir, uint64_t from, Reporter reporter)
    : dir_(std::move(dir)), next_seq_(from == 0 ? 1 : from), reporter_(std::move(reporter)) {}

LogReader::~LogReader() = default;

absl::Status LogReader::OpenSegmentFor(uint64_t seq) {
  auto segments = ListSegments(dir_);
  if (!segments.ok()) return segments.status();
  const SegmentFile* best = nullptr;
  for (const auto& s : *segments) {
    if (s.first_seq <= seq) best = &s;
  }
  if (best == nullptr && !segments->empty()) best = &segments->front();
  if (best == nullptr) return absl::OkStatus();
  if (segment_ != nullptr && best->first_seq == segment_first_seq_) return absl::OkStatus();
  auto reader = SegmentReader::Open(best->path, reporter_);
  if (!reader.ok()) return reader.status();
  segment_ = std::move(*reader);
  segment_first_seq_ = best->first_seq;
  return absl::OkStatus();
}

absl::StatusOr<bool> LogReader::Next(RecordView* out) {
  for (;;) {
    if (segment_ == nullptr) {
      if (auto s = OpenSegmentFor(next_seq_); !s.ok()) return s;
      if (segment_ == nullptr) return false;
    }
    while (segment_->Next(out)) {
      if (out->seq >= next_seq_) {
        next_seq_ = out->seq + 1;
        return true;
      }
    }
    // This segment has nothing more now. Move on only if a later segment exists: then this one
    // is complete (the writer starts a new segment only after finishing the old one).
    auto segments = ListSegments(dir_);
    if (!segments.ok()) return segments.status();
    const SegmentFile* later = nullptr;
    for (const auto& s : *segments) {
      if (s.first_seq > segment_first_seq_) {
        later = &s;
        break;
      }
    }
    if (later == nullptr) return false;
    while (segment_->Next(out)) {  // records that landed between the two looks
      if (out->seq >= next_seq_) {
        next_seq_ = out->seq + 1;
        return true;
      }
    }
    auto reader = SegmentReader::Open(later->path, reporter_);
    if (!reader.ok()) return reader.status();
    segment_ = std::move(*reader);
    segment_first_seq_ = later->first_seq;
  }
}

}  // namespace store::log
