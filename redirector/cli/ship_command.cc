// `redirector ship`: publishes the event log to a NATS JetStream stream, from the consumer's
// checkpoint on, and follows new events (see shipper.h for the guarantees). Runs until SIGTERM
// or SIGINT (finishing the batch in flight), or with --once until it has caught up. When the
// server is down it backs off (0.1 s doubling to 5 s) and retries; nothing is skipped.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "store/link.h"

#include "redirector/base/flags.h"
#include "redirector/base/log_line.h"
#include "redirector/cli/commands.h"
#include "redirector/ship/nats_publisher.h"
#include "redirector/ship/shipper.h"

namespace redirector {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

// Sleeps up to `d`, waking early when asked to stop.
void Nap(std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (!g_stop.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

int ShipMain(int argc, char** argv) {
  std::string data_dir, consumer = "ship";
  NatsOptions nats;
  int64_t batch = 1000;
  bool once = false;
  Flags flags(
      "redirector ship --data-dir DIR [--nats URL] [--stream NAME] [--subject SUBJECT] "
      "[--consumer NAME] [--once]");
  flags.String("data-dir", &data_dir, "data directory of the daemon");
  flags.String("nats", &nats.url, "NATS server URL (nats://127.0.0.1:4222)");
  flags.String("stream", &nats.stream, "JetStream stream, created if missing (REDIRECTOR_EVENTS)");
  flags.String("subject", &nats.subject, "subject events are published to (redirector.events)");
  flags.String("consumer", &consumer, "checkpoint name under DATA_DIR/consumers (ship)");
  flags.Int("batch", &batch, "events per acknowledged batch (1000)");
  flags.Int("duplicate-window-s", &nats.duplicate_window_seconds,
            "JetStream duplicate window when the stream is created here (3600)");
  flags.Int("ack-timeout-ms", &nats.ack_timeout_ms, "wait this long for a batch's acks (10000)");
  flags.Bool("once", &once, "exit 0 once every event written so far is shipped");
  if (auto exit = ParseCommandLine(flags, argc, argv, 2, "redirector ship")) return *exit;
  if (data_dir.empty()) {
    std::fputs("redirector ship: --data-dir is required\n", stderr);
    return 2;
  }
  if (auto s = store::ValidateId("--consumer", consumer, 64); !s.ok()) {
    std::fprintf(stderr, "redirector ship: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (batch < 1 || batch > 100000 || nats.duplicate_window_seconds < 1 ||
      nats.ack_timeout_ms < 100) {
    std::fputs(
        "redirector ship: --batch must be 1..100000, --duplicate-window-s ≥ 1, "
        "--ack-timeout-ms ≥ 100\n",
        stderr);
    return 2;
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);

  std::unique_ptr<NatsPublisher> publisher;
  std::unique_ptr<Shipper> shipper;
  const auto kFirstBackoff = std::chrono::milliseconds(100);
  auto backoff = kFirstBackoff;
  auto fail = [&](std::string_view msg, const absl::Status& s) {
    LogLine(
        "warn", msg,
        {{"error", std::string(s.message())}, {"retry_in_ms", std::to_string(backoff.count())}});
    Nap(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  };
  while (!g_stop.load()) {
    if (publisher == nullptr) {
      auto p = NatsPublisher::Connect(nats);
      if (!p.ok()) {
        fail("nats_unavailable", p.status());
        continue;
      }
      publisher = std::move(*p);
      shipper = std::make_unique<Shipper>(data_dir + "/events", data_dir + "/consumers/" + consumer,
                                          publisher.get(), static_cast<size_t>(batch));
      LogLine("info", "shipping",
              {{"nats", nats.url},
               {"stream", nats.stream},
               {"subject", nats.subject},
               {"consumer", consumer}});
    }
    if (absl::Status s = shipper->RunOnce(); !s.ok()) {
      fail("ship_failed", s);
      if (absl::Status r = shipper->Rewind(); !r.ok()) {
        LogLine("error", "checkpoint_unreadable", {{"error", std::string(r.message())}});
        return 1;
      }
      continue;
    }
    backoff = kFirstBackoff;
    if (once) break;
    Nap(std::chrono::milliseconds(100));
  }
  LogLine("info", "ship_stopped",
          {{"shipped", std::to_string(shipper ? shipper->shipped() : 0)},
           {"checkpoint", std::to_string(shipper ? shipper->checkpoint() : 0)}});
  return 0;
}

}  // namespace redirector
