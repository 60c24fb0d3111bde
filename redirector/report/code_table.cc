#include "redirector/report/code_table.h"

#include <absl/hash/hash.h>

#include "store/string_view.h"

#include <sys/mman.h>

namespace redirector {

void AdviseHugePages(void* p, size_t bytes) {
  constexpr uintptr_t kHuge = 2u << 20;
  auto begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  auto end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

uint64_t CodeFingerprint(std::string_view code) { return absl::HashOf(store::AV(code)); }

}  // namespace redirector
