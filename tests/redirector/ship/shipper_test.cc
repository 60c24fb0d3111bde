#include "redirector/ship/shipper.h"

#include <algorithm>

#include <catch2/catch.hpp>

#include "store/checkpoint.h"
#include "store/event.h"
#include "store/log_writer.h"

#include "testing/temp_dir.h"

namespace {

// Records what it was given; fails the batches it is told to.
class FakePublisher : public redirector::Publisher {
 public:
  absl::Status PublishBatch(const std::vector<redirector::ShipMessage>& batch) override {
    ++calls;
    if (fail_next > 0) {
      --fail_next;
      stored.push_back(batch.front().id);  // a partial batch reached the server
      return absl::UnavailableError("server gone");
    }
    for (const auto& m : batch) stored.push_back(m.id);
    return absl::OkStatus();
  }
  int calls = 0;
  int fail_next = 0;
  std::vector<std::string> stored;
};

void WriteEvents(const std::string& dir, int n) {
  store::log::LogOptions options;
  options.dir = dir;
  auto writer = store::log::LogWriter::Open(options, nullptr);
  REQUIRE(writer.ok());
  for (int i = 0; i < n; ++i) {
    store::Event e;
    e.node = "n1";
    e.code = "abcd1234";
    std::string payload;
    store::EncodeEvent(e, &payload);
    (*writer)->Add(store::log::RecordType::kClick, store::kEventVersion, payload);
  }
  REQUIRE((*writer)->Flush().ok());
}

}  // namespace

TEST_CASE("The shipper moves its checkpoint only past acknowledged batches", "[redirector][ship]") {
  testing::TempDir dir;
  WriteEvents(dir.Sub("events"), 25);
  FakePublisher pub;
  std::string checkpoint = dir.Sub("consumers/ship");
  redirector::Shipper shipper(dir.Sub("events"), checkpoint, &pub, 10);

  REQUIRE(shipper.RunOnce().ok());
  CHECK(shipper.checkpoint() == 25);
  CHECK(*store::log::ReadCheckpoint(checkpoint) == 25);
  CHECK(pub.calls == 3);  // 10 + 10 + 5
  CHECK(pub.stored.front() == "n1:1");
  CHECK(pub.stored.back() == "n1:25");

  // More events; the first attempt fails mid-way, the retry re-sends from the checkpoint.
  WriteEvents(dir.Sub("events"), 15);
  pub.fail_next = 1;
  CHECK_FALSE(shipper.RunOnce().ok());
  CHECK(shipper.checkpoint() == 25);
  REQUIRE(shipper.Rewind().ok());
  REQUIRE(shipper.RunOnce().ok());
  CHECK(shipper.checkpoint() == 40);
  // n1:26 went out twice (once in the failed batch): the server's duplicate window drops it.
  CHECK(std::count(pub.stored.begin(), pub.stored.end(), "n1:26") == 2);

  // A new shipper (a restart) resumes after the checkpoint: nothing is re-sent.
  FakePublisher fresh;
  redirector::Shipper again(dir.Sub("events"), checkpoint, &fresh, 10);
  REQUIRE(again.RunOnce().ok());
  CHECK(fresh.stored.empty());
}
