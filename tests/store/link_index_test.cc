#include "store/link_index.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

using store::LinkEntryFields;
using store::LinkIndex;

namespace {
LinkEntryFields Fields(std::string_view code, uint32_t campaign = 1, bool disabled = false) {
  LinkEntryFields f;
  f.code = code;
  f.campaign_slot = campaign;
  f.recipient = "r";
  f.sent_at = 100;
  f.disabled = disabled;
  return f;
}
}  // namespace

TEST_CASE("The index finds what was put and nothing else", "[store][index]") {
  LinkIndex index;
  std::string dest = "https://override.example/";
  LinkEntryFields f = Fields("abcd1234", 7);
  f.destination = dest;
  f.variant_index = 2;
  f.expires_at = 500;
  index.Put(f);
  const store::LinkEntry* e = index.Find("abcd1234");
  REQUIRE(e != nullptr);
  CHECK(e->code() == "abcd1234");
  CHECK(e->campaign_slot() == 7);
  CHECK(e->recipient() == "r");
  CHECK(e->destination() == dest);
  CHECK(e->variant_index() == 2);
  CHECK(e->sent_at() == 100);
  CHECK(e->expires_at() == 500);
  CHECK_FALSE(e->disabled());
  CHECK(index.Find("abcd1235") == nullptr);
  CHECK(index.Find("") == nullptr);
  CHECK(index.size() == 1);
}

TEST_CASE("Putting an existing code replaces its entry", "[store][index]") {
  LinkIndex index;
  index.Put(Fields("code1", 1));
  const store::LinkEntry* old = index.Find("code1");
  index.Put(Fields("code1", 1, true));
  CHECK(index.size() == 1);
  CHECK(index.Find("code1")->disabled());
  CHECK_FALSE(old->disabled());  // the old entry stays readable
}

TEST_CASE("The index grows and keeps every entry", "[store][index]") {
  LinkIndex index;
  for (int i = 0; i < 100000; ++i)
    index.Put(Fields("c" + std::to_string(i), static_cast<uint32_t>(i)));
  CHECK(index.size() == 100000);
  for (int i = 0; i < 100000; i += 7) {
    const store::LinkEntry* e = index.Find("c" + std::to_string(i));
    REQUIRE(e != nullptr);
    CHECK(e->campaign_slot() == static_cast<uint32_t>(i));
  }
  CHECK(index.MemoryBytes() > 100000 * 8);
}

TEST_CASE("Readers see every published entry while a writer grows the index", "[store][index]") {
  LinkIndex index;
  constexpr int kLinks = 200000;
  std::atomic<int> published{0};
  std::atomic<bool> failed{false};
  std::thread reader([&] {
    while (published.load(std::memory_order_acquire) < kLinks) {
      int n = published.load(std::memory_order_acquire);
      if (n == 0) continue;
      int probe = n - 1;
      const store::LinkEntry* e = index.Find("k" + std::to_string(probe));
      if (e == nullptr || e->campaign_slot() != static_cast<uint32_t>(probe)) failed = true;
    }
  });
  for (int i = 0; i < kLinks; ++i) {
    index.Put(Fields("k" + std::to_string(i), static_cast<uint32_t>(i)));
    published.store(i + 1, std::memory_order_release);
  }
  reader.join();
  CHECK_FALSE(failed.load());
}

TEST_CASE("Reserve sizes the slots for a load of 3/4 and loading that many does not regrow",
          "[store][index]") {
  LinkIndex index;
  constexpr size_t kLinks = 100000;
  index.Reserve(kLinks);
  size_t reserved = index.capacity();
  CHECK(reserved >= kLinks * 4 / 3);
  CHECK(reserved <= kLinks * 4 / 3 + 16);  // not the next power of two (2^18)
  for (size_t i = 0; i < kLinks; ++i) index.Put(Fields("c" + std::to_string(i)));
  CHECK(index.capacity() == reserved);
  for (size_t i = 0; i < kLinks; ++i) {
    const store::LinkEntry* e = index.Find("c" + std::to_string(i));
    REQUIRE(e != nullptr);
    CHECK(e->recipient() == "r");
  }
  CHECK(index.Find("c" + std::to_string(kLinks)) == nullptr);
}

TEST_CASE("Reserving a little more many times grows the slots geometrically", "[store][index]") {
  LinkIndex index;
  size_t next = 0;
  for (int round = 0; round < 200; ++round) {  // like 200 bulk requests of 1,000 links
    index.Reserve(index.size() + 1000);
    for (int i = 0; i < 1000; ++i) index.Put(Fields("c" + std::to_string(next++)));
  }
  CHECK(index.size() == 200000);
  CHECK(index.capacity() <= 2 * (200000 * 4 / 3 + 16));
  // Entries ~6 MB; slots at most twice 3/4-load's 2.1 MB, plus retired arrays no larger. An
  // exact-fit array per request would have retired ~200 MB.
  CHECK(index.MemoryBytes() < 20 * (size_t{1} << 20));
  CHECK(index.Find("c199999") != nullptr);
}

TEST_CASE("An entry stores only the optional fields its link has", "[store][index]") {
  // Every combination of the optional fields, plus disabled, reads back as written.
  LinkIndex index;
  for (unsigned mask = 0; mask < 64; ++mask) {
    std::string code = "c" + std::to_string(mask);
    LinkEntryFields f;
    f.code = code;
    f.campaign_slot = 0x01020304u + mask;
    f.recipient = mask % 3 == 0 ? "" : "+15550001234";
    if (mask & 1) f.variant_index = 0;
    if (mask & 2) f.sent_at = 0xfffffff0u;
    if (mask & 4) f.expires_at = 1234567;
    if (mask & 8) f.destination = "https://override.example/p?q=1";
    if (mask & 16) f.coupon = "SAVE10";
    f.disabled = (mask & 32) != 0;
    index.Put(f);
    const store::LinkEntry* e = index.Find(code);
    REQUIRE(e != nullptr);
    CHECK(e->code() == code);
    CHECK(e->campaign_slot() == f.campaign_slot);
    CHECK(e->recipient() == f.recipient);
    CHECK(e->variant_index() == f.variant_index);
    CHECK(e->sent_at() == f.sent_at);
    CHECK(e->expires_at() == f.expires_at);
    CHECK(e->destination() == f.destination);
    CHECK(e->coupon() == f.coupon);
    CHECK(e->disabled() == f.disabled);
  }
  // A per-recipient link with a send time: 11 bytes besides its text; every field: 19.
  LinkEntryFields typical;
  typical.code = "aB3xK9qZ";
  typical.recipient = "r-123456";
  typical.sent_at = 1700000000;
  CHECK(LinkIndex::EntryBytes(typical) == 11 + 8 + 8);
  typical.variant_index = 1;
  typical.expires_at = 1800000000;
  typical.destination = "https://x.example/";
  typical.coupon = "C";
  CHECK(LinkIndex::EntryBytes(typical) == 19 + 8 + 8 + 18 + 1);
}
