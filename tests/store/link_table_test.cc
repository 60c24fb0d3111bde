#include "store/link_table.h"

#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

#include "store/link_snapshot.h"

#include "testing/temp_dir.h"

using store::Campaign;
using store::Link;
using store::LinkTable;

namespace {
Campaign Spring() {
  Campaign c;
  c.id = "spring";
  c.destination = "https://shop.example/s";
  c.variants = {{"A", ""}, {"B", "https://shop.example/s2"}};
  return c;
}
Link MakeLink(std::string variant, std::string recipient, std::string code = "") {
  Link l;
  l.code = std::move(code);
  l.campaign = "spring";
  l.variant = std::move(variant);
  l.recipient = std::move(recipient);
  l.sent_at = 1790000000;
  return l;
}
}  // namespace

TEST_CASE("Links get unique random 8-character base62 codes", "[store][table]") {
  testing::TempDir dir;
  auto table = LinkTable::Open(dir.Sub("links"));
  REQUIRE(table.ok());
  REQUIRE((*table)->CreateCampaign(Spring()).ok());
  std::vector<Link> links;
  for (int i = 0; i < 2000; ++i)
    links.push_back(MakeLink(i % 2 ? "B" : "A", "r-" + std::to_string(i)));
  REQUIRE((*table)->CreateLinks(&links).ok());
  std::set<std::string> codes;
  for (const Link& l : links) {
    CHECK(l.code.size() == 8);
    for (char c : l.code) CHECK(std::isalnum(static_cast<unsigned char>(c)));
    codes.insert(l.code);
    const store::LinkEntry* e = (*table)->Find(l.code);
    REQUIRE(e != nullptr);
    CHECK(e->recipient() == l.recipient);
  }
  CHECK(codes.size() == 2000);
  // Not sequential: consecutive codes share no long common prefix in general.
  int same_prefix = 0;
  for (size_t i = 1; i < links.size(); ++i) {
    if (links[i].code.substr(0, 4) == links[i - 1].code.substr(0, 4)) ++same_prefix;
  }
  CHECK(same_prefix < 5);
}

TEST_CASE("A bad link stores no link of its batch", "[store][table]") {
  testing::TempDir dir;
  auto table = LinkTable::Open(dir.Sub("links"));
  REQUIRE(table.ok());
  REQUIRE((*table)->CreateCampaign(Spring()).ok());
  std::vector<Link> links = {MakeLink("A", "r-1", "good1234"), MakeLink("C", "r-2")};
  absl::Status s = (*table)->CreateLinks(&links);
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.message().find("link 2") != std::string::npos);
  CHECK((*table)->Find("good1234") == nullptr);
  CHECK((*table)->link_count() == 0);

  std::vector<Link> unknown = {MakeLink("A", "r-1")};
  unknown[0].campaign = "autumn";
  CHECK((*table)->CreateLinks(&unknown).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("A taken code is refused, in the table or in the same batch", "[store][table]") {
  testing::TempDir dir;
  auto table = LinkTable::Open(dir.Sub("links"));
  REQUIRE(table.ok());
  REQUIRE((*table)->CreateCampaign(Spring()).ok());
  std::vector<Link> first = {MakeLink("A", "r-1", "taken01")};
  REQUIRE((*table)->CreateLinks(&first).ok());
  std::vector<Link> again = {MakeLink("A", "r-2", "taken01")};
  CHECK((*table)->CreateLinks(&again).code() == absl::StatusCode::kAlreadyExists);
  std::vector<Link> twice = {MakeLink("A", "r-3", "dup0001"), MakeLink("A", "r-4", "dup0001")};
  CHECK((*table)->CreateLinks(&twice).code() == absl::StatusCode::kAlreadyExists);
  CHECK((*table)->Find("dup0001") == nullptr);
}

TEST_CASE("Campaigns and links survive a reopen, disabling persists", "[store][table]") {
  testing::TempDir dir;
  {
    auto table = LinkTable::Open(dir.Sub("links"));
    REQUIRE(table.ok());
    REQUIRE((*table)->CreateCampaign(Spring()).ok());
    std::vector<Link> links = {MakeLink("B", "r-1", "keepme1"), MakeLink("A", "r-2", "offme01")};
    REQUIRE((*table)->CreateLinks(&links).ok());
    REQUIRE((*table)->DisableLink("offme01").ok());
    CHECK((*table)->DisableLink("nothere").code() == absl::StatusCode::kNotFound);
  }
  auto table = LinkTable::Open(dir.Sub("links"));
  REQUIRE(table.ok());
  CHECK((*table)->link_count() == 2);
  const store::LinkEntry* e = (*table)->Find("keepme1");
  REQUIRE(e != nullptr);
  CHECK(e->variant_index() == 1);
  const store::Campaign* c = (*table)->CampaignOf(*e);
  REQUIRE(c != nullptr);
  CHECK(c->id == "spring");
  CHECK((*table)->Find("offme01")->disabled());
  auto link = (*table)->GetLink("offme01");
  REQUIRE(link.ok());
  CHECK(link->disabled);
}

TEST_CASE("Campaign updates keep variants in place", "[store][table]") {
  testing::TempDir dir;
  auto table = LinkTable::Open(dir.Sub("links"));
  REQUIRE(table.ok());
  REQUIRE((*table)->CreateCampaign(Spring()).ok());
  CHECK((*table)->CreateCampaign(Spring()).code() == absl::StatusCode::kAlreadyExists);
  Campaign c = Spring();
  c.destination = "https://shop.example/new";
  c.variants.push_back({"C", ""});
  REQUIRE((*table)->UpdateCampaign(c).ok());
  CHECK((*table)->GetCampaign("spring")->destination == "https://shop.example/new");
  Campaign reordered = Spring();
  std::swap(reordered.variants[0], reordered.variants[1]);
  CHECK((*table)->UpdateCampaign(reordered).code() == absl::StatusCode::kInvalidArgument);
  Campaign missing = Spring();
  missing.id = "autumn";
  CHECK((*table)->UpdateCampaign(missing).code() == absl::StatusCode::kNotFound);
}

TEST_CASE("A second process cannot open the same table", "[store][table]") {
  testing::TempDir dir;
  auto first = LinkTable::Open(dir.Sub("links"));
  REQUIRE(first.ok());
  auto second = LinkTable::Open(dir.Sub("links"));
  CHECK_FALSE(second.ok());
}

TEST_CASE("A coupon campaign gives every link a unique coupon that finds its link",
          "[store][table][coupon]") {
  testing::TempDir dir;
  {
    auto table = LinkTable::Open(dir.Sub("links"));
    REQUIRE(table.ok());
    Campaign c = Spring();
    c.coupons = true;
    c.coupon_prefix = "SPRING-";
    REQUIRE((*table)->CreateCampaign(c).ok());
    std::vector<Link> links;
    for (int i = 0; i < 500; ++i) links.push_back(MakeLink("A", "r-" + std::to_string(i)));
    links[7].coupon = "mine-0007";  // given: kept, upper-cased
    REQUIRE((*table)->CreateLinks(&links).ok());
    std::set<std::string> seen;
    for (const Link& l : links) {
      CHECK(l.coupon.rfind("SPRING-", 0) == (l.recipient == "r-7" ? std::string::npos : 0));
      seen.insert(l.coupon);
      auto code = (*table)->CodeForCoupon(l.coupon);
      REQUIRE(code.ok());
      CHECK(*code == l.code);
      CHECK((*table)->GetLink(l.code)->coupon == l.coupon);
    }
    CHECK(seen.size() == 500);
    CHECK(links[7].coupon == "MINE-0007");
    CHECK(*(*table)->CodeForCoupon("mine-0007") == links[7].code);
    CHECK((*table)->CodeForCoupon("NOPE-1234").status().code() == absl::StatusCode::kNotFound);

    std::vector<Link> again = {MakeLink("A", "r-x")};
    again[0].coupon = "MINE-0007";
    CHECK((*table)->CreateLinks(&again).code() == absl::StatusCode::kAlreadyExists);
  }
  auto reopened = LinkTable::Open(dir.Sub("links"));
  REQUIRE(reopened.ok());
  CHECK((*reopened)->CodeForCoupon("MINE-0007").ok());
  CHECK((*reopened)->GetCampaign("spring")->coupon_prefix == "SPRING-");
}

TEST_CASE("The ledger remembers order ids and redemptions across a reopen", "[store][ledger]") {
  testing::TempDir dir;
  {
    auto table = LinkTable::Open(dir.Sub("links"));
    REQUIRE(table.ok());
    store::Ledger& ledger = (*table)->ledger();
    CHECK_FALSE(ledger.OrderRecordedAt("o-1")->has_value());
    REQUIRE(ledger.RecordOrders({"o-1", "o-2"}, 42).ok());
    REQUIRE(ledger.RecordRedemption("SPRING-7KQ2", 43).ok());
  }
  auto table = LinkTable::Open(dir.Sub("links"));
  REQUIRE(table.ok());
  CHECK(**(*table)->ledger().OrderRecordedAt("o-2") == 42);
  CHECK(**(*table)->ledger().RedeemedAt("SPRING-7KQ2") == 43);
  CHECK_FALSE((*table)->ledger().RedeemedAt("SPRING-OTHER")->has_value());
}

TEST_CASE("A read-only scan sees campaigns and links while the table is open", "[store][table]") {
  testing::TempDir dir;
  auto table = LinkTable::Open(dir.Sub("links"));
  REQUIRE(table.ok());
  REQUIRE((*table)->CreateCampaign(Spring()).ok());
  std::vector<Link> links = {MakeLink("A", "r-1"), MakeLink("B", "r-2")};
  REQUIRE((*table)->CreateLinks(&links).ok());
  std::vector<std::string> campaigns, recipients;
  REQUIRE(store::ScanLinkDatabase(
              dir.Sub("links"), [&](const Campaign& c) { campaigns.push_back(c.id); },
              [&](const Link& l) { recipients.push_back(l.recipient); })
              .ok());
  CHECK(campaigns == std::vector<std::string>{"spring"});
  std::sort(recipients.begin(), recipients.end());
  CHECK(recipients == std::vector<std::string>{"r-1", "r-2"});
  CHECK(store::ScanLinkDatabase(
            dir.Sub("none"), [](const Campaign&) {}, [](const Link&) {})
            .code() == absl::StatusCode::kNotFound);
}

TEST_CASE("A read-only preload becomes the owner once the old owner closes", "[store][table]") {
  testing::TempDir dir;
  auto owner = LinkTable::Open(dir.Sub("links"));
  REQUIRE(owner.ok());
  REQUIRE((*owner)->CreateCampaign(Spring()).ok());
  std::vector<Link> links = {MakeLink("A", "r1", "code1"), MakeLink("B", "r2", "code2")};
  REQUIRE((*owner)->CreateLinks(&links).ok());

  // The owner still holds the database: a second read-write open is refused, a read-only one
  // loads everything, including what is only in the owner's write-ahead log.
  REQUIRE_FALSE(LinkTable::Open(dir.Sub("links")).ok());
  auto next = LinkTable::OpenReadOnly(dir.Sub("links"));
  REQUIRE(next.ok());
  CHECK((*next)->link_count() == 2);
  REQUIRE((*next)->Find("code2") != nullptr);
  std::vector<Link> refused = {MakeLink("A", "r3")};
  CHECK_FALSE((*next)->CreateLinks(&refused).ok());  // read-only until promoted

  owner->reset();  // the old process exits
  REQUIRE((*next)->Promote().ok());
  std::vector<Link> more = {MakeLink("A", "r3", "code3")};
  REQUIRE((*next)->CreateLinks(&more).ok());
  CHECK((*next)->link_count() == 3);
  next->reset();
  auto reopened = LinkTable::Open(dir.Sub("links"));
  REQUIRE(reopened.ok());
  CHECK((*reopened)->link_count() == 3);
}

TEST_CASE("Promote refuses a database written after the preload", "[store][table]") {
  testing::TempDir dir;
  auto owner = LinkTable::Open(dir.Sub("links"));
  REQUIRE(owner.ok());
  REQUIRE((*owner)->CreateCampaign(Spring()).ok());
  auto next = LinkTable::OpenReadOnly(dir.Sub("links"));
  REQUIRE(next.ok());
  std::vector<Link> late = {MakeLink("A", "r1", "late1")};
  REQUIRE((*owner)->CreateLinks(&late).ok());  // not in next's indexes
  owner->reset();
  auto s = (*next)->Promote();
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  next->reset();
  auto fresh = LinkTable::Open(dir.Sub("links"));
  REQUIRE(fresh.ok());
  CHECK((*fresh)->Find("late1") != nullptr);
}
