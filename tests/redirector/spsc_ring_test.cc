#include "redirector/spsc_ring.h"

#include <thread>
#include <vector>

#include <catch2/catch.hpp>

using redirector::SpscRing;

TEST_CASE("A ring hands over in order and refuses when full", "[redirector][ring]") {
  SpscRing<int> ring(3);  // rounded up to 4
  REQUIRE(ring.capacity() == 4);
  for (int i = 0; i < 4; ++i) {
    int* slot = ring.Reserve();
    REQUIRE(slot != nullptr);
    *slot = i;
    ring.Commit();
  }
  CHECK(ring.Reserve() == nullptr);
  REQUIRE(ring.Front() != nullptr);
  CHECK(*ring.Front() == 0);
  ring.Pop();
  REQUIRE(ring.Reserve() != nullptr);  // room again
}

TEST_CASE("Peek shows every committed slot; PopPeeked frees exactly those", "[redirector][ring]") {
  SpscRing<int> ring(8);
  for (int i = 0; i < 5; ++i) {
    *ring.Reserve() = i;
    ring.Commit();
  }
  std::vector<int> seen;
  for (const int* v : ring.Peek()) seen.push_back(*v);
  *ring.Reserve() = 5;  // committed after the peek: stays for the next one
  ring.Commit();
  ring.PopPeeked();
  CHECK(seen == std::vector<int>{0, 1, 2, 3, 4});
  seen.clear();
  for (const int* v : ring.Peek()) seen.push_back(*v);
  ring.PopPeeked();
  CHECK(seen == std::vector<int>{5});
  CHECK(ring.Front() == nullptr);
}

TEST_CASE("A producer and a consumer thread lose and reorder nothing", "[redirector][ring]") {
  SpscRing<long> ring(64);
  constexpr long kCount = 200000;
  std::thread producer([&] {
    for (long i = 0; i < kCount;) {
      if (long* slot = ring.Reserve()) {
        *slot = i++;
        ring.Commit();
      }
    }
  });
  long expected = 0;
  bool in_order = true;
  while (expected < kCount) {
    for (const long* v : ring.Peek()) {
      if (*v != expected) in_order = false;
      ++expected;
    }
    ring.PopPeeked();
  }
  producer.join();
  CHECK(in_order);
  CHECK(expected == kCount);
}
