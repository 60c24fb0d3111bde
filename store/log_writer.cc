#include "store/log_writer.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <absl/strings/str_cat.h>

#include "store/coding.h"
#include "store/log_record.h"
#include "store/segment_name.h"
#include "store/status_macros.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace store::log {
namespace {

absl::Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  std::string msg = absl::StrCat(absl::string_view(what.data(), what.size()), " ", path, ": ",
                                 std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::UnavailableError(msg);
}

absl::Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("opening", dir, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("syncing", dir, err);
  return absl::OkStatus();
}

absl::Status WriteAll(int fd, const char* data, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("writing", path, errno);
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

}  // namespace

LogWriter::LogWriter(LogOptions options) : options_(std::move(options)) {}

LogWriter::~LogWriter() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<std::unique_ptr<LogWriter>> LogWriter::Open(const LogOptions& options,
                                                           Reporter reporter) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("creating ", options.dir, ": ", ec.message()));
  std::unique_ptr<LogWriter> w(new LogWriter(options));
  RETURN_IF_ERROR(w->Recover(std::move(reporter)));
  return w;
}

absl::Status LogWriter::Recover(Reporter reporter) {
  ASSIGN_OR_RETURN(auto segments, ListSegments(options_.dir));
  if (segments.empty()) return StartSegment(1);
  const SegmentFile& last = segments.back();
  ASSIGN_OR_RETURN(auto reader, SegmentReader::Open(last.path, reporter));
  uint64_t next = last.first_seq;
  RecordView r;
  while (reader->Next(&r)) next = r.seq + 1;
  uint64_t valid_end = reader->valid_end();
  reader.reset();
  if (valid_end == 0) {  // torn or missing header: nothing valid in this segment
    RETURN_IF_ERROR(StartSegment(last.first_seq));
    next_seq_ = buffer_first_seq_ = last.first_seq;
    return absl::OkStatus();
  }
  fd_ = ::open(last.path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) return ErrnoStatus("opening", last.path, errno);
  path_ = last.path;
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoStatus("stat", path_, errno);
  if (static_cast<uint64_t>(st.st_size) > valid_end) {
    truncated_bytes_ = static_cast<uint64_t>(st.st_size) - valid_end;
    if (::ftruncate(fd_, static_cast<off_t>(valid_end)) != 0) {
      return ErrnoStatus("truncating torn tail of", path_, errno);
    }
    if (::fdatasync(fd_) != 0) return ErrnoStatus("syncing", path_, errno);
  }
  if (::lseek(fd_, static_cast<off_t>(valid_end), SEEK_SET) < 0) {
    return ErrnoStatus("seeking", path_, errno);
  }
  file_size_ = valid_end;
  next_seq_ = buffer_first_seq_ = next;
  return absl::OkStatus();
}

absl::Status LogWriter::StartSegment(uint64_t first_seq) {
  std::string path = options_.dir + "/" + SegmentFileName(first_seq);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("creating", path, errno);
  std::string header(kSegmentMagic);
  PutFixed64(&header, first_seq);
  absl::Status s = WriteAll(fd, header.data(), header.size(), path);
  if (s.ok() && ::fdatasync(fd) != 0) s = ErrnoStatus("syncing", path, errno);
  if (s.ok()) s = SyncDir(options_.dir);
  if (!s.ok()) {
    ::close(fd);
    ::unlink(path.c_str());
    return s;
  }
  fd_ = fd;
  path_ = std::move(path);
  file_size_ = kSegmentHeaderSize;
  return absl::OkStatus();
}

absl::Status LogWriter::CloseSegment() {
  if (fd_ < 0) return absl::OkStatus();
  absl::Status s;
  if (::fdatasync(fd_) != 0) s = ErrnoStatus("syncing", path_, errno);
  ::close(fd_);
  fd_ = -1;
  return s;
}

uint64_t LogWriter::Add(RecordType type, uint8_t version, std::string_view payload) {
  if (buffered_records_ == 0) buffer_first_seq_ = next_seq_;
  AppendRecord(&buffer_, type, version, next_seq_, payload);
  ++buffered_records_;
  return next_seq_++;
}

absl::Status LogWriter::Flush() {
  if (buffer_.empty()) return absl::OkStatus();
  absl::Status s;
  if (fd_ < 0 ||
      (file_size_ > kSegmentHeaderSize && file_size_ + buffer_.size() > options_.segment_bytes)) {
    s = CloseSegment();
    if (s.ok()) s = StartSegment(buffer_first_seq_);
  }
  if (s.ok()) {
    s = WriteAll(fd_, buffer_.data(), buffer_.size(), path_);
    if (s.ok()) {
      file_size_ += buffer_.size();
    } else if (::ftruncate(fd_, static_cast<off_t>(file_size_)) != 0 ||
               ::lseek(fd_, static_cast<off_t>(file_size_), SEEK_SET) < 0) {
      s = absl::Status(s.code(), absl::StrCat(s.message(), "; cutting the partial write failed"));
      ::close(fd_);
      fd_ = -1;  // the next Flush starts a fresh segment
    }
  }
  if (!s.ok()) next_seq_ = buffer_first_seq_;  // dropped records give their numbers back
  buffer_.clear();
  buffered_records_ = 0;
  return s;
}

absl::Status LogWriter::Sync() {
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) return ErrnoStatus("syncing", path_, errno);
  return absl::OkStatus();
}

}  // namespace store::log
