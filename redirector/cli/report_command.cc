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

#include "redirector/base/flags.h"
#include "redirector/base/log_line.h"
#include "redirector/cli/commands.h"
#include "redirector/model/json_model.h"
#include "redirector/ops/serve_options.h"
#include "redirector/report/reclassify.h"
#include "redirector/report/report.h"
#include "redirector/report/report_format.h"

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
  bool reclassify = false;
  ClassifierConfig classifier;
  HindsightOptions hindsight;
  int64_t sweep_codes = static_cast<int64_t>(hindsight.sweep_codes);
  Flags flags(
      "redirector report --data-dir DIR [--from TIME] [--to TIME] [--format table|csv|json] "
      "[--min-sample N] [--reclassify]");
  flags.String("data-dir", &data_dir, "data directory of the daemon");
  flags.String("from", &from, "count events at or after this RFC 3339 time");
  flags.String("to", &to, "count events before this RFC 3339 time");
  flags.String("format", &format, "table (default), csv or json");
  flags.Int("min-sample", &min_sample,
            "links sent per variant before an A/B winner may be named (100)");
  flags.Bool("reclassify", &reclassify,
             "count each hit by the current classifier and hindsight, not its stored verdict");
  flags.Int("too-soon-seconds", &classifier.too_soon_seconds,
            "with --reclassify: a hit this soon after the send is a scanner (5)");
  flags.Int("sweep-codes", &sweep_codes,
            "with --reclassify: codes of one campaign from one network that make a sweep (10)");
  flags.Int("sweep-window-s", &hindsight.sweep_window_s, "... within this many seconds (60)");
  flags.Int("preview-gap-s", &hindsight.preview_gap_s,
            "with --reclassify: a human-looking hit then another from a different network "
            "within this many seconds was a preview (120)");
  ClassifierFiles classifier_files;  // with --reclassify
  DefineClassifierFileFlags(&flags, &classifier_files);
  if (auto exit = ParseCommandLine(flags, argc, argv, 2, "redirector report")) return *exit;
  if (auto s = LoadClassifierFiles(classifier_files, &classifier); !s.ok()) {
    std::fprintf(stderr, "redirector report: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (data_dir.empty()) {
    std::fputs("redirector report: --data-dir is required\n", stderr);
    return 2;
  }
  if (format != "table" && format != "csv" && format != "json") {
    std::fputs("redirector report: --format must be table, csv or json\n", stderr);
    return 2;
  }
  if (min_sample < 0 || sweep_codes < 2 || hindsight.sweep_window_s < 1 ||
      hindsight.preview_gap_s < 0 || classifier.too_soon_seconds < 0) {
    std::fputs(
        "redirector report: --min-sample and --preview-gap-s must be ≥ 0, --sweep-codes ≥ 2, "
        "--sweep-window-s ≥ 1\n",
        stderr);
    return 2;
  }
  hindsight.sweep_codes = static_cast<size_t>(sweep_codes);
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
  if (*last > 0 && !reclassify) {
    auto read = ForEachEvent(events, store::log::RecordType::kClick, *last,
                             [&](const store::EventView& e) { builder.AddClick(e); });
    if (!read.ok()) return Fail(read.status());
  }
  if (*last > 0 && reclassify) {
    // One pass to classify and see what only hindsight shows, one to count with the verdicts
    // they give (kept by sequence number: a byte per event).
    Hindsight h(hindsight);
    std::vector<Verdict> verdicts(*last + 1, Verdict::kHuman);
    auto read =
        ForEachEvent(events, store::log::RecordType::kClick, *last, [&](const store::EventView& e) {
          Ip16 client;
          verdicts[e.seq] = Classify(FactsOf(e, &client), classifier).verdict;
          h.Add(e, verdicts[e.seq]);
        });
    if (!read.ok()) return Fail(read.status());
    for (const auto& [seq, o] : h.overrides()) verdicts[seq] = o.verdict;
    read = ForEachEvent(events, store::log::RecordType::kClick, *last,
                        [&](const store::EventView& e) { builder.AddClick(e, verdicts[e.seq]); });
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
