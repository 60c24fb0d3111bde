#include "store/code_generator.h"

#include <cerrno>

#include <sys/random.h>

namespace store {
namespace {
constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// 248 = 4 * 62: bytes at or above it are rejected so that `byte % 62` is uniform.
constexpr unsigned kRejectFrom = 248;
}  // namespace

bool CodeGenerator::Refill() {
  size_t filled = 0;
  while (filled < sizeof(pool_)) {
    ssize_t n = getrandom(pool_ + filled, sizeof(pool_) - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    filled += static_cast<size_t>(n);
  }
  pos_ = 0;
  return true;
}

absl::StatusOr<std::string> CodeGenerator::Next(size_t length) {
  std::string code;
  code.reserve(length);
  while (code.size() < length) {
    if (pos_ == sizeof(pool_) && !Refill()) {
      return absl::UnavailableError("getrandom failed: cannot draw random codes");
    }
    unsigned byte = pool_[pos_++];
    if (byte < kRejectFrom) code.push_back(kBase62[byte % 62]);
  }
  return code;
}

}  // namespace store
