#include "store/retention.h"

#include <filesystem>

#include <catch2/catch.hpp>

#include "store/checkpoint.h"
#include "store/log_writer.h"
#include "store/segment_name.h"

#include "testing/temp_dir.h"

using store::log::PlanRetention;
using store::log::RetentionOptions;
using store::log::SegmentInfo;

namespace {
// Five segments of 100 bytes holding seqs 1-10, 11-20, ..., 41-50; written at t = 0, 10, ...
std::vector<SegmentInfo> Five() {
  std::vector<SegmentInfo> s;
  for (int i = 0; i < 5; ++i) {
    s.push_back({static_cast<uint64_t>(i * 10 + 1), 100, i * 10, ""});
  }
  return s;
}
}  // namespace

TEST_CASE("Retention by size deletes the oldest segments, never the newest", "[store][retention]") {
  RetentionOptions o;
  o.max_bytes = 250;
  auto plan = PlanRetention(Five(), 100, o, std::nullopt);
  CHECK(plan.remove == std::vector<size_t>{0, 1, 2});
  CHECK(plan.forced == 0);
  o.max_bytes = 1;
  CHECK(PlanRetention(Five(), 100, o, std::nullopt).remove.size() == 4);
}

TEST_CASE("Retention by age deletes what was last written too long ago", "[store][retention]") {
  RetentionOptions o;
  o.max_age_seconds = 75;
  // Last written 100, 90, 80, 70, 60 seconds ago.
  CHECK(PlanRetention(Five(), 100, o, std::nullopt).remove == std::vector<size_t>{0, 1, 2});
}

TEST_CASE("A segment a consumer has not read past stays, unless over the hard cap",
          "[store][retention]") {
  RetentionOptions o;
  o.max_bytes = 100;
  // The slowest consumer has taken up to seq 15: only the first segment (1-10) is read.
  auto plan = PlanRetention(Five(), 100, o, uint64_t{15});
  CHECK(plan.remove == std::vector<size_t>{0});
  o.hard_cap_bytes = 300;
  plan = PlanRetention(Five(), 100, o, uint64_t{15});
  CHECK(plan.remove == std::vector<size_t>{0, 1});  // 500 → 300 bytes: one unread one goes
  CHECK(plan.forced == 1);
}

TEST_CASE("Retention on disk honours consumer checkpoints", "[store][retention]") {
  testing::TempDir dir;
  std::string log_dir = dir.Sub("events");
  {
    auto w = store::log::LogWriter::Open({log_dir, 1024}, nullptr);
    REQUIRE(w.ok());
    for (int i = 0; i < 200; ++i) {
      (*w)->Add(store::log::RecordType::kClick, 2, std::string(100, 'x'));
      REQUIRE((*w)->Flush().ok());
    }
  }
  auto before = store::log::ListSegments(log_dir);
  REQUIRE(before.ok());
  REQUIRE(before->size() > 5);
  REQUIRE(store::log::WriteCheckpoint(dir.Sub("consumers/agg"), (*before)[3].first_seq - 1).ok());
  RetentionOptions o;
  o.max_bytes = 1;
  auto plan = store::log::ApplyRetention(log_dir, dir.Sub("consumers"), 0, o);
  REQUIRE(plan.ok());
  CHECK(plan->remove.size() == 3);  // segments 0-2 were read by `agg`
  auto after = store::log::ListSegments(log_dir);
  REQUIRE(after.ok());
  CHECK(after->size() == before->size() - 3);
  CHECK(after->front().first_seq == (*before)[3].first_seq);
}
