#include "redirector/model/click_id.h"

#include <cctype>
#include <set>
#include <string>

#include <catch2/catch.hpp>

TEST_CASE("Click ids are unique per worker and across nodes", "[redirector][clickid]") {
  redirector::ClickIdGenerator a("edge-1", 1790000000000, 0);
  redirector::ClickIdGenerator b("edge-1", 1790000000000, 1);
  redirector::ClickIdGenerator c("edge-2", 1790000000000, 0);
  redirector::ClickIdGenerator d("edge-1", 1790000000001, 0);  // a restart
  std::set<std::string> seen;
  char buf[redirector::kClickIdLength];
  for (auto* g : {&a, &b, &c, &d}) {
    for (int i = 0; i < 10000; ++i) {
      g->Next(buf);
      std::string id(buf, sizeof(buf));
      for (char ch : id) REQUIRE(std::isalnum(static_cast<unsigned char>(ch)));
      seen.insert(id);
    }
  }
  CHECK(seen.size() == 40000);
}
