#pragma once
// Splitting a text into numbered lines: NDJSON bodies, the classifier's data files.

#include <cstddef>
#include <string_view>
#include <vector>

namespace redirector {

struct NumberedLine {
  size_t number;  // 1-based, counting blank lines, for error messages
  std::string_view text;
};

// The non-blank lines of `body`, trailing '\r' and spaces removed.
inline std::vector<NumberedLine> SplitLines(std::string_view body) {
  std::vector<NumberedLine> lines;
  size_t number = 0;
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    ++number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) lines.push_back({number, line});
  }
  return lines;
}

}  // namespace redirector
