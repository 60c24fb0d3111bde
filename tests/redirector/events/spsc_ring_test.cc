#include "redirector/events/spsc_ring.h"

#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

using redirector::SpscRing;

namespace {
// A record with a variable tail: `len` bytes after it, as HitRecord keeps its user agent.
struct Item {
  long seq = 0;
  uint32_t len = 0;
  char* tail() { return reinterpret_cast<char*>(this + 1); }
  std::string_view text() const { return {reinterpret_cast<const char*>(this + 1), len}; }
};

bool Push(SpscRing<Item>& ring, long seq, std::string_view text) {
  Item* item = ring.Reserve(text.size());
  if (item == nullptr) return false;
  item->seq = seq;
  item->len = static_cast<uint32_t>(text.size());
  std::memcpy(item->tail(), text.data(), text.size());
  ring.Commit();
  return true;
}

std::string TextOf(long seq) {
  return std::string(static_cast<size_t>(seq % 61), char('a' + seq % 26));
}
}  // namespace

TEST_CASE("A ring hands over in order and refuses when full", "[redirector][ring]") {
  SpscRing<int> ring(40);  // rounded up to 64 bytes: four records of an 8-byte frame and an int
  REQUIRE(ring.capacity_bytes() == 64);
  for (int i = 0; i < 4; ++i) {
    int* slot = ring.Reserve();
    REQUIRE(slot != nullptr);
    *slot = i;
    ring.Commit();
  }
  CHECK(ring.committed() == 64);
  CHECK(ring.Reserve() == nullptr);
  REQUIRE(ring.Front() != nullptr);
  CHECK(*ring.Front() == 0);
  ring.Pop();
  REQUIRE(ring.Reserve() != nullptr);  // room again
}

TEST_CASE("Peek shows every committed record, PopPeeked frees exactly those",
          "[redirector][ring]") {
  SpscRing<int> ring(256);
  for (int i = 0; i < 5; ++i) {
    *ring.Reserve() = i;
    ring.Commit();
  }
  std::vector<int> seen;
  auto span = ring.Peek();
  for (const int* v : span) seen.push_back(*v);
  CHECK(span.end_position() == 5 * 16);
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

TEST_CASE("Records take the bytes they need and wrap whole, never split", "[redirector][ring]") {
  SpscRing<Item> ring(128, 40);  // a record: 8-byte frame + 16-byte Item + its text, 8-aligned
  REQUIRE(Push(ring, 1, std::string(40, 'x')));  // 64 bytes: [0, 64)
  REQUIRE(Push(ring, 2, "short"));               // 32 bytes: [64, 96)
  CHECK(ring.committed() == 96);
  CHECK_FALSE(
      Push(ring, 3, std::string(20, 'y')));  // 48 bytes: 32 left at the end, none at the start
  REQUIRE(ring.Front() != nullptr);
  CHECK(ring.Front()->text() == std::string(40, 'x'));
  ring.Pop();                                    // [0, 64) free again
  REQUIRE(Push(ring, 3, std::string(20, 'y')));  // skips the 32 at the end, lands at the start
  CHECK(ring.committed() == 96 + 32 + 48);
  std::vector<long> seqs;
  std::vector<std::string> texts;
  for (const Item* item : ring.Peek()) {
    seqs.push_back(item->seq);
    texts.emplace_back(item->text());
  }
  ring.PopPeeked();
  CHECK(seqs == std::vector<long>{2, 3});
  CHECK(texts == std::vector<std::string>{"short", std::string(20, 'y')});
  CHECK(ring.Front() == nullptr);
  CHECK(ring.Reserve(41) == nullptr);  // more than the ring was made for: always refused
}

TEST_CASE("The largest record fits an empty ring wherever its head is", "[redirector][ring]") {
  // 104-byte records (80 bytes of text). A 128-byte ring refused them forever once its head
  // was past offset 24 (too little room before the end, too little after skipping to the start);
  // the ring now takes at least twice the largest record.
  SpscRing<Item> ring(128, 80);
  CHECK(ring.capacity_bytes() == 256);
  for (long head = 0; head < 40; ++head) {
    REQUIRE(Push(ring, head, std::string(static_cast<size_t>(head % 41), 'h')));  // moves the head
    ring.Pop();
    REQUIRE(ring.Front() == nullptr);
    REQUIRE(Push(ring, -1, std::string(80, 'L')));
    REQUIRE(ring.Front()->text() == std::string(80, 'L'));
    ring.Pop();
  }
}

TEST_CASE("Pop without Front steps over the padding of a wrap", "[redirector][ring]") {
  SpscRing<Item> ring(128, 20);
  for (long i = 0; i < 100; ++i) {  // 48-byte records: every third wraps after 32 bytes of padding
    REQUIRE(Push(ring, i, std::string(20, 'z')));
    ring.Pop();
  }
  CHECK(ring.Front() == nullptr);
  REQUIRE(Push(ring, 100, "last"));
  REQUIRE(ring.Front() != nullptr);
  CHECK(ring.Front()->seq == 100);
}

TEST_CASE("A producer and a consumer thread lose, reorder and tear nothing", "[redirector][ring]") {
  SpscRing<Item> ring(512, 60);  // small: records of 24 to 88 bytes wrap constantly
  constexpr long kCount = 200000;
  std::thread producer([&] {
    for (long i = 0; i < kCount;) {
      if (Push(ring, i, TextOf(i))) ++i;
    }
  });
  long expected = 0;
  bool intact = true;
  while (expected < kCount) {
    for (const Item* item : ring.Peek()) {
      if (item->seq != expected || item->text() != TextOf(expected)) intact = false;
      ++expected;
    }
    ring.PopPeeked();
  }
  producer.join();
  CHECK(intact);
  CHECK(expected == kCount);
}
