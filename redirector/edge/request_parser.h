#pragma once
// RequestParser: Beast's HTTP/1 request parser, keeping only views of the fields the redirect
// path reads (RequestFacts) instead of building a header map, so parsing allocates nothing.
// Feed it one contiguous buffer (put()); the views point into that buffer.
//
// The parser refuses obsolete line folding (RFC 9112 allows a 400) and bodies (a GET or HEAD for a
// code has none): any Content-Length above 0 or chunked body ends the request with an error, as do
// headers over the configured limit. One parser per request: construct a fresh one (e.g.
// std::optional::emplace) for the next.

#include <cstdint>

#include <boost/beast/http/basic_parser.hpp>

#include "redirector/classify/request_facts.h"

namespace redirector {

class RequestParser : public boost::beast::http::basic_parser<true> {
 public:
  struct Limits {
    uint32_t header_bytes = 8192;  // request line + headers (→ header_limit)
    uint32_t target_bytes = 2048;  // request target (→ bad_target, target_too_long())
    uint32_t header_count = 64;    // header fields (→ header_limit)
  };
  explicit RequestParser(const Limits& limits);
  // True when the request failed because its target was over the limit (answer 414).
  bool target_too_long() const { return target_too_long_; }
  // Parses from data[0, n); returns the bytes consumed (need_more: none yet, feed again with
  // more). Use this rather than put(): views are checked to point into this input.
  size_t Feed(const char* data, size_t n, boost::beast::error_code& ec);
  const RequestFacts& facts() const { return facts_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  using verb = boost::beast::http::verb;
  using field = boost::beast::http::field;

  void on_request_impl(verb method, string_view method_str, string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code& ec) override;
  void on_field_impl(field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(boost::optional<std::uint64_t> const& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  RequestFacts facts_;
  uint32_t max_target_;
  uint32_t max_fields_;
  uint32_t fields_ = 0;
  bool target_too_long_ = false;
  const char* input_begin_ = nullptr;
  const char* input_end_ = nullptr;
};

}  // namespace redirector
