#include "redirector/edge/request_parser.h"

#include <boost/beast/http/error.hpp>

#include "redirector/base/ascii.h"

namespace redirector {
namespace {

std::string_view SV(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

RequestParser::RequestParser(const Limits& limits)
    : max_target_(limits.target_bytes), max_fields_(limits.header_count) {
  header_limit(limits.header_bytes);
  body_limit(0);
  eager(true);
}

size_t RequestParser::Feed(const char* data, size_t n, boost::beast::error_code& ec) {
  input_begin_ = data;
  input_end_ = data + n;
  return put(boost::asio::const_buffer(data, n), ec);
}

void RequestParser::on_request_impl(verb method, string_view, string_view target, int version,
                                    error_code& ec) {
  if (target.size() > max_target_) {
    target_too_long_ = true;
    ec = boost::beast::http::error::bad_target;
    return;
  }
  facts_.method = method == verb::get    ? HttpMethod::kGet
                  : method == verb::head ? HttpMethod::kHead
                                         : HttpMethod::kOther;
  facts_.target = SV(target);
  facts_.version = static_cast<unsigned>(version);
}

void RequestParser::on_response_impl(int, string_view, int, error_code& ec) {
  ec = boost::beast::http::error::bad_method;  // never called for a request parser
}

void RequestParser::on_field_impl(field name, string_view name_string, string_view value,
                                  error_code& ec) {
  // Beast accepts obsolete line folding and then hands over a value unfolded into its own
  // temporary buffer: a view we must not keep. RFC 9112 lets a server reject obs-fold with 400
  // instead, which also closes a door to header smuggling.
  if (++fields_ > max_fields_) {
    ec = boost::beast::http::error::header_limit;
    return;
  }
  if (value.data() < input_begin_ || value.data() + value.size() > input_end_) {
    ec = boost::beast::http::error::bad_value;
    return;
  }
  switch (name) {
    case field::user_agent:
      facts_.user_agent = SV(value);
      return;
    case field::accept:
      facts_.has_accept = true;
      return;
    case field::accept_language:
      facts_.has_accept_language = true;
      return;
    case field::unknown:
      if (EqualsNoCase(SV(name_string), "x-forwarded-for")) {
        facts_.x_forwarded_for = SV(value);
      } else if (EqualsNoCase(SV(name_string), "purpose")) {
        facts_.purpose = SV(value);
      } else if (EqualsNoCase(SV(name_string), "sec-purpose")) {
        facts_.sec_purpose = SV(value);
      } else if (EqualsNoCase(SV(name_string), "x-purpose")) {
        facts_.x_purpose = SV(value);
      } else if (EqualsNoCase(SV(name_string), "x-moz")) {
        facts_.x_moz = SV(value);
      }
      return;
    default:
      return;
  }
}

void RequestParser::on_header_impl(error_code&) { facts_.keep_alive = keep_alive(); }

void RequestParser::on_body_init_impl(boost::optional<std::uint64_t> const&, error_code&) {}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) { return body.size(); }

void RequestParser::on_chunk_header_impl(std::uint64_t, string_view, error_code& ec) {
  ec = boost::beast::http::error::body_limit;  // a redirect request carries no body
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace redirector
