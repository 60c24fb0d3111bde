#include "redirector/edge/response_writer.h"

#include <algorithm>
#include <cstring>
#include <ctime>

namespace redirector {
namespace {

constexpr size_t kOverflow = static_cast<size_t>(-1);

size_t Put(std::string_view s, std::span<char> out, size_t pos) {
  if (pos == kOverflow || pos + s.size() > out.size()) return kOverflow;
  std::copy(s.begin(), s.end(), out.data() + pos);
  return pos + s.size();
}

std::string_view StatusLine(uint16_t status) {
  switch (status) {
    case 200:
      return "HTTP/1.1 200 OK\r\n";
    case 302:
      return "HTTP/1.1 302 Found\r\n";
    case 400:
      return "HTTP/1.1 400 Bad Request\r\n";
    case 404:
      return "HTTP/1.1 404 Not Found\r\n";
    case 405:
      return "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n";
    case 408:
      return "HTTP/1.1 408 Request Timeout\r\n";
    case 410:
      return "HTTP/1.1 410 Gone\r\n";
    case 413:
      return "HTTP/1.1 413 Content Too Large\r\n";
    case 414:
      return "HTTP/1.1 414 URI Too Long\r\n";
    case 431:
      return "HTTP/1.1 431 Request Header Fields Too Large\r\n";
    case 503:
      return "HTTP/1.1 503 Service Unavailable\r\n";
    default:
      return "HTTP/1.1 500 Internal Server Error\r\n";
  }
}

std::string_view BodyFor(uint16_t status) {
  switch (status) {
    case 200:
      return "ok\n";
    case 302:
      return "";
    case 404:
      return "unknown link\n";
    case 410:
      return "this link has expired\n";
    case 405:
      return "method not allowed\n";
    default:
      return "bad request\n";
  }
}

size_t Common(uint16_t status, std::string_view body, bool head, bool keep_alive,
              std::string_view date, std::span<char> out, size_t pos) {
  pos = Put(StatusLine(status), out, pos);
  pos = Put("Server: redirector\r\nDate: ", out, pos);
  pos = Put(date, out, pos);
  if (!keep_alive) pos = Put("\r\nConnection: close", out, pos);
  if (!body.empty()) pos = Put("\r\nContent-Type: text/plain; charset=utf-8", out, pos);
  pos = Put("\r\nContent-Length: ", out, pos);
  char digits[8];
  int n = 0;
  size_t len = body.size();
  do {
    digits[n++] = static_cast<char>('0' + len % 10);
    len /= 10;
  } while (len > 0);
  while (n > 0 && pos != kOverflow && pos < out.size()) out[pos++] = digits[--n];
  if (n > 0) pos = kOverflow;
  pos = Put("\r\n\r\n", out, pos);
  if (!head) pos = Put(body, out, pos);
  return pos;
}

}  // namespace

std::string_view DateCache::Get(int64_t unix_s) {
  if (unix_s != second_) {
    second_ = unix_s;
    time_t t = static_cast<time_t>(unix_s);
    struct tm tm;
    gmtime_r(&t, &tm);
    len_ = strftime(text_, sizeof(text_), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  }
  return {text_, len_};
}

size_t WriteTapResponse(const TapOutcome& outcome, bool head, bool keep_alive,
                        std::string_view date, std::span<char> out, size_t pos) {
  auto status = static_cast<uint16_t>(outcome.status);
  if (outcome.status == TapStatus::kRedirect) {
    pos = Put("HTTP/1.1 302 Found\r\nLocation: ", out, pos);
    pos = Put(outcome.location, out, pos);
    pos = Put("\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer", out, pos);
    pos = Put("\r\nServer: redirector\r\nDate: ", out, pos);
    pos = Put(date, out, pos);
    pos = Put(keep_alive ? "\r\nContent-Length: 0\r\n\r\n"
                         : "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
              out, pos);
  } else {
    pos = Common(status, BodyFor(status), head, keep_alive, date, out, pos);
  }
  return pos == kOverflow ? 0 : pos;
}

size_t WriteErrorResponse(uint16_t status, std::string_view date, std::span<char> out, size_t pos) {
  pos = Common(status, BodyFor(status), false, false, date, out, pos);
  return pos == kOverflow ? 0 : pos;
}

}  // namespace redirector
