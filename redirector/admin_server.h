#pragma once
// AdminServer: the HTTP shell around HandleAdmin (Beast, one thread of its own). Requests are
// read whole (bodies up to max_body_bytes, e.g. 100,000 NDJSON links), with a read timeout;
// keep-alive is honoured.

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <absl/status/status.h>

#include "redirector/admin_api.h"

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

  absl::Status Listen();
  uint16_t port() const { return port_; }
  void Start();
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
