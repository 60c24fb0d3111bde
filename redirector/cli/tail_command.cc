// `redirector tail`: prints the event log as NDJSON, optionally following new records across
// segment rotation. Corruption is reported on stderr and skipped. A named consumer
// (--consumer NAME) resumes after the last event it was given: its checkpoint
// (DATA_DIR/consumers/NAME) moves after each batch is flushed to stdout, so a consumer that
// dies between the flush and the checkpoint sees that batch again (at least once; (node, seq)
// identifies duplicates), and never misses one.
#include <chrono>
#include <cstdio>
#include <thread>

#include "store/checkpoint.h"
#include "store/event.h"
#include "store/link.h"
#include "store/log_reader.h"

#include "redirector/base/flags.h"
#include "redirector/base/log_line.h"
#include "redirector/cli/commands.h"
#include "redirector/model/json_model.h"

namespace redirector {

int TailMain(int argc, char** argv) {
  std::string data_dir;
  int64_t from = 1;
  bool follow = false;
  std::string consumer;
  Flags flags("redirector tail --data-dir DIR [--from SEQ] [--follow] [--consumer NAME]");
  flags.String("data-dir", &data_dir, "data directory of the daemon");
  flags.Int("from", &from, "first sequence number to print (default 1, or after the checkpoint)");
  flags.Bool("follow", &follow, "keep printing new events as they are written");
  flags.String("consumer", &consumer, "resume after this consumer's checkpoint, and move it");
  if (auto exit = ParseCommandLine(flags, argc, argv, 2, "redirector tail")) return *exit;
  if (data_dir.empty()) {
    std::fputs("redirector tail: --data-dir is required\n", stderr);
    return 2;
  }
  if (from < 1) {
    std::fputs("redirector tail: --from must be 1 or more\n", stderr);
    return 2;
  }
  std::string checkpoint;
  if (!consumer.empty()) {
    if (auto s = store::ValidateId("--consumer", consumer, 64); !s.ok()) {
      std::fprintf(stderr, "redirector tail: %s\n", std::string(s.message()).c_str());
      return 2;
    }
    checkpoint = data_dir + "/consumers/" + consumer;
    auto last = store::log::ReadCheckpoint(checkpoint);
    if (!last.ok()) {
      std::fprintf(stderr, "redirector tail: %s\n", std::string(last.status().message()).c_str());
      return 1;
    }
    if (!flags.Seen("from")) from = static_cast<int64_t>(*last + 1);
  }
  uint64_t delivered = 0;  // last seq written to stdout and flushed, not yet checkpointed
  auto commit = [&]() {
    std::fflush(stdout);
    if (checkpoint.empty() || delivered == 0) return true;
    if (auto s = store::log::WriteCheckpoint(checkpoint, delivered); !s.ok()) {
      std::fprintf(stderr, "redirector tail: %s\n", std::string(s.message()).c_str());
      return false;
    }
    delivered = 0;
    return true;
  };
  store::log::LogReader reader(data_dir + "/events", static_cast<uint64_t>(from),
                               CorruptionToStderr("tail"));
  size_t batch = 0;
  for (;;) {
    store::log::RecordView r;
    auto more = reader.Next(&r);
    if (!more.ok()) {
      std::fprintf(stderr, "redirector tail: %s\n", std::string(more.status().message()).c_str());
      return 1;
    }
    if (*more) {
      delivered = r.seq;  // a record we skip is delivered too: it will not get better
      auto event = store::DecodeEvent(r.type, r.version, r.seq, r.payload);
      if (!event) {
        std::fprintf(stderr, "redirector tail: record %llu has an unknown format, skipped\n",
                     static_cast<unsigned long long>(r.seq));
        continue;
      }
      std::string line = EventToJson(*event);
      line.push_back('\n');
      std::fwrite(line.data(), 1, line.size(), stdout);
      if (++batch == 10000 && !commit()) return 1;
      if (batch == 10000) batch = 0;
      continue;
    }
    batch = 0;
    if (!commit()) return 1;
    if (!follow) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace redirector
