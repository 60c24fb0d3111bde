#include "store/checkpoint.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <absl/strings/str_cat.h>

#include <fcntl.h>
#include <unistd.h>

namespace store::log {
namespace {

absl::Status Errno(std::string_view what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(absl::string_view(what.data(), what.size()), " ", path,
                                             ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<uint64_t> ReadCheckpoint(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) return uint64_t{0};
    return Errno("reading", path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  uint64_t seq = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return absl::DataLossError(absl::StrCat("checkpoint ", path, " is not a sequence number"));
  }
  return seq;
}

absl::Status WriteCheckpoint(const std::string& path, uint64_t seq) {
  std::filesystem::path p(path);
  std::error_code ec;
  std::filesystem::create_directories(p.parent_path(), ec);
  if (ec) return absl::UnavailableError(absl::StrCat("creating ", p.parent_path().string()));
  std::string partial = path + ".partial";
  std::string text = absl::StrCat(seq, "\n");
  int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("creating", partial);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) {
    errno = err;
    return Errno("writing", partial);
  }
  if (::rename(partial.c_str(), path.c_str()) != 0) return Errno("renaming", partial);
  int dir = ::open(p.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return absl::OkStatus();
}

}  // namespace store::log
