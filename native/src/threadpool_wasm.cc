// The thread pool of the threaded WebAssembly build (shared memory, atomics). WebAssembly cannot
// start a thread: the glue (src/backend/wasm/workers.ts) starts Web Workers or Node worker threads,
// each instantiating this module on the same shared memory, and each calls axon_worker_run, which
// joins the pool here and never returns. The pool's state lives in linear memory, so every
// instance sees it; the stack pointer and thread-local storage are per instance (set by the glue
// before axon_worker_run).
//
// Workers join asynchronously, so a parallel_for uses the workers that have joined by then (none
// at first: the caller runs every task). A page's main thread may not block in memory.atomic.wait,
// so the caller only spins; workers spin for a while and then wait.
#include <atomic>
#include <cstdint>
#include <functional>

#include "threadpool.h"

#define AXON_EXPORT(name) extern "C" __attribute__((export_name(#name)))

namespace axon {
namespace {

// True on a thread while it runs pool tasks: a nested parallel_for then runs inline.
thread_local bool t_inside = false;

struct Pool {
  std::atomic<int> wanted{1};  // threads in use, the caller included (set_num_threads)
  std::atomic<int> joined{0};  // workers that have called axon_worker_run
  std::atomic<int> failed{0};  // a worker trapped (its glue called axon_worker_failed)
  // Bumped for each job; workers wait on it. 32 bits, as memory.atomic.wait32 needs.
  std::atomic<int32_t> generation{0};
  std::atomic<int> sleepers{0};
  std::atomic<int> active{0};    // workers inside the current job
  std::atomic<int> admitted{0};  // workers the current job still accepts
  const std::function<void(int)>* job = nullptr;
  int total = 0;
  std::atomic<int> next{0};
};

Pool g_pool;

// Loads of the job counter a worker makes before it sleeps (there is no clock without an import):
// about 20-40 µs here. Kernels of a training step come microseconds apart (threadpool.cc), but a
// longer spin was measured to cost more than it saves: 200 000 rounds made the digits MLP 1.5x
// faster on two threads in Node, yet slower in Chromium, whose garbage collector needs the second
// core for a page's freshly allocated tensors.
constexpr int kSpinRounds = 20000;

int32_t* generation_word() { return reinterpret_cast<int32_t*>(&g_pool.generation); }

void drain(const std::function<void(int)>* job, int total) {
  const bool was = t_inside;
  t_inside = true;
  for (;;) {
    const int i = g_pool.next.fetch_add(1);
    if (i >= total) break;
    (*job)(i);
  }
  t_inside = was;
}

}  // namespace

void set_num_threads(int n) { g_pool.wanted.store(n > 0 ? n : 1); }

int num_threads() {
  const int workers = g_pool.joined.load();
  const int wanted = g_pool.wanted.load();
  return workers + 1 < wanted ? workers + 1 : wanted;
}

void parallel_for(int n, const std::function<void(int)>& fn) {
  const int helpers = num_threads() - 1;
  if (n <= 0) return;
  if (helpers <= 0 || n == 1 || t_inside) {
    for (int i = 0; i < n; i++) fn(i);
    return;
  }
  Pool& p = g_pool;
  p.job = &fn;
  p.total = n;
  p.next.store(0);
  p.admitted.store(helpers);
  p.generation.fetch_add(1);  // publishes job and total (sequentially consistent)
  if (p.sleepers.load() > 0) __builtin_wasm_memory_atomic_notify(generation_word(), static_cast<uint32_t>(helpers));
  drain(&fn, n);
  // Workers that joined this job must leave it before fn goes out of scope; a trapped worker
  // never will, so its failure ends the wait (and the call, with a trap the glue reports).
  while (p.active.load() != 0 || p.admitted.load() > 0) {
    if (p.failed.load() != 0) __builtin_trap();
    // No worker claims a slot once the tasks are gone: close the door so the wait can end.
    if (p.next.load() >= n) {
      int left = p.admitted.load();
      while (left > 0 && !p.admitted.compare_exchange_weak(left, 0)) {
      }
    }
  }
  p.job = nullptr;
}

}  // namespace axon

using axon::g_pool;

// Joins the pool; runs jobs until the process ends. Called by a worker's glue after it set this
// instance's stack pointer and thread-local storage.
AXON_EXPORT(axon_worker_run) void axon_worker_run() {
  int32_t seen = g_pool.generation.load();
  g_pool.joined.fetch_add(1);
  for (;;) {
    int spins = 0;
    while (g_pool.generation.load() == seen) {
      if (++spins < axon::kSpinRounds) continue;
      g_pool.sleepers.fetch_add(1);
      // Re-checked inside the wait: a job posted after the load above returns at once.
      if (g_pool.generation.load() == seen) __builtin_wasm_memory_atomic_wait32(axon::generation_word(), seen, -1);
      g_pool.sleepers.fetch_sub(1);
      spins = 0;
    }
    seen = g_pool.generation.load();
    // Counted as active before taking a seat, so the caller cannot end the job between the two.
    g_pool.active.fetch_add(1);
    // Take a seat in this job, if it still has one (it may have ended, or have enough helpers).
    int seats = g_pool.admitted.load();
    bool in = false;
    while (seats > 0 && !(in = g_pool.admitted.compare_exchange_weak(seats, seats - 1))) {
    }
    // job and total were written before admitted: a seat taken sees them, and they stay until
    // active is 0.
    if (in) axon::drain(g_pool.job, g_pool.total);
    g_pool.active.fetch_sub(1);
  }
}

// A worker's glue caught a trap: the caller of the current job stops waiting and traps too.
AXON_EXPORT(axon_worker_failed) void axon_worker_failed() { g_pool.failed.store(1); }

// The thread-local storage a worker's instance needs, for the glue to allocate.
AXON_EXPORT(axon_tls_size) int axon_tls_size() { return static_cast<int>(__builtin_wasm_tls_size()); }
AXON_EXPORT(axon_tls_align) int axon_tls_align() { return static_cast<int>(__builtin_wasm_tls_align()); }
