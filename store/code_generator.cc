#include "store/code_generator.h"

#include <cerrno>

#include <sys/random.h>

namespace store {
namespace {
constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kCouponAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
static_assert(kCouponAlphabet.size() == 32);
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

absl::Status CodeGenerator::Append(std::string_view alphabet, size_t length, std::string* out) {
  const unsigned n = static_cast<unsigned>(alphabet.size());
  const unsigned reject_from = 256 / n * n;  // 248 for base62: `byte % 62` stays uniform
  for (size_t added = 0; added < length;) {
    if (pos_ == sizeof(pool_) && !Refill()) {
      return absl::UnavailableError("getrandom failed: cannot draw random codes");
    }
    unsigned byte = pool_[pos_++];
    if (byte < reject_from) {
      out->push_back(alphabet[byte % n]);
      ++added;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CodeGenerator::Next(size_t length) {
  std::string code;
  code.reserve(length);
  if (absl::Status s = Append(kBase62, length, &code); !s.ok()) return s;
  return code;
}

absl::StatusOr<std::string> CodeGenerator::NextCoupon(std::string_view prefix, size_t length) {
  std::string coupon(prefix);
  if (absl::Status s = Append(kCouponAlphabet, length, &coupon); !s.ok()) return s;
  return coupon;
}

}  // namespace store
