#include "store/rocks_status.h"

#include <absl/strings/str_cat.h>
#include <rocksdb/status.h>

namespace store {

absl::Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string msg =
      absl::StrCat(absl::string_view(context.data(), context.size()), ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(msg);
  if (s.IsBusy() || s.IsTimedOut() || s.ToString().find("lock") != std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat(msg, " (is another redirector using this data dir?)"));
  }
  return absl::UnavailableError(msg);
}

}  // namespace store
