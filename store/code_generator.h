#pragma once
// Random short codes: base62 characters drawn from the kernel's CSPRNG (getrandom), by
// rejection sampling so that every character is uniform. Never sequential, so per-recipient
// links cannot be enumerated. Not thread-safe; one generator per writer.

#include <cstddef>
#include <string>

#include <absl/status/statusor.h>

namespace store {

class CodeGenerator {
 public:
  static constexpr size_t kDefaultLength = 8;

  // Returns a new code of `length` characters, or an error if the kernel's random source fails.
  absl::StatusOr<std::string> Next(size_t length = kDefaultLength);

 private:
  bool Refill();

  unsigned char pool_[512];
  size_t pos_ = sizeof(pool_);
};

}  // namespace store
