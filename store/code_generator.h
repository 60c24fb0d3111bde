#pragma once
// Random short codes: base62 characters drawn from the kernel's CSPRNG (getrandom), by
// rejection sampling so that every character is uniform. Never sequential, so per-recipient
// links cannot be enumerated. Not thread-safe; one generator per writer.

#include <cstddef>
#include <string>
#include <string_view>

#include <absl/status/statusor.h>

namespace store {

class CodeGenerator {
 public:
  static constexpr size_t kDefaultLength = 8;

  static constexpr size_t kCouponLength = 8;

  // Returns a new code of `length` characters, or an error if the kernel's random source fails.
  absl::StatusOr<std::string> Next(size_t length = kDefaultLength);
  // A coupon: `prefix` then `length` characters of an alphabet a person reads aloud and types
  // without mistakes (upper case and digits without 0 O 1 I): 5 bits each.
  absl::StatusOr<std::string> NextCoupon(std::string_view prefix, size_t length = kCouponLength);

 private:
  bool Refill();
  // Appends `length` characters of `alphabet`, each uniform (bytes at or above the largest
  // multiple of the alphabet's size are rejected).
  absl::Status Append(std::string_view alphabet, size_t length, std::string* out);

  unsigned char pool_[512];
  size_t pos_ = sizeof(pool_);
};

}  // namespace store
