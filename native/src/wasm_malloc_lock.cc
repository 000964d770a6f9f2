// The threaded WebAssembly build links Debian's wasi-libc, whose allocator (dlmalloc) was built for
// one thread. The linker's --wrap sends every malloc-family call of the module (the kernels' own,
// and libc++'s operator new) here, where one lock serialises them: workers allocate only when a
// thread-local buffer grows, so the lock is almost never contended. A page's main thread may not
// block in memory.atomic.wait, hence a spin lock.
#include <atomic>
#include <cstddef>

namespace {

std::atomic<int> g_locked{0};

struct Held {
  Held() {
    while (g_locked.exchange(1, std::memory_order_acquire) != 0) {
      while (g_locked.load(std::memory_order_relaxed) != 0) {
      }
    }
  }
  ~Held() { g_locked.store(0, std::memory_order_release); }
};

}  // namespace

extern "C" {
void* __real_malloc(size_t);
void __real_free(void*);
void* __real_calloc(size_t, size_t);
void* __real_realloc(void*, size_t);
void* __real_aligned_alloc(size_t, size_t);
int __real_posix_memalign(void**, size_t, size_t);

void* __wrap_malloc(size_t n) {
  Held h;
  return __real_malloc(n);
}
void __wrap_free(void* p) {
  Held h;
  __real_free(p);
}
void* __wrap_calloc(size_t n, size_t size) {
  Held h;
  return __real_calloc(n, size);
}
void* __wrap_realloc(void* p, size_t n) {
  Held h;
  return __real_realloc(p, n);
}
void* __wrap_aligned_alloc(size_t align, size_t n) {
  Held h;
  return __real_aligned_alloc(align, n);
}
int __wrap_posix_memalign(void** out, size_t align, size_t n) {
  Held h;
  return __real_posix_memalign(out, align, n);
}
}
