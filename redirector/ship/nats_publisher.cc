#include "redirector/ship/nats_publisher.h"

#include <absl/strings/str_cat.h>

#include <nats/nats.h>

namespace redirector {
namespace {

absl::Status NatsError(const std::string& what, natsStatus s) {
  return absl::UnavailableError(absl::StrCat(what, ": ", natsStatus_GetText(s)));
}

void OnAckError(jsCtx*, jsPubAckErr* err, void* self) {
  static_cast<NatsPublisher*>(self)->NoteAckError(
      err->ErrText != nullptr ? err->ErrText : natsStatus_GetText(err->Err));
}

}  // namespace

void NatsPublisher::NoteAckError(const char* text) {
  std::lock_guard<std::mutex> lock(mu_);
  ++ack_errors_;
  last_error_ = text;
}

absl::StatusOr<std::unique_ptr<NatsPublisher>> NatsPublisher::Connect(const NatsOptions& options) {
  std::unique_ptr<NatsPublisher> p(new NatsPublisher(options));
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetURL(opts, options.url.c_str());
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);  // forever
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 250);
  if (s == NATS_OK) s = natsConnection_Connect(&p->connection_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) return NatsError(absl::StrCat("connecting to ", options.url), s);
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.PublishAsync.ErrHandler = OnAckError;
  js_options.PublishAsync.ErrHandlerClosure = p.get();
  js_options.PublishAsync.MaxPending = 4096;
  s = natsConnection_JetStream(&p->js_, p->connection_, &js_options);
  if (s != NATS_OK) return NatsError("JetStream context", s);
  if (absl::Status st = p->EnsureStream(); !st.ok()) return st;
  return p;
}

NatsPublisher::~NatsPublisher() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (connection_ != nullptr) {
    natsConnection_Close(connection_);
    natsConnection_Destroy(connection_);
  }
}

absl::Status NatsPublisher::EnsureStream() {
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js_, options_.stream.c_str(), nullptr, &jerr);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return absl::OkStatus();
  }
  if (s != NATS_NOT_FOUND) return NatsError(absl::StrCat("stream ", options_.stream), s);
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = options_.stream.c_str();
  const char* subjects[] = {options_.subject.c_str()};
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Duplicates = options_.duplicate_window_seconds * 1000000000LL;  // nanoseconds
  s = js_AddStream(&info, js_, &config, nullptr, &jerr);
  if (s != NATS_OK) {
    return NatsError(absl::StrCat("creating stream ", options_.stream, " (error ", jerr, ")"), s);
  }
  jsStreamInfo_Destroy(info);
  return absl::OkStatus();
}

absl::Status NatsPublisher::PublishBatch(const std::vector<ShipMessage>& batch) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ack_errors_ = 0;
  }
  natsStatus s = NATS_OK;
  for (const ShipMessage& m : batch) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = m.id.c_str();
    s = js_PublishAsync(js_, options_.subject.c_str(), m.body.data(),
                        static_cast<int>(m.body.size()), &po);
    if (s != NATS_OK) break;
  }
  if (s == NATS_OK) {
    jsPubOptions wait;
    jsPubOptions_Init(&wait);
    wait.MaxWait = options_.ack_timeout_ms;
    s = js_PublishAsyncComplete(js_, &wait);
  }
  if (s != NATS_OK) {
    // Drop what is still pending: the caller re-sends the whole batch.
    natsMsgList pending;
    if (js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK) natsMsgList_Destroy(&pending);
    return NatsError("publishing to JetStream", s);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (ack_errors_ > 0) {
    return absl::UnavailableError(
        absl::StrCat(ack_errors_, " messages not stored by JetStream: ", last_error_));
  }
  return absl::OkStatus();
}

}  // namespace redirector
