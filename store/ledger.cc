#include "store/ledger.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "store/coding.h"
#include "store/rocks_status.h"

namespace store {
namespace {

std::string Key(char kind, std::string_view id) {
  std::string k;
  k.reserve(2 + id.size());
  k.push_back(kind);
  k.push_back('/');
  k.append(id);
  return k;
}

std::string Value(int64_t ts_us) {
  std::string v;
  PutVarint64(&v, static_cast<uint64_t>(ts_us));
  return v;
}

}  // namespace

absl::StatusOr<std::optional<int64_t>> Ledger::Lookup(std::string key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), family_, key, &value);
  if (s.IsNotFound()) return std::optional<int64_t>();
  if (!s.ok()) return FromRocks(s, "reading the ledger");
  std::string_view in(value);
  uint64_t ts;
  if (!GetVarint64(&in, &ts)) return absl::DataLossError("ledger record " + key + " is corrupt");
  return std::optional<int64_t>(static_cast<int64_t>(ts));
}

absl::StatusOr<std::optional<int64_t>> Ledger::OrderRecordedAt(std::string_view order_id) const {
  return Lookup(Key('o', order_id));
}

absl::StatusOr<std::optional<int64_t>> Ledger::RedeemedAt(std::string_view coupon) const {
  return Lookup(Key('r', coupon));
}

absl::Status Ledger::RecordOrders(const std::vector<std::string>& order_ids, int64_t ts_us) {
  if (order_ids.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  std::string value = Value(ts_us);
  for (const std::string& id : order_ids) batch.Put(family_, Key('o', id), value);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Write(wo, &batch), "recording order ids");
}

absl::Status Ledger::RecordRedemption(std::string_view coupon, int64_t ts_us) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Put(wo, family_, Key('r', coupon), Value(ts_us)), "recording redemption");
}

}  // namespace store
