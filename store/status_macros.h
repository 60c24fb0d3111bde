#pragma once
// Propagation macros for absl::Status, shaped like newer abseil's status_macros.h (Debian's
// abseil 20220623 has none).
//
//   RETURN_IF_ERROR(file->Sync());
//   ASSIGN_OR_RETURN(auto table, LinkTable::Open(dir));

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#define REDIRECTOR_CONCAT_INNER_(a, b) a##b
#define REDIRECTOR_CONCAT_(a, b) REDIRECTOR_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                   \
  do {                                          \
    ::absl::Status redirector_status_ = (expr); \
    if (!redirector_status_.ok()) {             \
      return redirector_status_;                \
    }                                           \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) {                             \
    return std::move(tmp).status();            \
  }                                            \
  lhs = std::move(*tmp)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(REDIRECTOR_CONCAT_(redirector_statusor_, __LINE__), lhs, expr)
