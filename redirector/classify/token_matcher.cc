#include "redirector/classify/token_matcher.h"

#include <atomic>
#include <cassert>
#include <deque>

#include "redirector/base/ascii.h"

namespace redirector {

TokenMatcher::TokenMatcher(const std::vector<Token>& tokens) {
  static std::atomic<uint64_t> last_id{0};
  id_ = last_id.fetch_add(1, std::memory_order_relaxed) + 1;
  // Byte classes: every byte that appears in a token gets its own class (case folded); all
  // others share class 0. Keeps the DFA small.
  for (const Token& t : tokens) {
    for (char ch : t.text) {
      unsigned char c = static_cast<unsigned char>(AsciiLower(ch));
      if (byte_class_[c] == 0) {
        assert(num_classes_ < 255);
        byte_class_[c] = static_cast<uint8_t>(num_classes_++);
      }
    }
  }
  for (int c = 'A'; c <= 'Z'; ++c) byte_class_[c] = byte_class_[c - 'A' + 'a'];

  // Trie with goto edges, then failure links by BFS, folded into a full DFA.
  auto n = static_cast<size_t>(num_classes_);
  std::vector<int32_t> trie(n, -1);
  outputs_.assign(1, 0);
  for (const Token& t : tokens) {
    assert(!t.text.empty() && t.group >= 0 && t.group < 64);
    size_t s = 0;
    for (char ch : t.text) {
      size_t k = s * n + byte_class_[static_cast<unsigned char>(ch)];
      if (trie[k] < 0) {
        trie[k] = static_cast<int32_t>(outputs_.size());
        outputs_.push_back(0);
        trie.resize(trie.size() + n, -1);
      }
      s = static_cast<size_t>(trie[k]);
    }
    outputs_[s] |= uint64_t{1} << t.group;
  }
  size_t states = outputs_.size();
  assert(states <= kMaxStates);
  std::vector<uint32_t> next(states * n, 0);
  std::vector<uint32_t> fail(states, 0);
  std::vector<uint32_t> bfs_order = {0};  // shallow states first: the hot ones share cache lines
  std::deque<uint32_t> queue;
  for (size_t c = 0; c < n; ++c) {
    if (trie[c] > 0) {
      next[c] = static_cast<uint32_t>(trie[c]);
      queue.push_back(static_cast<uint32_t>(trie[c]));
    }
  }
  while (!queue.empty()) {
    uint32_t s = queue.front();
    queue.pop_front();
    bfs_order.push_back(s);
    outputs_[s] |= outputs_[fail[s]];
    for (size_t c = 0; c < n; ++c) {
      int32_t t = trie[s * n + c];
      if (t > 0) {
        fail[static_cast<size_t>(t)] = next[fail[s] * n + c];
        next[s * n + c] = static_cast<uint32_t>(t);
        queue.push_back(static_cast<uint32_t>(t));
      } else {
        next[s * n + c] = next[fail[s] * n + c];
      }
    }
  }
  // Renumber states in BFS order into the compact table. Rows are a power of two wide, so the
  // per-byte step is a shift, not a multiply, on the loop's dependency chain.
  while ((size_t{1} << row_shift_) < n) ++row_shift_;
  size_t row = size_t{1} << row_shift_;
  std::vector<uint16_t> renumber(states);
  for (size_t i = 0; i < bfs_order.size(); ++i) renumber[bfs_order[i]] = static_cast<uint16_t>(i);
  next_.assign(states * row, 0);
  std::vector<uint64_t> outputs(states);
  for (size_t old_state = 0; old_state < states; ++old_state) {
    size_t s = renumber[old_state];
    outputs[s] = outputs_[old_state];
    for (size_t c = 0; c < n; ++c) next_[s * row + c] = renumber[next[old_state * n + c]];
  }
  outputs_ = std::move(outputs);
}

uint64_t TokenMatcher::Match(std::string_view text) const {
  if (next_.empty()) return 0;
  uint64_t found = 0;
  uint32_t s = 0;
  const int shift = row_shift_;
  for (char ch : text) {
    s = next_[(s << shift) + ClassOf(static_cast<unsigned char>(ch))];
    found |= outputs_[s];
  }
  // The end of the text reads as one NUL byte, so "bot\0" matches "...Bot" at the end only.
  s = next_[(s << shift) + ClassOf(0)];
  found |= outputs_[s];
  return found;
}

}  // namespace redirector
