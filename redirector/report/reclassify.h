#pragma once
// Re-judging stored hits (`report --reclassify`): the current classifier over what each click
// event kept of its request, plus what only hindsight shows, which no inline classifier can
// know when it answers the tap:
//
// - a sweep: one network (an IPv4 /24, an IPv6 /48) hitting `sweep_codes` or more different
//   codes of one campaign within `sweep_window_s` is a scanner — all of those hits, the first
//   ones included, which looked human when they came;
// - a preview, then the person: a hit judged human followed within `preview_gap_s` by another
//   human-looking hit on the same code from a different network was a previewer fetching the
//   link (a messaging app's servers), and the second hit is the person.
//
// Pure: Hindsight is fed clicks in log order and yields overrides by sequence number.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include <absl/container/flat_hash_map.h>

#include "store/event.h"

#include "redirector/classify/classify.h"

namespace redirector {

// The classifier's input rebuilt from a stored click: method, user agent, seconds since sent,
// and which telling headers were present. Their values are not stored: a present Purpose,
// Sec-Purpose or X-Moz counts as "prefetch", a present X-Purpose as "preview".
// `client` holds the parsed address the facts point to (left unset if the event has none).
HitFacts FactsOf(const store::EventView& click, Ip16* client);

struct HindsightOptions {
  int64_t sweep_window_s = 60;
  size_t sweep_codes = 10;
  int64_t preview_gap_s = 120;
};

struct Override {
  Verdict verdict;
  std::string_view reason;  // "sweep" or "preview_then_person"
};

class Hindsight {
 public:
  explicit Hindsight(HindsightOptions options = {}) : options_(options) {}

  // Clicks in log order, each with the verdict the classifier gives it now.
  void Add(const store::EventView& click, Verdict verdict);
  // Verdicts that hindsight changes, by sequence number.
  const absl::flat_hash_map<uint64_t, Override>& overrides() const { return overrides_; }

 private:
  struct Hit {
    int64_t ts_us;
    uint64_t seq;
    std::string code;
    bool retag;  // judged human or bot: a sweep makes it a scanner
  };
  struct Window {
    std::deque<Hit> hits;
    absl::flat_hash_map<std::string, uint32_t> codes;  // code → hits in the window
    uint64_t marked_through = 0;                       // hits up to this seq are marked
  };
  struct Last {
    int64_t ts_us;
    uint64_t seq;
    std::string network;
    bool human;
  };

  HindsightOptions options_;
  absl::flat_hash_map<std::string, Window> sweeps_;  // campaign\0network
  absl::flat_hash_map<std::string, Last> last_;      // code → its latest hit
  absl::flat_hash_map<uint64_t, Override> overrides_;
};

// The client's network as text: IPv4 /24 ("203.0.113.9" → "203.0.113"), IPv6 /48 in its
// shortest hex ("2001:0db8:0001::5" and "2001:db8:1:2::5" → "2001:db8:1"); an IPv4-mapped IPv6
// address counts as its IPv4 form. Anything that is not an address is returned as is.
std::string NetworkOf(std::string_view ip);

}  // namespace redirector
