#pragma once
// Building admin API answers: JSON bodies, errors as {"error":"..."}, and the one mapping from
// absl status codes to HTTP statuses.

#include <string>
#include <string_view>

#include <absl/status/status.h>

#include "redirector/admin/admin_api.h"

namespace redirector {

// `body` plus a newline, as application/json.
AdminResponse Json(int status, std::string body);
AdminResponse Error(int status, std::string_view message);
// InvalidArgument 400, NotFound 404, AlreadyExists 409, ResourceExhausted 507, Unavailable and
// DeadlineExceeded 503, anything else 500.
AdminResponse FromStatus(const absl::Status& s);

}  // namespace redirector
