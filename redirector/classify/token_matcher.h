#pragma once
// TokenMatcher: finds which of a fixed set of tokens occur in a text, ASCII case-insensitively,
// in one pass (an Aho–Corasick automaton compiled to a dense DFA over byte classes). Linear in
// the text, no allocation per match. Built once, then read-only: safe to share across threads.
//
//   TokenMatcher m({{"whatsapp", 1}, {"bot", 2}});
//   uint64_t groups = m.Match("WhatsApp/2.23");   // bit 1 set

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace redirector {

class TokenMatcher {
 public:
  struct Token {
    std::string text;  // matched case-insensitively; must not be empty. A final NUL byte
                       // anchors the token at the end of the text.
    int group;         // 0..63: the bit set in Match()'s result
  };

  // The automaton has one state per distinct token prefix; states are 16-bit.
  static constexpr size_t kMaxStates = 65535;

  TokenMatcher() = default;
  explicit TokenMatcher(const std::vector<Token>& tokens);

  // The OR of (1 << group) over every token found in `text`.
  uint64_t Match(std::string_view text) const;
  size_t state_count() const { return outputs_.size(); }
  // Unique per constructed matcher in this process (0 for a default-constructed one): lets a
  // cache of results (UaGroupCache) tell matchers apart. Copies share the id and the results.
  uint64_t id() const { return id_; }

 private:
  uint8_t ClassOf(unsigned char c) const { return byte_class_[c]; }

  uint64_t id_ = 0;
  uint8_t byte_class_[256] = {};
  int num_classes_ = 1;
  int row_shift_ = 0;              // log2 of a state's row width (≥ num_classes_)
  std::vector<uint16_t> next_;     // (state << row_shift_) + class → state (BFS-numbered)
  std::vector<uint64_t> outputs_;  // state → groups matched on reaching it
};

}  // namespace redirector
