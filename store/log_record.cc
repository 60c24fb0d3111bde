#include "store/log_record.h"

#include <cassert>

#include "store/coding.h"
#include "store/crc32c.h"

namespace store::log {

void AppendRecord(std::string* dst, RecordType type, uint8_t version, uint64_t seq,
                  std::string_view payload) {
  assert(payload.size() <= kMaxPayload);
  size_t start = dst->size();
  PutFixed32(dst, 0);  // CRC, filled in below
  PutFixed32(dst, static_cast<uint32_t>(payload.size()));
  dst->push_back(static_cast<char>(type));
  dst->push_back(static_cast<char>(version));
  PutFixed64(dst, seq);
  dst->append(payload.data(), payload.size());
  uint32_t crc = crc32c::Extend(0, dst->data() + start + 8, dst->size() - start - 8);
  uint32_t masked = crc32c::Mask(crc);
  std::memcpy(dst->data() + start, &masked, 4);
}

ParseResult ParseRecord(std::string_view buf, RecordView* out) {
  if (buf.size() < kRecordHeaderSize) return ParseResult::kIncomplete;
  uint32_t length = DecodeFixed32(buf.data() + 4);
  if (length > kMaxPayload) return ParseResult::kCorrupt;
  size_t size = kRecordHeaderSize + length;
  if (buf.size() < size) return ParseResult::kIncomplete;
  uint32_t expected = crc32c::Unmask(DecodeFixed32(buf.data()));
  if (crc32c::Extend(0, buf.data() + 8, size - 8) != expected) return ParseResult::kCorrupt;
  out->type = static_cast<RecordType>(buf[8]);
  out->version = static_cast<uint8_t>(buf[9]);
  out->seq = DecodeFixed64(buf.data() + 10);
  out->payload = buf.substr(kRecordHeaderSize, length);
  out->size = size;
  return ParseResult::kOk;
}

}  // namespace store::log
