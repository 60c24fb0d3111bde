#pragma once
// Reading a link database without owning it: for reports and other offline readers, while the
// daemon may hold the database open (RocksDB's read-only mode takes no lock). What it sees is
// the database as of the open: links the daemon writes later are not seen.
//
//   RETURN_IF_ERROR(ScanLinkDatabase(dir + "/links",
//       [&](const Campaign& c) { ... }, [&](const Link& l) { ... }));

#include <functional>
#include <string>

#include <absl/status/status.h>

#include "store/link.h"

namespace store {

// Calls `on_campaign` for every campaign, then `on_link` for every link (in code order).
// NotFound if `dir` holds no link database; DataLoss on a record that does not decode.
absl::Status ScanLinkDatabase(const std::string& dir,
                              const std::function<void(const Campaign&)>& on_campaign,
                              const std::function<void(const Link&)>& on_link);

}  // namespace store
