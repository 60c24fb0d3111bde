#pragma once
// The one place a rocksdb::Status becomes an absl::Status.

#include <string_view>

#include <absl/status/status.h>

namespace rocksdb {
class Status;
}

namespace store {

// OK stays OK; otherwise the code maps to the closest canonical code (busy/lock →
// FailedPrecondition, corruption → DataLoss, no space → ResourceExhausted, I/O → Unavailable)
// and the message reads "<context>: <rocksdb message>".
absl::Status FromRocks(const rocksdb::Status& s, std::string_view context);

}  // namespace store
