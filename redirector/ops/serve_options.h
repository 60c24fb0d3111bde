#pragma once
// `redirector serve`'s flags and how they become each component's options. Pure: the flag
// values and the environment's admin token in, validated per-component options out, with an
// error naming the flag when a value is bad.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <absl/status/statusor.h>

#include "store/log_writer.h"

#include "redirector/admin/admin_server.h"
#include "redirector/base/flags.h"
#include "redirector/classify/classifier_data.h"
#include "redirector/edge/public_server.h"
#include "redirector/events/event_sink.h"

namespace redirector {

// Raw flag values, with the documented defaults.
struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string admin_listen = "127.0.0.1:8081";
  std::string data_dir = "redirector-data";
  int64_t threads = 0;  // 0: one per core
  std::string node_id;  // empty: the host name
  std::string io = "auto";
  std::string sync = "interval";
  int64_t sync_interval_ms = 100;
  std::vector<std::string> trusted_proxies;
  std::string admin_token_file;
  std::string shopify_secret_file;
  std::string public_url;
  bool demo = false;
  int64_t header_limit = 8192;
  int64_t max_url_bytes = 2048;
  int64_t max_headers = 64;
  int64_t max_connections_per_ip = 1000;
  int64_t admin_max_body_mb = 256;
  int64_t header_timeout_s = 10;
  int64_t idle_timeout_s = 60;
  int64_t max_connections = 10000;
  int64_t upgrade_admin_pause_s = 30;
  int64_t too_soon_seconds = 5;
  int64_t sweep_codes = 10;
  int64_t sweep_window_s = 10;
  ClassifierFiles classifier_files;
  int64_t segment_mb = 64;
  int64_t retention_mb = 0;
  int64_t retention_hours = 0;
  int64_t retention_hard_cap_mb = 0;
  std::string log_level = "info";
  std::string log_format = "kv";
};

struct ResolvedServeOptions {
  std::string data_dir;
  std::string admin_token;
  std::string shopify_secret;
  std::string public_url;
  PublicServerOptions server;
  AdminServerOptions admin;
  EventSinkOptions sink;
  store::log::LogOptions log;
  std::string log_level;
  std::string log_format;
  // Binary upgrade: how long the admin API waits for its requests under way before handing over.
  std::chrono::seconds upgrade_admin_pause{30};
};

void DefineServeFlags(Flags* flags, ServeOptions* o);
// The classifier's data-file flags (--ua-tokens-file, --network-file), shared by serve, classify
// and report so that all three judge with the same data.
void DefineClassifierFileFlags(Flags* flags, ClassifierFiles* files);
// Loads the built-in data plus `files` into `config`; errors name the flag, file and line.
absl::Status LoadClassifierFiles(const ClassifierFiles& files, ClassifierConfig* config);
// `env_token`: REDIRECTOR_ADMIN_TOKEN, `env_shopify`: REDIRECTOR_SHOPIFY_SECRET; each may be
// null. A file flag wins over its variable.
absl::StatusOr<ResolvedServeOptions> ResolveServeOptions(const ServeOptions& o,
                                                         const char* env_token,
                                                         const char* env_shopify = nullptr);

// "127.0.0.1:8080", "[::1]:8080", "localhost:0" → host and port.
absl::Status ParseHostPort(std::string_view text, std::string* host, uint16_t* port);
// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace redirector
