#include "redirector/ops/upgrade.h"

#include <catch2/catch.hpp>

using redirector::FormatHandover;
using redirector::Handover;
using redirector::ParseHandover;

TEST_CASE("A handover round-trips through its environment text", "[upgrade]") {
  Handover h{{7, 8, 9}, 10, 11, 12};
  std::string text = FormatHandover(h);
  CHECK(text == "public=7,8,9 admin=10 loaded=11 released=12");
  auto back = ParseHandover(text);
  REQUIRE(back.ok());
  CHECK(back->public_fds == std::vector<int>{7, 8, 9});
  CHECK(back->admin_fd == 10);
  CHECK(back->loaded_fd == 11);
  CHECK(back->released_fd == 12);
}

TEST_CASE("A handover that is not exactly ours is refused", "[upgrade]") {
  for (const char* bad : {
           "",                                              // nothing
           "public=3 admin=4 loaded=5",                     // a field missing
           "public=3 admin=4 loaded=5 released=6 extra=7",  // unknown field
           "public=3 admin=4 admin=5 loaded=6 released=7",  // repeated field
           "public=3 admin=4 loaded=5 released=5",          // one descriptor twice
           "public=1 admin=4 loaded=5 released=6",          // stdin/out/err are not ours
           "public=3,x admin=4 loaded=5 released=6",        // not a number
           "public= admin=4 loaded=5 released=6",           // empty list
           "public=3 admin=-4 loaded=5 released=6",         // negative
           "public=3 admin loaded=5 released=6",            // no value
       }) {
    INFO(bad);
    CHECK_FALSE(ParseHandover(bad).ok());
  }
}
