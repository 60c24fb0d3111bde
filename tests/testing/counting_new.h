#pragma once
// Replaces the global operator new/delete with malloc/free and counts every allocation of the
// calling thread, so a test or benchmark can assert "no allocation" over a stretch of code on its
// thread (other threads, such as RocksDB's background threads behind a LinkTable, do not count).
// Include it in exactly one source file of a binary (it defines the operators). Not for
// sanitizer builds, which own the allocator.
//
//   long before = testing::AllocationCount();
//   ... code under test ...
//   CHECK(testing::AllocationCount() - before == 0);

#include <cstdlib>
#include <new>

namespace testing {
inline thread_local long g_allocation_count = 0;
inline long AllocationCount() { return g_allocation_count; }
}  // namespace testing

void* operator new(std::size_t n) {
  ++testing::g_allocation_count;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
