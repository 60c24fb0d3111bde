// `redirector report`: per campaign and variant, clicks by people, conversions, revenue and the
// A/B verdict, from DATA_DIR/links and DATA_DIR/events (report.h says what counts). Reads the
// link database once, read-only, then the event log twice (conversions first, then clicks up
// to the same record): safe while the daemon runs.
#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <tuple>

#include "store/event.h"
#include "store/link_snapshot.h"
#include "store/log_reader.h"

#include "redirector/commands.h"
#include "redirector/flags.h"
#include "redirector/json_model.h"
#include "redirector/log_line.h"
#include "redirector/report.h"
#include "redirector/report_format.h"

namespace redirector {
namespace {

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "redirector report: %s\n", std::string(s.message()).c_str());
  return 1;
}

// Calls `fn` with every decodable event of `type` up to sequence number `last` (0: all);
// returns the last sequence number read.
absl::StatusOr<uint64_t> ForEachEvent(const std::string& dir, store::log::RecordType type,
                                      uint64_t last,
                                      const std::function<void(const store::EventView&)>& fn) {
  store::log::LogReader reader(dir, 1, CorruptionToStderr("report"));
  uint64_t seq = 0;
  for (;;) {
    store::log::RecordView r;
    auto more = reader.Next(&r);
    if (!more.ok()) return more.status();
    if (!*more || (last != 0 && r.seq > last)) return seq;
    seq = r.seq;
    if (r.type != type) continue;
    store::EventView e;
    if (!store::DecodeEventView(r.type, r.version, r.seq, r.payload, &e)) {
      std::fprintf(stderr, "redirector report: record %llu has an unknown format, skipped\n",
                   static_cast<unsigned long long>(r.seq));
      continue;
    }
    fn(e);
  }
}

}  // namespace

int ReportMain(int argc, char** argv) {
  std::string data_dir, from, to, format = "table";
  int64_t min_sample = 100;
  Flags flags(
      "redirector report --data-dir DIR [--from TIME] [--to TIME] [--format table|csv|json] "
      "[--min-sample N]");
  flags.String("data-dir", &data_dir, "data directory of the daemon");
  flags.String("from", &from, "count events at or after this RFC 3339 time");
  flags.String("to", &to, "count events before this RFC 3339 time");
  flags.String("format", &format, "table (default), csv or json");
  flags.Int("min-sample", &min_sample,
            "links sent per variant before an A/B winner may be named (100)");
  if (auto exit = ParseCommandLine(flags, argc, argv, 2, "redirector report")) return *exit;
  if (data_dir.empty()) {
    std::fputs("redirector report: --data-dir is required\n", stderr);
    return 2;
  }
  if (format != "table" && format != "csv" && format != "json") {
    std::fputs("redirector report: --format must be table, csv or json\n", stderr);
    return 2;
  }
  if (min_sample < 0) {
    std::fputs("redirector report: --min-sample must be 0 or more\n", stderr);
    return 2;
  }
  ReportOptions options;
  options.min_sample = static_cast<uint64_t>(min_sample);
  for (auto [flag, text, out] :
       {std::tuple{"--from", &from, &options.from_us}, std::tuple{"--to", &to, &options.to_us}}) {
    if (text->empty()) continue;
    auto us = ParseTimeMicros(*text);
    if (!us.ok()) {
      std::fprintf(stderr, "redirector report: %s: %s\n", flag,
                   std::string(us.status().message()).c_str());
      return 2;
    }
    *out = *us;
  }

  ReportBuilder builder(options);
  absl::Status s = store::ScanLinkDatabase(
      data_dir + "/links", [&](const store::Campaign& c) { builder.AddCampaign(c); },
      [&](const store::Link& l) { builder.AddLink(l); });
  if (!s.ok()) return Fail(s);
  const std::string events = data_dir + "/events";
  auto last = ForEachEvent(events, store::log::RecordType::kConversion, 0,
                           [&](const store::EventView& e) { builder.AddConversion(e); });
  if (!last.ok()) return Fail(last.status());
  if (*last > 0) {
    auto read = ForEachEvent(events, store::log::RecordType::kClick, *last,
                             [&](const store::EventView& e) { builder.AddClick(e); });
    if (!read.ok()) return Fail(read.status());
  }
  Report report = builder.Finish();
  std::string out = format == "json"  ? ReportToJson(report)
                    : format == "csv" ? ReportToCsv(report)
                                      : ReportToTable(report);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace redirector
