#include "redirector/report/reclassify.h"

#include <algorithm>
#include <optional>

#include <absl/strings/str_cat.h>

#include "redirector/classify/cidr.h"
#include "redirector/classify/request_facts.h"

namespace redirector {

HitFacts FactsOf(const store::EventView& e, Ip16* client) {
  HitFacts f;
  if (auto ip = ParseIp(e.ip)) {
    *client = *ip;
    f.client = client;
  }
  f.method = e.method == "GET"    ? HttpMethod::kGet
             : e.method == "HEAD" ? HttpMethod::kHead
                                  : HttpMethod::kOther;
  f.user_agent = e.ua;
  f.seconds_since_sent = e.seconds_since_sent;
  e.signals.ForEach([&f](std::string_view name) {
    if (name == SignalName(0)) f.has_accept = true;
    if (name == SignalName(1)) f.has_accept_language = true;
    if (name == SignalName(2)) f.purpose = "prefetch";
    if (name == SignalName(3)) f.sec_purpose = "prefetch";
    if (name == SignalName(4)) f.x_purpose = "preview";
    if (name == SignalName(5)) f.x_moz = "prefetch";
  });
  return f;
}

std::string NetworkOf(std::string_view ip) {
  std::optional<Ip16> parsed = ParseIp(ip);
  if (!parsed) return std::string(ip);
  const Ip16& a = *parsed;
  if (std::all_of(a.begin(), a.begin() + 10, [](uint8_t b) { return b == 0; }) && a[10] == 0xff &&
      a[11] == 0xff) {  // IPv4, or IPv4-mapped IPv6 (the same host)
    return absl::StrCat(unsigned{a[12]}, ".", unsigned{a[13]}, ".", unsigned{a[14]});
  }
  auto group = [&a](size_t i) { return absl::Hex((a[2 * i] << 8) | a[2 * i + 1]); };
  return absl::StrCat(group(0), ":", group(1), ":", group(2));
}

void Hindsight::Add(const store::EventView& e, Verdict verdict) {
  bool human = verdict == Verdict::kHuman;
  std::string network = NetworkOf(e.ip);

  // A sweep: the campaign's links from one network, many different codes, in a short window.
  if (!e.campaign.empty() && !e.ip.empty()) {
    std::string key(e.campaign);
    key.push_back('\0');
    key.append(network);
    Window& w = sweeps_[key];
    const int64_t window_us = options_.sweep_window_s * 1000000;
    while (!w.hits.empty() && e.ts_us - w.hits.front().ts_us > window_us) {
      auto it = w.codes.find(w.hits.front().code);
      if (--it->second == 0) w.codes.erase(it);
      w.hits.pop_front();
    }
    w.hits.push_back({e.ts_us, e.seq, std::string(e.code), human || verdict == Verdict::kBot});
    ++w.codes[w.hits.back().code];
    if (w.codes.size() >= options_.sweep_codes) {
      // Newest first, down to what an earlier hit of this sweep already marked: each hit is
      // visited once.
      for (auto h = w.hits.rbegin(); h != w.hits.rend() && h->seq > w.marked_through; ++h) {
        if (h->retag) overrides_[h->seq] = {Verdict::kScanner, ReasonName(kReasonSweep)};
      }
      w.marked_through = e.seq;
    }
  }

  // A preview, then the person: two human-looking hits on one code from two networks.
  std::string code(e.code);
  auto it = last_.find(code);
  if (it != last_.end()) {
    Last& prev = it->second;
    if (human && prev.human && prev.network != network &&
        e.ts_us - prev.ts_us <= options_.preview_gap_s * 1000000 &&
        !overrides_.contains(prev.seq)) {
      overrides_[prev.seq] = {Verdict::kPreview, "preview_then_person"};
    }
    prev = {e.ts_us, e.seq, std::move(network), human};
  } else {
    last_.emplace(std::move(code), Last{e.ts_us, e.seq, std::move(network), human});
  }
}

}  // namespace redirector
