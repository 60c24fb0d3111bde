#include "redirector/ship/shipper.h"

#include <cstdio>

#include <absl/strings/str_cat.h>

#include "store/checkpoint.h"
#include "store/event.h"

#include "redirector/base/log_line.h"
#include "redirector/model/json_model.h"

namespace redirector {

Shipper::Shipper(std::string log_dir, std::string checkpoint, Publisher* publisher, size_t batch)
    : log_dir_(std::move(log_dir)),
      checkpoint_path_(std::move(checkpoint)),
      publisher_(publisher),
      batch_size_(batch == 0 ? 1 : batch) {}

Shipper::~Shipper() = default;

absl::Status Shipper::Rewind() {
  auto last = store::log::ReadCheckpoint(checkpoint_path_);
  if (!last.ok()) return last.status();
  checkpoint_ = *last;
  reader_ = std::make_unique<store::log::LogReader>(log_dir_, checkpoint_ + 1,
                                                    CorruptionToStderr("ship"));
  batch_.clear();
  return absl::OkStatus();
}

absl::Status Shipper::Commit(uint64_t seq) {
  if (!batch_.empty()) {
    if (absl::Status s = publisher_->PublishBatch(batch_); !s.ok()) return s;
    shipped_ += batch_.size();
    batch_.clear();
  }
  if (seq > checkpoint_) {
    if (absl::Status s = store::log::WriteCheckpoint(checkpoint_path_, seq); !s.ok()) return s;
    checkpoint_ = seq;
  }
  return absl::OkStatus();
}

absl::Status Shipper::RunOnce() {
  if (reader_ == nullptr) {
    if (absl::Status s = Rewind(); !s.ok()) return s;
  }
  uint64_t last = checkpoint_;  // the last record read (shipped, or skipped as unreadable)
  for (;;) {
    store::log::RecordView r;
    auto more = reader_->Next(&r);
    if (!more.ok()) return more.status();
    if (!*more) break;
    last = r.seq;
    auto event = store::DecodeEvent(r.type, r.version, r.seq, r.payload);
    if (!event) {
      std::fprintf(stderr, "redirector ship: record %llu has an unknown format, skipped\n",
                   static_cast<unsigned long long>(r.seq));
      continue;
    }
    batch_.push_back({absl::StrCat(event->node, ":", event->seq), EventToJson(*event)});
    if (batch_.size() >= batch_size_) {
      if (absl::Status s = Commit(last); !s.ok()) return s;
    }
  }
  return Commit(last);
}

}  // namespace redirector
