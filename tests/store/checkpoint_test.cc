#include "store/checkpoint.h"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "testing/temp_dir.h"

TEST_CASE("A checkpoint reads back what was written, 0 when absent", "[store][checkpoint]") {
  testing::TempDir dir;
  std::string path = dir.Sub("consumers/agg.checkpoint");
  auto none = store::log::ReadCheckpoint(path);
  REQUIRE(none.ok());
  CHECK(*none == 0);
  REQUIRE(store::log::WriteCheckpoint(path, 42).ok());
  CHECK(*store::log::ReadCheckpoint(path) == 42);
  REQUIRE(store::log::WriteCheckpoint(path, 18446744073709551615ull).ok());
  CHECK(*store::log::ReadCheckpoint(path) == 18446744073709551615ull);
  CHECK_FALSE(std::filesystem::exists(path + ".partial"));
}

TEST_CASE("A leftover partial file does not change the checkpoint", "[store][checkpoint]") {
  testing::TempDir dir;
  std::string path = dir.Sub("c");
  REQUIRE(store::log::WriteCheckpoint(path, 7).ok());
  std::ofstream(path + ".partial") << "99";  // a crash between write and rename
  CHECK(*store::log::ReadCheckpoint(path) == 7);
  REQUIRE(store::log::WriteCheckpoint(path, 8).ok());
  CHECK(*store::log::ReadCheckpoint(path) == 8);
}

TEST_CASE("A corrupt checkpoint is an error, not zero", "[store][checkpoint]") {
  testing::TempDir dir;
  std::string path = dir.Sub("c");
  std::ofstream(path) << "12x";
  CHECK(store::log::ReadCheckpoint(path).status().code() == absl::StatusCode::kDataLoss);
}
