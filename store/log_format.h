#pragma once
// The event log's on-disk format; store/EVENT_LOG.md is the full description (enough to write
// a reader in another language).
//
// A log is a directory of segment files named by the sequence number of their first record,
// "<20 decimal digits>.log". Each segment is a header followed by records:
//
//   segment := magic "RDRLOG\0\1" (8 bytes) | first seq (u64 LE) | record*
//   record  := masked crc32c (u32 LE) | payload length (u32 LE) | type (u8) | version (u8)
//              | seq (u64 LE) | payload
//
// The CRC covers everything after the length field: type, version, seq and payload. Sequence
// numbers start at 1 and grow by one per record across segments; a reader therefore finds the
// record `seq` in the last segment whose name is ≤ seq.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace store::log {

inline constexpr std::string_view kSegmentMagic{"RDRLOG\0\1", 8};
inline constexpr size_t kSegmentHeaderSize = 16;
inline constexpr size_t kRecordHeaderSize = 4 + 4 + 1 + 1 + 8;
static_assert(kRecordHeaderSize == 18, "record header layout changed: update EVENT_LOG.md");
inline constexpr uint32_t kMaxPayload = 1 << 20;
inline constexpr std::string_view kSegmentSuffix = ".log";

enum class RecordType : uint8_t {
  kClick = 1,
  kConversion = 2,
};

}  // namespace store::log
