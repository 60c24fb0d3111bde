#include "redirector/classify/sweep_detector.h"

#include <atomic>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "redirector/classify/classify.h"

using redirector::ParseIp;
using redirector::SweepDetector;

TEST_CASE("A sweep is the hit that makes N different codes from one address in the window",
          "[sweep]") {
  SweepDetector d(1024);
  auto scanner = *ParseIp("198.51.100.7");
  auto person = *ParseIp("198.51.100.8");  // same /24: not the same address
  for (int i = 1; i <= 9; ++i) {
    CHECK_FALSE(d.Observe(scanner, 3, "code-" + std::to_string(i), 1000, 10, 10));
    CHECK_FALSE(d.Observe(scanner, 3, "code-1", 1000, 10, 10));  // repeats do not count
  }
  CHECK_FALSE(d.Observe(person, 3, "code-x", 1001, 10, 10));
  CHECK_FALSE(d.Observe(scanner, 4, "code-10", 1002, 10, 10));  // another campaign
  CHECK(d.Observe(scanner, 3, "code-10", 1002, 10, 10));
  CHECK(d.Observe(scanner, 3, "code-11", 1003, 10, 10));
  CHECK(d.Observe(scanner, 3, "code-1", 1003, 10, 10));  // the sweep goes on
  // The window (10 s from its first hit) ends: counting starts again.
  CHECK_FALSE(d.Observe(scanner, 3, "code-12", 1010, 10, 10));
}

TEST_CASE("A slow reader of many links is not a sweep", "[sweep]") {
  SweepDetector d(1024);
  auto ip = *ParseIp("2001:db8::1");
  for (int i = 0; i < 40; ++i) {
    CHECK_FALSE(d.Observe(ip, 1, "c" + std::to_string(i), 1000 + i * 2, 10, 10));
  }
}

TEST_CASE("A sweep makes a human or bot verdict a scanner and keeps a preview",
          "[sweep][classify]") {
  redirector::Classification human;
  redirector::AddSweepReason(&human, redirector::kReasonSweep);
  CHECK(human.verdict == redirector::Verdict::kScanner);
  CHECK(human.reasons == redirector::kReasonSweep);
  redirector::Classification preview{redirector::Verdict::kPreview, redirector::kReasonUaPreview};
  redirector::AddSweepReason(&preview, redirector::kReasonSweep);
  CHECK(preview.verdict == redirector::Verdict::kPreview);
  CHECK(redirector::ReasonName(redirector::kReasonSweep) == "sweep");
}

namespace {

// Enough raced hits to show the race within a second in a plain build; sanitizers run the code
// 5-15x slower, and ThreadSanitizer checks every access anyway.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr int kRacedHits = 1000000;
#else
constexpr int kRacedHits = 10000000;
#endif

// Two threads observe `hits` taps each, alternating between their own two codes, and count
// the hits judged a sweep. With a threshold of 3 codes no verdict is ever right. A window
// lasts one second of 16 hits' time, so windows restart often (each restart is a race).
int RacedSweepVerdicts(SweepDetector& d, const char* ip_a, const char* ip_b, int hits) {
  std::atomic<int> verdicts{0};
  std::atomic<bool> go{false};
  auto tapper = [&](const char* ip, const char* c1, const char* c2) {
    auto client = *ParseIp(ip);
    while (!go.load(std::memory_order_acquire)) {
    }
    int mine = 0;
    for (int i = 0; i < hits; ++i) {
      mine += d.Observe(client, 7, i % 2 ? c1 : c2, 1000 + i / 16, 3, 1);
    }
    verdicts.fetch_add(mine);
  };
  std::thread a(tapper, ip_a, "a-1", "a-2");
  bool same = std::string_view(ip_a) == ip_b;
  std::thread b(tapper, ip_b, same ? "a-1" : "b-1", same ? "a-2" : "b-2");
  go.store(true, std::memory_order_release);
  a.join();
  b.join();
  return verdicts.load();
}

}  // namespace

TEST_CASE("Clients sharing a slot never make a sweep of codes they did not tap", "[sweep][race]") {
  SweepDetector d(1);  // one slot: every client collides with every other
  // Before the slot was claimed for the check and the count, one worker could reset the window
  // for its client while another, past its key check, counted its code into that window.
  CHECK(RacedSweepVerdicts(d, "198.51.100.7", "203.0.113.9", kRacedHits) == 0);
}

TEST_CASE("One client's two codes tapped on two workers at once are two codes", "[sweep][race]") {
  SweepDetector d(1024);
  // Both workers could find a code missing and count it twice.
  CHECK(RacedSweepVerdicts(d, "198.51.100.7", "198.51.100.7", kRacedHits) == 0);
}
