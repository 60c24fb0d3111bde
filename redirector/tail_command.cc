// `redirector tail`: prints the event log as NDJSON, optionally following new records across
// segment rotation. Corruption is reported on stderr and skipped.
#include <chrono>
#include <cstdio>
#include <thread>

#include "store/event.h"
#include "store/log_reader.h"

#include "redirector/commands.h"
#include "redirector/flags.h"
#include "redirector/json_model.h"

namespace redirector {

int TailMain(int argc, char** argv) {
  std::string data_dir;
  int64_t from = 1;
  bool follow = false;
  Flags flags("redirector tail --data-dir DIR [--from SEQ] [--follow]");
  flags.String("data-dir", &data_dir, "data directory of the daemon");
  flags.Int("from", &from, "first sequence number to print (default 1)");
  flags.Bool("follow", &follow, "keep printing new events as they are written");
  if (auto exit = ParseCommandLine(flags, argc, argv, 2, "redirector tail")) return *exit;
  if (data_dir.empty()) {
    std::fputs("redirector tail: --data-dir is required\n", stderr);
    return 2;
  }
  if (from < 1) {
    std::fputs("redirector tail: --from must be 1 or more\n", stderr);
    return 2;
  }
  store::log::LogReader reader(
      data_dir + "/events", static_cast<uint64_t>(from),
      [](const std::string& path, uint64_t offset, uint64_t bytes, std::string_view why) {
        std::fprintf(
            stderr, "redirector tail: corruption in %s at offset %llu: %.*s (%llu bytes skipped)\n",
            path.c_str(), static_cast<unsigned long long>(offset), static_cast<int>(why.size()),
            why.data(), static_cast<unsigned long long>(bytes));
      });
  for (;;) {
    store::log::RecordView r;
    auto more = reader.Next(&r);
    if (!more.ok()) {
      std::fprintf(stderr, "redirector tail: %s\n", std::string(more.status().message()).c_str());
      return 1;
    }
    if (*more) {
      auto event = store::DecodeEvent(r.type, r.version, r.seq, r.payload);
      if (!event) {
        std::fprintf(stderr, "redirector tail: record %llu has an unknown format, skipped\n",
                     static_cast<unsigned long long>(r.seq));
        continue;
      }
      std::string line = EventToJson(*event);
      line.push_back('\n');
      std::fwrite(line.data(), 1, line.size(), stdout);
      continue;
    }
    std::fflush(stdout);
    if (!follow) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace redirector
