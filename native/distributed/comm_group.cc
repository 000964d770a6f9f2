#include "comm_group.h"

#include <stdexcept>

namespace axon_dist {

size_t elementSize(ElementType type) { return type == ElementType::Float64 ? 8 : 4; }

CommGroup::~CommGroup() {
  if (thread_.joinable()) thread_.detach();  // only a stuck thread is left here (shutdown joins the others)
}

void CommGroup::start() {
  thread_ = std::thread([this] {
    try {
      setUp();
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      setUpError_ = e.what();
      setUpDone_ = true;
      changed_.notify_all();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      setUpDone_ = true;
      changed_.notify_all();
    }
    loop();
    tearDown();
  });
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return setUpDone_; });
  if (!setUpError_.empty()) {
    lock.unlock();
    thread_.join();
    throw std::runtime_error(setUpError_);
  }
}

void CommGroup::enqueue(const std::shared_ptr<Work>& work) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) {
    work->error = work->name + ": the process group was destroyed";
    work->done = true;
    return;
  }
  queue_.push_back(work);
  changed_.notify_all();
}

bool CommGroup::wait(const std::shared_ptr<Work>& work) {
  std::unique_lock<std::mutex> lock(mutex_);
  // The library's own timeout should have ended the collective by now; this is the backstop for
  // one that has none (MPI) or ignores it. Queued work ahead of this one gets its timeout too.
  auto patience = timeout_ * static_cast<long>(queue_.size() + 1) + std::chrono::seconds(10);
  if (changed_.wait_for(lock, patience, [&] { return work->done; })) return true;
  stuck_ = true;
  if (broken_.empty())
    broken_ = work->name + " on rank " + std::to_string(rank_) + " of " + std::to_string(size_) +
              ": did not finish within " + std::to_string(patience.count()) +
              " ms and the collective library reported nothing: a rank may be stuck or gone";
  return false;
}

std::string CommGroup::failure() {
  std::lock_guard<std::mutex> lock(mutex_);
  return broken_;
}

void CommGroup::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    changed_.notify_all();
  }
  if (stuck_) return;  // a collective never returned: the thread cannot finish, nor can we leave cleanly
  if (thread_.joinable()) thread_.join();
  leave();
}

void CommGroup::loop() {
  for (;;) {
    std::shared_ptr<Work> work;
    std::string broken;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything issued has run
      work = queue_.front();
      queue_.pop_front();
      broken = broken_;
    }
    std::string error;
    if (broken.empty()) {
      auto start = std::chrono::steady_clock::now();
      try {
        run(*work);
      } catch (const std::exception& e) {
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        error = describeFailure(*work, e.what(), ms);
      }
    } else {
      error = work->name + " on rank " + std::to_string(rank_) +
              ": the process group failed earlier and cannot be used: " + broken;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error.empty() && broken_.empty()) broken_ = error;
    work->error = error;
    work->done = true;
    changed_.notify_all();
  }
}

}  // namespace axon_dist
