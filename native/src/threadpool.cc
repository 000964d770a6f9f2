#include "threadpool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace axon {
namespace {

// True on a thread while it runs pool tasks: a nested parallel_for then runs inline.
thread_local bool t_inside = false;

class Pool {
 public:
  explicit Pool(int threads) { resize(threads); }
  ~Pool() { stop(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int threads) {
    stop();
    quit_ = false;
    for (int i = 1; i < threads; i++) workers_.emplace_back([this] { work(); });
  }

  void run(int n, const std::function<void(int)>& fn) {
    if (n <= 0) return;
    if (workers_.empty() || n == 1 || t_inside) {
      for (int i = 0; i < n; i++) fn(i);
      return;
    }
    bool sleeping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &fn;
      total_ = n;
      next_.store(0);
      generation_.fetch_add(1);
      sleeping = sleepers_ > 0;
    }
    // Workers still spinning from the last job see the new generation without a system call.
    if (sleeping) wake_.notify_all();
    drain(&fn, n);
    // Return only when no worker is still inside this job.
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = nullptr;
    }
    spin_until([&] { return active_.load() == 0; });
    std::unique_lock<std::mutex> lock(mu_);
    finished_.wait(lock, [&] { return active_.load() == 0; });
  }

 private:
  // Waits up to kSpin for done() before the caller blocks: a training step launches kernels a few
  // microseconds apart, and waking a sleeping thread (a futex call and a context switch each way)
  // costs more than a small kernel's whole run — 8 µs for a 64³ product took 23 µs on two threads.
  template <typename Done>
  static void spin_until(Done done) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int i = 0; !done(); i++) {
      pause();
      if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) return;
    }
  }

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
  }

  static constexpr std::chrono::microseconds kSpin{200};

  void drain(const std::function<void(int)>* job, int total) {
    const bool was = t_inside;
    t_inside = true;
    for (;;) {
      int i = next_.fetch_add(1);
      if (i >= total) break;
      (*job)(i);
    }
    t_inside = was;
  }

  void work() {
    unsigned long seen = 0;
    for (;;) {
      const std::function<void(int)>* job;
      int total;
      spin_until([&] { return quit_.load() || generation_.load() != seen; });
      {
        std::unique_lock<std::mutex> lock(mu_);
        sleepers_++;
        wake_.wait(lock, [&] { return quit_.load() || generation_.load() != seen; });
        sleepers_--;
        if (quit_) return;
        seen = generation_.load();
        job = job_;
        total = total_;
        if (job == nullptr) continue;  // woke after that job was already finished
        active_++;
      }
      drain(job, total);
      std::lock_guard<std::mutex> lock(mu_);
      if (--active_ == 0) finished_.notify_all();
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quit_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, finished_;
  const std::function<void(int)>* job_ = nullptr;
  int total_ = 0;
  std::atomic<int> next_{0};
  // Written under mu_; atomic so that spinning threads may read them without it.
  std::atomic<int> active_{0};
  std::atomic<unsigned long> generation_{0};
  std::atomic<bool> quit_{false};
  int sleepers_ = 0;  // workers blocked on wake_ (under mu_)
};

int default_threads() {
  if (const char* env = std::getenv("AXON_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc > 0 ? static_cast<int>(hc) : 1;
}

Pool& pool() {
  static Pool p(default_threads());
  return p;
}

}  // namespace

void set_num_threads(int n) { pool().resize(n > 0 ? n : 1); }
int num_threads() { return pool().size(); }
void parallel_for(int n, const std::function<void(int)>& fn) { pool().run(n, fn); }

}  // namespace axon
