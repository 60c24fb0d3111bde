#pragma once
// NatsPublisher: a Publisher to a NATS JetStream stream (the C client, libnats). Each message
// goes to `subject` with the Nats-Msg-Id header set to its id, so JetStream drops a re-sent one
// within the stream's duplicate window. Batches are published asynchronously and then awaited:
// OK means every message was acknowledged. The connection reconnects by itself; a batch that
// fails (server down, timeout) is an error and the caller re-sends it.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <absl/base/thread_annotations.h>
#include <absl/status/statusor.h>

#include "redirector/ship/shipper.h"

struct __natsConnection;
struct __jsCtx;

namespace redirector {

struct NatsOptions {
  std::string url = "nats://127.0.0.1:4222";
  std::string stream = "REDIRECTOR_EVENTS";
  std::string subject = "redirector.events";
  // Used when the stream is created here (it is created when missing): how long JetStream
  // remembers message ids. A shipper that restarts later than this after a crash may re-send
  // its last unacknowledged batch as new messages.
  int64_t duplicate_window_seconds = 3600;
  int64_t ack_timeout_ms = 10000;
};

class NatsPublisher : public Publisher {
 public:
  // Connects and makes sure the stream exists (creating it for `subject` if missing).
  static absl::StatusOr<std::unique_ptr<NatsPublisher>> Connect(const NatsOptions& options);
  ~NatsPublisher() override;

  absl::Status PublishBatch(const std::vector<ShipMessage>& batch) override;

  // The client's thread reports a message the server did not store.
  void NoteAckError(const char* text);

 private:
  explicit NatsPublisher(NatsOptions options) : options_(std::move(options)) {}
  absl::Status EnsureStream();

  NatsOptions options_;
  __natsConnection* connection_ = nullptr;
  __jsCtx* js_ = nullptr;
  // std::mutex, not absl::Mutex: the client's thread (libnats) and the shipper share these, and
  // ThreadSanitizer cannot see the locks of Debian's uninstrumented libabsl.
  std::mutex mu_;
  uint64_t ack_errors_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace redirector
