#pragma once
// AdminServer: the HTTP shell around HandleAdmin (Beast, one thread of its own). Requests are
// read whole (bodies up to max_body_bytes, e.g. 100,000 NDJSON links), with a read timeout;
// keep-alive is honoured.

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <absl/status/status.h>

#include "redirector/admin/admin_api.h"

namespace redirector {

struct AdminServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8081;  // 0: any free port
  uint64_t max_body_bytes = 256ull << 20;
  uint32_t header_limit = 16384;
  int read_timeout_seconds = 60;
};

class AdminServer {
 public:
  AdminServer(AdminServerOptions options, AdminContext context);
  ~AdminServer();

  // Binds the listener, or adopts `inherited_fd` (≥ 0: a binary upgrade handed it over).
  absl::Status Listen(int inherited_fd = -1);
  uint16_t port() const { return port_; }
  int listener_fd();
  void Start();
  // Binary upgrade: stop accepting (new connections wait in the listener's backlog), close
  // idle connections, answer 503 to requests that arrive from now on, and wait up to `timeout`
  // for the requests under way to be answered, or until `cancelled` (asked every 5 ms) returns
  // true. False if some were still running then.
  bool Pause(std::chrono::milliseconds timeout, const std::function<bool()>& cancelled = nullptr);
  // Accepts again (the upgrade failed).
  void Resume();
  // Stops accepting and closes connections; waits for the thread.
  void Stop();
  // Thread-safe live reload: the admin thread takes the new token, Shopify secret and public URL
  // before its next request.
  void Reconfigure(std::string token, std::string shopify_secret, std::string public_url);

  struct State;

 private:
  AdminServerOptions options_;
  std::unique_ptr<State> state_;
  std::thread thread_;
  uint16_t port_ = 0;
};

}  // namespace redirector
