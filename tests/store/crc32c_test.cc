#include "store/crc32c.h"

#include <string>

#include <catch2/catch.hpp>

TEST_CASE("CRC-32C matches the standard check value", "[store][crc]") {
  REQUIRE(store::crc32c::Value("123456789") == 0xE3069283u);
  REQUIRE(store::crc32c::Value("") == 0u);
}

TEST_CASE("CRC-32C can be extended piecewise", "[store][crc]") {
  std::string s = "hello, event log with more than eight bytes";
  uint32_t whole = store::crc32c::Value(s);
  uint32_t part = store::crc32c::Extend(0, s.data(), 7);
  REQUIRE(store::crc32c::Extend(part, s.data() + 7, s.size() - 7) == whole);
}

TEST_CASE("Masking a CRC round-trips and changes the value", "[store][crc]") {
  uint32_t crc = store::crc32c::Value("abc");
  REQUIRE(store::crc32c::Mask(crc) != crc);
  REQUIRE(store::crc32c::Unmask(store::crc32c::Mask(crc)) == crc);
}
