#include "redirector/sweep_detector.h"

#include <string>

#include <catch2/catch.hpp>

#include "redirector/classify.h"

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
