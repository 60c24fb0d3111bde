#pragma once
// Response bytes for the redirect listener, written straight into a connection's output buffer
// (no Beast response objects on the hot path). Every response has Content-Length, a Date from
// the per-thread DateCache, and "Cache-Control: no-store" on redirects so each tap reaches us.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "redirector/edge/tap.h"

namespace redirector {

// The IMF-fixdate for the current second, formatted once per second per thread.
class DateCache {
 public:
  // `unix_s`: current time; reformats only when the second changed.
  std::string_view Get(int64_t unix_s);

 private:
  int64_t second_ = -1;
  char text_[32] = {};
  size_t len_ = 0;
};

// Writes the response for `outcome` into out[pos...]; returns the new end, or 0 if it does not
// fit. `head`: no body. `keep_alive`: false adds "Connection: close".
size_t WriteTapResponse(const TapOutcome& outcome, bool head, bool keep_alive,
                        std::string_view date, std::span<char> out, size_t pos);

// A bare error response (400, 408, 431, 503) before any request could be parsed; it always
// closes the connection.
size_t WriteErrorResponse(uint16_t status, std::string_view date, std::span<char> out, size_t pos);

}  // namespace redirector
