#pragma once
// Shipper: moves the event log to the fleet pipeline without loss or double counting. It reads
// from after its consumer checkpoint (DATA_DIR/consumers/NAME, the same checkpoints `tail
// --consumer` keeps, so retention waits for it), publishes batches, and moves the checkpoint
// only after the whole batch is acknowledged. Each message's id is "node:seq", so the server
// drops what a retry re-sends (JetStream's duplicate window). A failed batch leaves the
// checkpoint where it was; Rewind() starts again from it. I/O-free but for the log and the
// checkpoint: the pipeline is behind the Publisher interface.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <absl/status/status.h>

#include "store/log_reader.h"

namespace redirector {

struct ShipMessage {
  std::string id;    // "node:seq"
  std::string body;  // the event as `tail` prints it (one JSON object)
};

class Publisher {
 public:
  virtual ~Publisher() = default;
  // Publishes every message in order and waits for the acknowledgements: OK only when each is
  // stored (or recognised as a duplicate of one stored). After an error any subset may be stored.
  virtual absl::Status PublishBatch(const std::vector<ShipMessage>& batch) = 0;
};

class Shipper {
 public:
  // `checkpoint`: the consumer's checkpoint file; `batch`: messages per acknowledged batch.
  Shipper(std::string log_dir, std::string checkpoint, Publisher* publisher, size_t batch);
  ~Shipper();

  // Ships what the log holds now, batch after batch; OK when caught up. On a publish error, stops
  // there (the checkpoint stays after the last acknowledged batch) and returns it; call Rewind()
  // before trying again.
  absl::Status RunOnce();
  // Starts reading again after the checkpoint.
  absl::Status Rewind();

  uint64_t checkpoint() const { return checkpoint_; }
  uint64_t shipped() const { return shipped_; }  // messages acknowledged, this process

 private:
  absl::Status Commit(uint64_t seq);

  std::string log_dir_;
  std::string checkpoint_path_;
  Publisher* publisher_;
  size_t batch_size_;
  std::unique_ptr<store::log::LogReader> reader_;
  uint64_t checkpoint_ = 0;
  uint64_t shipped_ = 0;
  std::vector<ShipMessage> batch_;
};

}  // namespace redirector
