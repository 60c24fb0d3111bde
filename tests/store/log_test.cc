#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "store/log_reader.h"
#include "store/log_record.h"
#include "store/log_writer.h"
#include "store/segment_name.h"

#include "testing/temp_dir.h"
#include <fcntl.h>
#include <unistd.h>

using store::log::LogOptions;
using store::log::LogReader;
using store::log::LogWriter;
using store::log::ParseRecord;
using store::log::ParseResult;
using store::log::RecordType;
using store::log::RecordView;

namespace {

struct Corruption {
  std::string path;
  uint64_t offset;
  uint64_t bytes;
};

std::vector<std::pair<uint64_t, std::string>> ReadAll(const std::string& dir, uint64_t from,
                                                      std::vector<Corruption>* bad = nullptr) {
  LogReader reader(dir, from,
                   [bad](const std::string& p, uint64_t o, uint64_t b, std::string_view) {
                     if (bad) bad->push_back({p, o, b});
                   });
  std::vector<std::pair<uint64_t, std::string>> out;
  RecordView r;
  for (;;) {
    auto more = reader.Next(&r);
    REQUIRE(more.ok());
    if (!*more) break;
    out.emplace_back(r.seq, std::string(r.payload));
  }
  return out;
}

std::string Payload(int i) {
  return "event-" + std::to_string(i) + std::string(static_cast<size_t>(i % 50), 'x');
}

void WriteN(const std::string& dir, int first, int n, uint64_t segment_bytes = 64 << 20) {
  auto w = LogWriter::Open(LogOptions{dir, segment_bytes}, nullptr);
  REQUIRE(w.ok());
  for (int i = first; i < first + n; ++i) {
    (*w)->Add(RecordType::kClick, 1, Payload(i));
    if (i % 10 == 0) REQUIRE((*w)->Flush().ok());
  }
  REQUIRE((*w)->Flush().ok());
  REQUIRE((*w)->Sync().ok());
}

}  // namespace

TEST_CASE("A framed record parses back, short or altered bytes do not", "[store][log]") {
  std::string buf;
  store::log::AppendRecord(&buf, RecordType::kConversion, 3, 77, "payload");
  RecordView r;
  REQUIRE(ParseRecord(buf, &r) == ParseResult::kOk);
  CHECK(r.type == RecordType::kConversion);
  CHECK(r.version == 3);
  CHECK(r.seq == 77);
  CHECK(r.payload == "payload");
  CHECK(r.size == buf.size());
  for (size_t n = 0; n < buf.size(); ++n) {
    CHECK(ParseRecord(std::string_view(buf).substr(0, n), &r) == ParseResult::kIncomplete);
  }
  for (size_t i = 0; i < buf.size(); ++i) {
    if (i >= 4 && i < 8) continue;  // a changed length reads as incomplete or corrupt
    std::string bad = buf;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    CHECK(ParseRecord(bad, &r) == ParseResult::kCorrupt);
  }
}

TEST_CASE("Everything written is read back in order", "[store][log]") {
  testing::TempDir dir;
  WriteN(dir.path(), 1, 1000);
  auto all = ReadAll(dir.path(), 1);
  REQUIRE(all.size() == 1000);
  for (int i = 0; i < 1000; ++i) {
    CHECK(all[static_cast<size_t>(i)].first == static_cast<uint64_t>(i + 1));
    CHECK(all[static_cast<size_t>(i)].second == Payload(i + 1));
  }
  CHECK(ReadAll(dir.path(), 990).size() == 11);
  CHECK(ReadAll(dir.path(), 1001).empty());
}

TEST_CASE("Segments rotate by size and the reader follows them", "[store][log]") {
  testing::TempDir dir;
  WriteN(dir.path(), 1, 2000, 4096);
  auto segments = store::log::ListSegments(dir.path());
  REQUIRE(segments.ok());
  CHECK(segments->size() > 5);
  CHECK(segments->front().first_seq == 1);
  auto all = ReadAll(dir.path(), 1);
  REQUIRE(all.size() == 2000);
  CHECK(all.back().first == 2000);
  auto tail = ReadAll(dir.path(), 1500);
  REQUIRE(tail.size() == 501);
  CHECK(tail.front().first == 1500);
}

TEST_CASE("Sequence numbers resume after a reopen", "[store][log]") {
  testing::TempDir dir;
  WriteN(dir.path(), 1, 10);
  auto w = LogWriter::Open(LogOptions{dir.path()}, nullptr);
  REQUIRE(w.ok());
  CHECK((*w)->next_seq() == 11);
  CHECK((*w)->Add(RecordType::kClick, 1, "x") == 11);
  REQUIRE((*w)->Flush().ok());
  CHECK(ReadAll(dir.path(), 1).size() == 11);
}

TEST_CASE("A torn tail is truncated at reopen and writing goes on after it", "[store][log]") {
  testing::TempDir dir;
  WriteN(dir.path(), 1, 5);
  std::string seg = dir.path() + "/" + store::log::SegmentFileName(1);
  auto size = std::filesystem::file_size(seg);
  {
    std::string partial;
    store::log::AppendRecord(&partial, RecordType::kClick, 1, 6, "half-written record");
    std::ofstream out(seg, std::ios::app | std::ios::binary);
    out.write(partial.data(), static_cast<std::streamsize>(partial.size() - 5));
  }
  CHECK(ReadAll(dir.path(), 1).size() == 5);  // the reader stops before the torn bytes
  auto w = LogWriter::Open(LogOptions{dir.path()}, nullptr);
  REQUIRE(w.ok());
  CHECK((*w)->recovered_truncated_bytes() > 0);
  CHECK(std::filesystem::file_size(seg) == size);
  CHECK((*w)->next_seq() == 6);
  (*w)->Add(RecordType::kClick, 1, "after");
  REQUIRE((*w)->Flush().ok());
  auto all = ReadAll(dir.path(), 1);
  REQUIRE(all.size() == 6);
  CHECK(all.back().second == "after");
}

TEST_CASE("A corrupt record mid-segment is reported and skipped", "[store][log]") {
  testing::TempDir dir;
  WriteN(dir.path(), 1, 20);
  std::string seg = dir.path() + "/" + store::log::SegmentFileName(1);
  {
    // Flip a byte inside the payload of the third record.
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), {});
    size_t off = store::log::kSegmentHeaderSize;
    RecordView r;
    for (int i = 0; i < 2; ++i) {
      REQUIRE(ParseRecord(std::string_view(bytes).substr(off), &r) == ParseResult::kOk);
      off += r.size;
    }
    f.seekp(static_cast<std::streamoff>(off + store::log::kRecordHeaderSize + 2));
    f.put('#');
  }
  std::vector<Corruption> bad;
  auto all = ReadAll(dir.path(), 1, &bad);
  CHECK(all.size() == 19);
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].path == seg);
  for (const auto& [seq, payload] : all) CHECK(seq != 3);
  // The writer keeps the good records after the bad one and appends after them.
  auto w = LogWriter::Open(LogOptions{dir.path()}, nullptr);
  REQUIRE(w.ok());
  CHECK((*w)->next_seq() == 21);
}

TEST_CASE("Segment names sort by first sequence number", "[store][log]") {
  CHECK(store::log::SegmentFileName(42) == "00000000000000000042.log");
  CHECK(store::log::ParseSegmentFileName("00000000000000000042.log") == 42u);
  CHECK_FALSE(store::log::ParseSegmentFileName("0000000000000000042.log").has_value());
  CHECK_FALSE(store::log::ParseSegmentFileName("0000000000000000004x.log").has_value());
  CHECK_FALSE(store::log::ParseSegmentFileName("99999999999999999999.log").has_value());
}
