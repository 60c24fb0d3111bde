// `redirector serve`: wires the link table, event log, public and admin listeners together,
// then waits for signals: SIGTERM/SIGINT shut down gracefully (drain, flush, sync, exit 0),
// SIGHUP reloads the config, SIGUSR2 hands over to a new binary (upgrade.h).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

#include <absl/strings/str_cat.h>

#include "store/link_table.h"
#include "store/log_writer.h"

#include "redirector/admin/admin_server.h"
#include "redirector/base/config_file.h"
#include "redirector/base/flags.h"
#include "redirector/base/log_line.h"
#include "redirector/cli/commands.h"
#include "redirector/edge/public_server.h"
#include "redirector/events/event_sink.h"
#include "redirector/ops/metrics.h"
#include "redirector/ops/sd_notify.h"
#include "redirector/ops/serve_options.h"
#include "redirector/ops/upgrade.h"

#include <signal.h>
#include <unistd.h>

namespace redirector {
namespace {

absl::Status SeedDemo(store::LinkTable& table, int64_t now_s) {
  if (table.GetCampaign("demo").ok()) return absl::OkStatus();
  store::Campaign c;
  c.id = "demo";
  c.destination = "https://example.com/landing?ref=sms";
  c.utm = {{"source", "sms"}, {"medium", "sms"}, {"campaign", "demo"}};
  c.variants = {{"A", ""}, {"B", "https://example.com/landing-b"}};
  c.coupons = true;
  c.coupon_prefix = "DEMO-";
  if (auto s = table.CreateCampaign(c); !s.ok()) return s;
  std::vector<store::Link> links(2);
  const char* codes[] = {"demo-a", "demo-b"};
  for (size_t i = 0; i < links.size(); ++i) {
    links[i].code = codes[i];
    links[i].campaign = "demo";
    links[i].variant = i == 0 ? "A" : "B";
    links[i].recipient = "demo-recipient-" + std::to_string(i + 1);
    links[i].sent_at = now_s - 60;
  }
  return table.CreateLinks(&links);
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "redirector serve: %s\n", std::string(s.message()).c_str());
  return 1;
}

// How long a new binary may take to load the link table before the upgrade is abandoned.
constexpr std::chrono::minutes kLoadTimeout{5};

// True when SIGTERM or SIGINT waits to be taken (blocked in every thread, it stays pending).
bool StopPending() {
  sigset_t pending;
  sigpending(&pending);
  return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

void LogClassifierData(const ClassifierConfig& c) {
  const ClassifierData& d = c.data ? *c.data : BuiltinClassifierData();
  LogLine("info", "classifier_loaded",
          {{"ua_tokens", std::to_string(d.ua_tokens)},
           {"networks", std::to_string(d.networks.size())},
           {"version", std::to_string(kClassifierVersion)}});
}

std::string MsSince(std::chrono::steady_clock::time_point t0) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count());
}

void LogLoaded(const store::LinkTable& table, std::chrono::steady_clock::time_point t0,
               std::string_view mode) {
  LogLine("info", "links_loaded",
          {{"links", std::to_string(table.link_count())},
           {"campaigns", std::to_string(table.campaign_count())},
           {"index_bytes", std::to_string(table.IndexMemoryBytes())},
           {"ms", MsSince(t0)},
           {"mode", std::string(mode)}});
}

// The link table of a process started by a binary upgrade: loaded read-only while the old
// process still serves, then promoted once the old one is gone (upgrade.h).
absl::StatusOr<std::unique_ptr<store::LinkTable>> TakeOverLinks(const std::string& dir,
                                                                Handover& handover) {
  auto t0 = std::chrono::steady_clock::now();
  auto table = store::LinkTable::OpenReadOnly(dir);
  if (!table.ok()) return table.status();
  LogLoaded(**table, t0, "read_only");
  NotifySystemd(absl::StrCat("MAINPID=", ::getpid()));
  if (auto s = SignalLoaded(handover); !s.ok()) return s;
  if (auto s = AwaitReleased(handover); !s.ok()) return s;
  auto promoted = std::chrono::steady_clock::now();
  absl::Status s = (*table)->Promote();
  if (s.ok()) {
    LogLine("info", "links_promoted", {{"ms", MsSince(promoted)}});
    return table;
  }
  if (s.code() != absl::StatusCode::kFailedPrecondition) return s;
  LogLine("warn", "links_reloading", {{"reason", std::string(s.message())}});
  table->reset();
  t0 = std::chrono::steady_clock::now();
  auto fresh = store::LinkTable::Open(dir);
  if (fresh.ok()) LogLoaded(**fresh, t0, "read_write");
  return fresh;
}

// ResolveServeOptions with the token and secret variables; errors name config keys too.
absl::StatusOr<ResolvedServeOptions> Resolve(const Flags& flags, const ServeOptions& o) {
  auto resolved = ResolveServeOptions(o, std::getenv("REDIRECTOR_ADMIN_TOKEN"),
                                      std::getenv("REDIRECTOR_SHOPIFY_SECRET"));
  if (!resolved.ok()) {
    return absl::InvalidArgumentError(NameKeys(flags, std::string(resolved.status().message())));
  }
  return resolved;
}

}  // namespace

int CheckConfigMain(int argc, char** argv) {
  std::vector<std::string> files;
  Flags cli(
      "redirector check-config FILE\n\nValidates a serve config file (TOML) and prints the "
      "effective configuration: every key, from the file or its default.");
  cli.AllowPositional(&files, 1);
  if (auto exit = ParseCommandLine(cli, argc, argv, 2, "redirector check-config")) return *exit;
  if (files.size() != 1) {
    std::fputs("redirector check-config: give the config file to check (see --help)\n", stderr);
    return 2;
  }
  ServeOptions o;
  Flags flags("");
  DefineServeFlags(&flags, &o);
  if (auto s = ApplyConfigFile(files[0], flags); !s.ok()) {
    std::fprintf(stderr, "redirector check-config: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  if (auto resolved = Resolve(flags, o); !resolved.ok()) {
    std::fprintf(stderr, "redirector check-config: %s: %s\n", files[0].c_str(),
                 std::string(resolved.status().message()).c_str());
    return 1;
  }
  std::printf("# %s is valid. Effective configuration:\n%s", files[0].c_str(),
              EffectiveConfig(flags).c_str());
  return 0;
}

// The options `serve` runs with: the config file (if --config), then the command line, then the
// token and secret files or variables. At start-up and on every SIGHUP. `exit` is set when the
// command should stop with that code (--help, a bad flag).
absl::StatusOr<ResolvedServeOptions> LoadServeOptions(int argc, char** argv, ServeOptions* o,
                                                      std::optional<int>* exit) {
  std::string config;
  Flags flags("redirector serve [--config FILE] [flags]");
  DefineServeFlags(&flags, o);
  flags.String("config", &config, "TOML config file (deploy/redirector.toml); flags override it");
  if (std::string path = ConfigPathFromArgs(argc, argv, 2); !path.empty()) {
    if (auto s = ApplyConfigFile(path, flags); !s.ok()) return s;
  }
  if ((*exit = ParseCommandLine(flags, argc, argv, 2, "redirector serve"))) {
    return absl::CancelledError();
  }
  return Resolve(flags, *o);
}

// What a reload cannot change: the keys whose new value differs and needs a restart.
std::vector<std::string> NeedsRestart(const ResolvedServeOptions& a,
                                      const ResolvedServeOptions& b) {
  std::vector<std::string> keys;
  auto check = [&](bool same, const char* key) {
    if (!same) keys.emplace_back(key);
  };
  check(a.server.host == b.server.host && a.server.port == b.server.port, "listen.public");
  check(a.admin.host == b.admin.host && a.admin.port == b.admin.port, "listen.admin");
  check(a.data_dir == b.data_dir, "data_dir");
  check(a.server.threads == b.server.threads, "threads");
  check(a.server.io == b.server.io, "io");
  check(a.server.node_id == b.server.node_id, "node_id");
  check(a.sink.sync == b.sink.sync, "event_log.sync");
  check(a.sink.sync_interval == b.sink.sync_interval, "event_log.sync_interval_ms");
  check(a.log.segment_bytes == b.log.segment_bytes, "event_log.segment_mb");
  check(a.admin.max_body_bytes == b.admin.max_body_bytes, "admin.max_body_mb");
  return keys;
}

int ServeMain(int argc, char** argv) {
  // Read first: a later upgrade starts the binary at this path, which by then may be new.
  const std::string executable = ExecutablePath();
  auto handover = TakeHandover();
  if (!handover.ok()) return Fail(handover.status());
  ServeOptions o;
  std::optional<int> exit;
  auto resolved = LoadServeOptions(argc, argv, &o, &exit);
  if (exit) return *exit;
  if (!resolved.ok()) return Fail(resolved.status());
  ResolvedServeOptions& r = *resolved;
  (void)SetLogFormat(r.log_format);  // both checked by ResolveServeOptions
  (void)SetLogLevel(r.log_level);
  LogClassifierData(r.server.classifier);

  // Signals are taken by sigwait below; every thread started from here inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // A file over RLIMIT_FSIZE fails the write (EFBIG) like a full disk, instead of killing us.
  ::signal(SIGXFSZ, SIG_IGN);

  absl::StatusOr<std::unique_ptr<store::LinkTable>> table;
  if (*handover) {
    if ((*handover)->public_fds.size() != static_cast<size_t>(std::max(1, r.server.threads))) {
      LogLine("warn", "upgrade_keeps_threads",
              {{"threads", std::to_string((*handover)->public_fds.size())},
               {"configured", std::to_string(r.server.threads)},
               {"why", "one worker per inherited listener; a full restart changes it"}});
    }
    table = TakeOverLinks(r.data_dir + "/links", **handover);
  } else {
    auto t0 = std::chrono::steady_clock::now();
    table = store::LinkTable::Open(r.data_dir + "/links");
    if (table.ok()) LogLoaded(**table, t0, "read_write");
  }
  if (!table.ok()) return Fail(table.status());
  if (o.demo) {
    if (auto s = SeedDemo(**table, static_cast<int64_t>(std::time(nullptr))); !s.ok()) {
      return Fail(s);
    }
  }

  static std::atomic<uint64_t> corruptions{0};
  auto writer = store::log::LogWriter::Open(
      r.log, [](const std::string& path, uint64_t offset, uint64_t bytes, std::string_view why) {
        corruptions.fetch_add(1, std::memory_order_relaxed);
        LogLine("error", "event_log_corruption",
                {{"segment", path},
                 {"offset", std::to_string(offset)},
                 {"bytes", std::to_string(bytes)},
                 {"reason", std::string(why)}});
      });
  if (!writer.ok()) return Fail(writer.status());
  if ((*writer)->recovered_truncated_bytes() > 0) {
    LogLine("warn", "event_log_torn_tail_truncated",
            {{"bytes", std::to_string((*writer)->recovered_truncated_bytes())}});
  }
  EventSink sink(r.sink, std::move(*writer));
  PublicServer server(r.server, **table, sink);
  if (auto s = server.Listen(*handover ? (*handover)->public_fds : std::vector<int>{}); !s.ok()) {
    return Fail(s);
  }

  AdminContext admin_ctx;
  admin_ctx.table = table->get();
  admin_ctx.token = r.admin_token;
  admin_ctx.public_url = r.public_url.empty()
                             ? absl::StrCat("http://", r.server.host, ":", server.port())
                             : r.public_url;
  admin_ctx.node_id = r.sink.node_id;
  admin_ctx.shopify_secret = r.shopify_secret;
  admin_ctx.record = [&sink](std::vector<store::Event> events) {
    return sink.SubmitDurable(std::move(events));
  };
  std::string public_url = admin_ctx.public_url;
  store::LinkTable* table_ptr = table->get();
  admin_ctx.metrics = [&server, &sink, table_ptr] {
    MetricsSnapshot m;
    m.server = server.Stats();
    m.events_appended = sink.appended();
    m.events_lost = sink.lost();
    m.event_write_failures = sink.write_failures();
    m.event_log_corruptions = corruptions.load(std::memory_order_relaxed);
    m.fsync_durations = sink.fsync_durations();
    m.links = table_ptr->link_count();
    m.campaigns = table_ptr->campaign_count();
    return RenderMetrics(m);
  };
  AdminServer admin(r.admin, std::move(admin_ctx));
  if (auto s = admin.Listen(*handover ? (*handover)->admin_fd : -1); !s.ok()) return Fail(s);

  sink.Start();
  server.Start();
  admin.Start();
  LogLine("info", "listening",
          {{"public", absl::StrCat(r.server.host, ":", server.port())},
           {"admin", absl::StrCat(r.admin.host, ":", admin.port())},
           {"threads", std::to_string(r.server.threads)},
           {"node", r.server.node_id},
           {"data_dir", r.data_dir},
           {"pid", std::to_string(::getpid())},
           {"upgraded", *handover ? "true" : "false"}});
  NotifySystemd("READY=1");
  if (o.demo) {
    std::printf("demo campaign ready; tap one of:\n  %s/demo-a\n  %s/demo-b\n", public_url.c_str(),
                public_url.c_str());
    std::printf("then watch its event: build/bin/redirector tail --data-dir %s\n",
                r.data_dir.c_str());
    std::fflush(stdout);
  }

  Successor successor;  // set once a new binary has taken over
  std::chrono::seconds admin_pause = r.upgrade_admin_pause;  // reloadable
  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGUSR2) {
      if (executable.empty()) {
        LogLine("error", "upgrade_failed", {{"error", "cannot read /proc/self/exe"}});
        continue;
      }
      LogLine("info", "upgrade_starting", {{"binary", executable}});
      // Admin writes pause until the new process owns the link database (it loads a snapshot);
      // redirects go on.
      if (!admin.Pause(admin_pause, StopPending)) {
        LogLine("warn", "upgrade_admin_busy",
                {{"why", "admin requests still running; their connections close at the handover"}});
      }
      // A stop asked for meanwhile wins: the successor is killed and this process stops (after
      // the handover nothing would look at the signal, and the new process would serve on).
      absl::StatusOr<Successor> started = absl::CancelledError("stop requested");
      if (!StopPending()) {
        started = StartSuccessor(executable, std::vector<std::string>(argv, argv + argc),
                                 server.listener_fds(), admin.listener_fd());
      }
      absl::Status loaded =
          started.ok() ? AwaitLoaded(*started, kLoadTimeout, StopPending) : started.status();
      if (loaded.ok() && StopPending()) {
        NotifySystemd(absl::StrCat("MAINPID=", ::getpid()));  // before it dies: see below
        Abandon(*started);
        loaded = absl::CancelledError("stop requested; the new process was killed");
      }
      if (!loaded.ok()) {
        // The successor may have said MAINPID= before it failed or was killed: systemd must
        // follow this process again (harmless when it never changed).
        if (started.ok()) NotifySystemd(absl::StrCat("MAINPID=", ::getpid()));
        bool stopping = loaded.code() == absl::StatusCode::kCancelled;
        LogLine(stopping ? "warn" : "error", stopping ? "upgrade_abandoned" : "upgrade_failed",
                {{"error", std::string(loaded.message())},
                 {"kept", stopping ? "this process, stopping" : "this process serving"}});
        admin.Resume();
        continue;  // a pending stop is taken by the next sigwait
      }
      successor = *started;
      LogLine("info", "upgrade_handing_over", {{"new_pid", std::to_string(successor.pid)}});
      break;
    }
    if (sig == SIGHUP) {
      // Re-read the config file and secrets; a bad file keeps everything as it was.
      ServeOptions fresh_options;
      std::optional<int> ignored;
      auto fresh = LoadServeOptions(argc, argv, &fresh_options, &ignored);
      if (!fresh.ok()) {
        LogLine("error", "reload_failed",
                {{"error", std::string(fresh.status().message())}, {"kept", "old configuration"}});
        continue;
      }
      for (const std::string& key : NeedsRestart(r, *fresh)) {
        LogLine("warn", "reload_needs_restart", {{"key", key}, {"kept", "old value"}});
      }
      server.Reconfigure(fresh->server);
      LogClassifierData(fresh->server.classifier);
      admin.Reconfigure(fresh->admin_token, fresh->shopify_secret,
                        fresh->public_url.empty() ? public_url : fresh->public_url);
      sink.SetRetention(fresh->sink.retention);
      admin_pause = fresh->upgrade_admin_pause;
      (void)SetLogFormat(fresh->log_format);
      (void)SetLogLevel(fresh->log_level);
      LogLine("info", "reloaded", {{"config", ConfigPathFromArgs(argc, argv, 2)}});
      continue;
    }
    LogLine("info", "stopping", {{"signal", sig == SIGTERM ? "TERM" : "INT"}});
    break;
  }
  server.Shutdown();
  admin.Stop();
  sink.Stop();
  table->reset();  // releases the link database
  LogLine("info", "stopped",
          {{"events_appended", std::to_string(sink.appended())},
           {"events_lost", std::to_string(sink.lost())}});
  // The new process (if any) takes the database and the event log from here.
  if (successor.released_fd >= 0) ::close(successor.released_fd);
  return 0;
}

}  // namespace redirector
