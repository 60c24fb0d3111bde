#pragma once
// Record framing (pure: no I/O). See log_format.h for the layout.

#include <cstdint>
#include <string>
#include <string_view>

#include "store/log_format.h"

namespace store::log {

// Appends one framed record to `dst`. REQUIRES: payload.size() <= kMaxPayload.
void AppendRecord(std::string* dst, RecordType type, uint8_t version, uint64_t seq,
                  std::string_view payload);

struct RecordView {
  RecordType type;
  uint8_t version;
  uint64_t seq;
  std::string_view payload;  // points into the parsed buffer
  size_t size;               // header + payload bytes
};

enum class ParseResult {
  kOk,          // *out holds a record whose CRC matched
  kIncomplete,  // `buf` ends before the record does (a torn tail, or a write in progress)
  kCorrupt,     // the length is impossible or the CRC does not match
};

// Parses the record at the start of `buf`.
ParseResult ParseRecord(std::string_view buf, RecordView* out);

}  // namespace store::log
