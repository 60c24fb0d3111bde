#include "redirector/admin/admin_response.h"

#include <boost/json.hpp>

namespace redirector {

AdminResponse Json(int status, std::string body) {
  AdminResponse r;
  r.status = status;
  r.body = std::move(body);
  r.body.push_back('\n');
  return r;
}

AdminResponse Error(int status, std::string_view message) {
  boost::json::object o;
  o["error"] = boost::json::string_view(message.data(), message.size());
  return Json(status, boost::json::serialize(o));
}

AdminResponse FromStatus(const absl::Status& s) {
  int code = 500;
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      code = 400;
      break;
    case absl::StatusCode::kNotFound:
      code = 404;
      break;
    case absl::StatusCode::kAlreadyExists:
      code = 409;
      break;
    case absl::StatusCode::kResourceExhausted:
      code = 507;
      break;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      code = 503;
      break;
    default:
      break;
  }
  return Error(code, std::string_view(s.message().data(), s.message().size()));
}

}  // namespace redirector
