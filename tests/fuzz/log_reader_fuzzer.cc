// Fuzz target: event-log bytes. Parsed as records (pure framing + event decoding), and as a
// segment file through SegmentReader (resynchronisation after corruption). Nothing may crash or
// read out of bounds; every record returned must carry a valid checksum.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "store/event.h"
#include "store/log_reader.h"
#include "store/log_record.h"

#include "tests/fuzz/scratch_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  store::log::RecordView r;
  std::string_view rest = in;
  while (store::log::ParseRecord(rest, &r) == store::log::ParseResult::kOk) {
    (void)store::DecodeEvent(r.type, r.version, r.seq, r.payload);
    rest.remove_prefix(r.size);
  }
  static const std::string path = fuzz::ScratchDir("log") + "/segment";
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(store::log::kSegmentMagic.data(),
            static_cast<std::streamsize>(store::log::kSegmentMagic.size()));
    f.write("\1\0\0\0\0\0\0\0", 8);
    f.write(in.data(), static_cast<std::streamsize>(in.size()));
  }
  auto reader = store::log::SegmentReader::Open(path, nullptr);
  if (!reader.ok()) std::abort();
  int guard = 0;
  while ((*reader)->Next(&r)) {
    if (++guard > 1000000) std::abort();
    if (store::log::ParseRecord(
            std::string_view(r.payload.data() - store::log::kRecordHeaderSize, r.size), &r) !=
        store::log::ParseResult::kOk) {
      std::abort();
    }
  }
  return 0;
}
