#pragma once
// Ledger: the things that may happen only once, kept durable so a retry is recognised after a
// restart: conversion order ids (a repeated order id counts once) and coupon redemptions (a
// coupon is redeemed once). Lives in the link database's "ledger" column family:
// "o/<order id>" and "r/<coupon>" → the event time (Unix microseconds, varint).
//
// The caller decides when to record: after the event is durable in the event log, so a crash
// in between makes a retry write the event again (reports drop the repeat by order id or
// coupon) instead of losing it. Check-and-record is serialized by the caller (the admin thread).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/status/statusor.h>

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace store {

class Ledger {
 public:
  Ledger(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family) : db_(db), family_(family) {}

  // When the order id was first recorded (Unix microseconds), or nullopt if never.
  absl::StatusOr<std::optional<int64_t>> OrderRecordedAt(std::string_view order_id) const;
  // When the coupon was redeemed, or nullopt if it was not.
  absl::StatusOr<std::optional<int64_t>> RedeemedAt(std::string_view coupon) const;

  // Synced writes; all or nothing.
  absl::Status RecordOrders(const std::vector<std::string>& order_ids, int64_t ts_us);
  absl::Status RecordRedemption(std::string_view coupon, int64_t ts_us);

 private:
  absl::StatusOr<std::optional<int64_t>> Lookup(std::string key) const;

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
};

}  // namespace store
