#pragma once
// A whole (small) file as a string: config-side inputs such as secrets and classifier data.
// Not for the redirect path.

#include <fstream>
#include <sstream>
#include <string>

#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>

namespace redirector {

// NotFound ("cannot read PATH") if it cannot be opened; Unavailable on a read error.
inline absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::UnavailableError(absl::StrCat("reading ", path));
  return std::move(text).str();
}

}  // namespace redirector
