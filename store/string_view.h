#pragma once
// Debian's abseil (20220623) has its own absl::string_view, a different type from
// std::string_view. These convert at the boundary.

#include <string_view>

#include <absl/strings/string_view.h>

namespace store {

inline absl::string_view AV(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view SV(absl::string_view s) { return {s.data(), s.size()}; }

}  // namespace store
