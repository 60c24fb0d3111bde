#pragma once
// CRC-32C (Castagnoli), as used by the event log's record framing. Uses the SSE4.2 crc32
// instruction when the CPU has it, a table otherwise; both give the same value.
// Check value: Value("123456789") == 0xE3069283.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace store::crc32c {

// Returns the CRC-32C of data[0, n) continuing from `init_crc` (the CRC of what came before).
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);

inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

// A stored CRC is masked so that a CRC of data that itself contains CRCs is not degenerate
// (the LevelDB/RocksDB convention).
inline uint32_t Mask(uint32_t crc) {
  constexpr uint32_t kMaskDelta = 0xa282ead8u;
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}

inline uint32_t Unmask(uint32_t masked) {
  constexpr uint32_t kMaskDelta = 0xa282ead8u;
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace store::crc32c
