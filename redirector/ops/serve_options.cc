#include "redirector/ops/serve_options.h"

#include <charconv>
#include <initializer_list>
#include <thread>

#include <absl/strings/str_cat.h>

#include "store/string_view.h"

#include "redirector/base/log_line.h"
#include "redirector/base/read_file.h"
#include "redirector/classify/cidr.h"

#include <unistd.h>

namespace redirector {

using store::AV;
namespace {

absl::Status Range(std::string_view flag, int64_t v, int64_t lo, int64_t hi) {
  if (v < lo || v > hi) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", AV(flag), " must be between ", lo, " and ", hi, ", got ", v));
  }
  return absl::OkStatus();
}

// One of a flag's named values; else "--FLAG must be a, b or c, got 'x'".
template <typename T>
absl::Status Choose(std::string_view flag, std::string_view value,
                    std::initializer_list<std::pair<std::string_view, T>> choices, T* out) {
  std::string names;
  size_t i = 0;
  for (const auto& [name, v] : choices) {
    if (name == value) {
      *out = v;
      return absl::OkStatus();
    }
    absl::StrAppend(&names, i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ", AV(name));
    ++i;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--", AV(flag), " must be ", names, ", got '", AV(value), "'"));
}

// A secret from `path` (trailing whitespace dropped), else from `env` (may be null or empty).
absl::Status ReadSecret(std::string_view flag, const std::string& path, const char* env,
                        std::string* out) {
  if (path.empty()) {
    if (env != nullptr) *out = env;
    return absl::OkStatus();
  }
  auto text = ReadFile(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--", AV(flag), ": cannot read ", path));
  }
  *out = std::move(*text);
  while (!out->empty() && std::isspace(static_cast<unsigned char>(out->back()))) out->pop_back();
  if (out->empty())
    return absl::InvalidArgumentError(absl::StrCat("--", AV(flag), ": the file is empty"));
  return absl::OkStatus();
}

}  // namespace

void DefineClassifierFileFlags(Flags* f, ClassifierFiles* files) {
  f->String("ua-tokens-file", &files->ua_tokens_file,
            "user-agent tokens to add to the built-in ones (format: "
            "redirector/classify/data/ua-tokens.txt)",
            "classifier.ua_tokens_file");
  f->Repeated("network-file", &files->network_files,
              "KIND:PATH, CIDRs (one a line, or a publisher's JSON) whose hits are KIND (crawler, "
              "scanner, preview); repeatable",
              "classifier.network_files");
}

absl::Status LoadClassifierFiles(const ClassifierFiles& files, ClassifierConfig* config) {
  if (files.ua_tokens_file.empty() && files.network_files.empty()) {
    config->data = nullptr;  // the built-in data
    return absl::OkStatus();
  }
  auto data = LoadClassifierData(files);
  if (!data.ok()) {
    const char* flag =
        files.network_files.empty() ? "--ua-tokens-file" : "--ua-tokens-file/--network-file";
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", data.status().message()));
  }
  config->data = *data;
  return absl::OkStatus();
}

void DefineServeFlags(Flags* f, ServeOptions* o) {
  // The second name is the config-file key (config_file.h; deploy/redirector.toml lists all).
  f->String("listen", &o->listen, "public listener HOST:PORT (default 127.0.0.1:8080)",
            "listen.public");
  f->String("admin-listen", &o->admin_listen, "admin listener HOST:PORT (default 127.0.0.1:8081)",
            "listen.admin");
  f->String("data-dir", &o->data_dir, "data directory (default ./redirector-data)", "data_dir");
  f->Int("threads", &o->threads, "redirect worker threads (default: one per core)", "threads");
  f->String("io", &o->io,
            "connection I/O: auto (io_uring where the kernel allows it, else epoll) | io_uring | "
            "epoll",
            "io");
  f->String("node-id", &o->node_id, "this node's id in events (default: host name)", "node_id");
  f->String("sync", &o->sync, "event log sync policy: always | interval | none (default interval)",
            "event_log.sync");
  f->Int("sync-interval-ms", &o->sync_interval_ms, "fsync period for --sync interval (100)",
         "event_log.sync_interval_ms");
  f->Repeated("trusted-proxy", &o->trusted_proxies,
              "CIDR whose peers may set X-Forwarded-For (repeatable)", "listen.trusted_proxies");
  f->String("admin-token-file", &o->admin_token_file,
            "file holding the admin bearer token (else $REDIRECTOR_ADMIN_TOKEN)",
            "admin.token_file");
  f->String("shopify-secret-file", &o->shopify_secret_file,
            "file holding the Shopify webhook secret (else $REDIRECTOR_SHOPIFY_SECRET)",
            "admin.shopify_secret_file");
  f->String("public-url", &o->public_url,
            "base URL of short links in API answers (default http://LISTEN)", "public_url");
  f->Bool("demo", &o->demo, "create a demo campaign with two links and print them");
  f->Int("header-limit", &o->header_limit, "max request header bytes (8192)",
         "limits.header_bytes");
  f->Int("max-url-bytes", &o->max_url_bytes, "max request target bytes; more gets 414 (2048)",
         "limits.max_url_bytes");
  f->Int("max-headers", &o->max_headers, "max request header fields; more gets 431 (64)",
         "limits.max_headers");
  f->Int("admin-max-body-mb", &o->admin_max_body_mb,
         "largest admin request body in MiB; more gets 413 (256)", "admin.max_body_mb");
  f->Int("max-connections-per-ip", &o->max_connections_per_ip,
         "open connections per client address, 0 = no limit (1000)",
         "limits.max_connections_per_ip");
  f->Int("header-timeout", &o->header_timeout_s, "seconds to receive a request's headers (10)",
         "limits.header_timeout_s");
  f->Int("idle-timeout", &o->idle_timeout_s, "seconds a keep-alive connection may idle (60)",
         "limits.idle_timeout_s");
  f->Int("max-connections", &o->max_connections, "max open public connections (10000)",
         "limits.max_connections");
  f->Int("upgrade-admin-pause-s", &o->upgrade_admin_pause_s,
         "on SIGUSR2, seconds to wait for admin requests under way before handing over (30)",
         "upgrade.admin_pause_s");
  f->Int("too-soon-seconds", &o->too_soon_seconds,
         "a hit this soon after the send is a scanner (5)", "classifier.too_soon_seconds");
  f->Int("sweep-codes", &o->sweep_codes,
         "this many codes of one campaign from one address within --sweep-window-s make a "
         "scanner (10; 0: off)",
         "classifier.sweep_codes");
  f->Int("sweep-window-s", &o->sweep_window_s, "the sweep window in seconds (10)",
         "classifier.sweep_window_s");
  DefineClassifierFileFlags(f, &o->classifier_files);
  f->Int("segment-mb", &o->segment_mb, "event log segment size in MiB (64)",
         "event_log.segment_mb");
  f->Int("retention-mb", &o->retention_mb,
         "delete old event segments over this total, once consumers read them (0: keep all)",
         "event_log.retention_mb");
  f->Int("retention-hours", &o->retention_hours,
         "delete event segments older than this, once consumers read them (0: keep all)",
         "event_log.retention_hours");
  f->Int("retention-hard-cap-mb", &o->retention_hard_cap_mb,
         "over this total, delete old segments even if unread, and log it (0: never)",
         "event_log.retention_hard_cap_mb");
  f->String("log-level", &o->log_level, "operator log lines at or above: debug|info|warn|error",
            "log.level");
  f->String("log-format", &o->log_format, "operator log lines as kv (key=value) or json",
            "log.format");
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  auto ip = ParseIp(host);
  if (!ip) return false;
  static const Cidr kV4 = *ParseCidr("127.0.0.0/8");
  static const Cidr kV6 = *ParseCidr("::1/128");
  return kV4.Contains(*ip) || kV6.Contains(*ip);
}

absl::Status ParseHostPort(std::string_view text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat("want HOST:PORT, got '", AV(text), "'"));
  }
  std::string_view h = text.substr(0, colon);
  std::string_view p = text.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || end != p.data() + p.size() || value > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port in '", AV(text), "'"));
  }
  host->assign(h == "localhost" ? "127.0.0.1" : h);
  *port = static_cast<uint16_t>(value);
  return absl::OkStatus();
}

absl::StatusOr<ResolvedServeOptions> ResolveServeOptions(const ServeOptions& o,
                                                         const char* env_token,
                                                         const char* env_shopify) {
  ResolvedServeOptions r;
  auto prefix = [](std::string_view flag, const absl::Status& s) {
    return absl::InvalidArgumentError(absl::StrCat("--", AV(flag), ": ", s.message()));
  };
  if (auto s = ParseHostPort(o.listen, &r.server.host, &r.server.port); !s.ok()) {
    return prefix("listen", s);
  }
  if (auto s = ParseHostPort(o.admin_listen, &r.admin.host, &r.admin.port); !s.ok()) {
    return prefix("admin-listen", s);
  }
  if (o.data_dir.empty()) return absl::InvalidArgumentError("--data-dir may not be empty");
  r.data_dir = o.data_dir;
  int64_t cores = std::thread::hardware_concurrency();
  if (auto s = Range("threads", o.threads, 0, 64); !s.ok()) return s;
  r.server.threads = static_cast<int>(o.threads == 0 ? (cores > 0 ? cores : 1) : o.threads);
  if (auto s = Choose<IoEngine>(
          "io", o.io,
          {{"auto", IoEngine::kAuto}, {"io_uring", IoEngine::kUring}, {"epoll", IoEngine::kEpoll}},
          &r.server.io);
      !s.ok()) {
    return s;
  }
  std::string node = o.node_id;
  if (node.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
      node = "node-1";
    } else {
      node = host;
    }
  }
  if (node.size() > 64) return absl::InvalidArgumentError("--node-id is longer than 64 bytes");
  r.server.node_id = r.sink.node_id = node;
  if (auto s = Choose<SyncPolicy>("sync", o.sync,
                                  {{"always", SyncPolicy::kAlways},
                                   {"interval", SyncPolicy::kInterval},
                                   {"none", SyncPolicy::kNone}},
                                  &r.sink.sync);
      !s.ok()) {
    return s;
  }
  if (auto s = Range("sync-interval-ms", o.sync_interval_ms, 1, 60000); !s.ok()) return s;
  r.sink.sync_interval = std::chrono::milliseconds(o.sync_interval_ms);
  for (const std::string& c : o.trusted_proxies) {
    auto cidr = ParseCidr(c);
    if (!cidr) {
      return absl::InvalidArgumentError(absl::StrCat("--trusted-proxy: bad CIDR '", c, "'"));
    }
    r.server.trusted_proxies.push_back(*cidr);
  }
  if (auto s = ReadSecret("admin-token-file", o.admin_token_file, env_token, &r.admin_token);
      !s.ok()) {
    return s;
  }
  if (auto s =
          ReadSecret("shopify-secret-file", o.shopify_secret_file, env_shopify, &r.shopify_secret);
      !s.ok()) {
    return s;
  }
  if (r.admin_token.empty() && !IsLoopbackHost(r.admin.host)) {
    return absl::InvalidArgumentError(
        "the admin listener may bind off loopback only with a token: set "
        "REDIRECTOR_ADMIN_TOKEN or --admin-token-file");
  }
  r.public_url = o.public_url;
  while (!r.public_url.empty() && r.public_url.back() == '/') r.public_url.pop_back();
  if (!r.public_url.empty() && r.public_url.rfind("http://", 0) != 0 &&
      r.public_url.rfind("https://", 0) != 0) {
    return absl::InvalidArgumentError("--public-url must start with http:// or https://");
  }
  if (auto s = Range("header-limit", o.header_limit, 1024, 65536); !s.ok()) return s;
  r.server.request_limits.header_bytes = static_cast<uint32_t>(o.header_limit);
  if (auto s = Range("max-url-bytes", o.max_url_bytes, 64, 65536); !s.ok()) return s;
  r.server.request_limits.target_bytes = static_cast<uint32_t>(o.max_url_bytes);
  if (auto s = Range("max-headers", o.max_headers, 4, 1000); !s.ok()) return s;
  r.server.request_limits.header_count = static_cast<uint32_t>(o.max_headers);
  if (auto s = Range("max-connections-per-ip", o.max_connections_per_ip, 0, 10000000); !s.ok()) {
    return s;
  }
  r.server.max_connections_per_ip = static_cast<size_t>(o.max_connections_per_ip);
  if (auto s = Range("admin-max-body-mb", o.admin_max_body_mb, 1, 4096); !s.ok()) return s;
  r.admin.max_body_bytes = static_cast<uint64_t>(o.admin_max_body_mb) << 20;
  if (auto s = Range("header-timeout", o.header_timeout_s, 1, 3600); !s.ok()) return s;
  r.server.header_timeout = std::chrono::seconds(o.header_timeout_s);
  if (auto s = Range("idle-timeout", o.idle_timeout_s, 1, 86400); !s.ok()) return s;
  if (auto s = Range("upgrade-admin-pause-s", o.upgrade_admin_pause_s, 0, 3600); !s.ok()) return s;
  r.upgrade_admin_pause = std::chrono::seconds(o.upgrade_admin_pause_s);
  r.server.idle_timeout = std::chrono::seconds(o.idle_timeout_s);
  if (auto s = Range("max-connections", o.max_connections, 1, 10000000); !s.ok()) return s;
  r.server.max_connections = static_cast<size_t>(o.max_connections);
  if (auto s = Range("too-soon-seconds", o.too_soon_seconds, 0, 3600); !s.ok()) return s;
  r.server.classifier.too_soon_seconds = o.too_soon_seconds;
  if (o.sweep_codes != 0) {
    if (auto s = Range("sweep-codes", o.sweep_codes, 2, SweepDetector::kMaxCodes); !s.ok()) {
      return s;
    }
  }
  r.server.classifier.sweep_codes = static_cast<uint32_t>(o.sweep_codes);
  if (auto s = Range("sweep-window-s", o.sweep_window_s, 1, 3600); !s.ok()) return s;
  r.server.classifier.sweep_window_s = o.sweep_window_s;
  if (auto s = LoadClassifierFiles(o.classifier_files, &r.server.classifier); !s.ok()) return s;
  if (auto s = Range("segment-mb", o.segment_mb, 1, 4096); !s.ok()) return s;
  r.log.dir = r.data_dir + "/events";
  r.log.segment_bytes = static_cast<uint64_t>(o.segment_mb) << 20;
  if (auto s = Range("retention-mb", o.retention_mb, 0, 1 << 30); !s.ok()) return s;
  if (auto s = Range("retention-hours", o.retention_hours, 0, 24 * 3650); !s.ok()) return s;
  if (auto s = Range("retention-hard-cap-mb", o.retention_hard_cap_mb, 0, 1 << 30); !s.ok()) {
    return s;
  }
  r.sink.log_dir = r.log.dir;
  r.sink.consumers_dir = r.data_dir + "/consumers";
  r.sink.retention.max_bytes = static_cast<uint64_t>(o.retention_mb) << 20;
  r.sink.retention.max_age_seconds = o.retention_hours * 3600;
  r.sink.retention.hard_cap_bytes = static_cast<uint64_t>(o.retention_hard_cap_mb) << 20;
  if (auto s = CheckLogLevel(o.log_level); !s.ok()) return s;
  if (auto s = CheckLogFormat(o.log_format); !s.ok()) return s;
  r.log_level = o.log_level;
  r.log_format = o.log_format;
  return r;
}

}  // namespace redirector
