// A process group's communication thread, whatever the collective library: collectives run there in
// the order they were issued (the same order on every rank), so the JS thread can go on computing
// while gradients are summed. Gloo and MPI each subclass it (gloo_group.cc, mpi_group.cc); each
// addon is built from one of them and defines makeGroup.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace axon_dist {

enum class Collective { AllReduce, Broadcast, AllGather, Barrier };
enum class Reduction { Sum, Max, Min, Product };
enum class ElementType { Float32, Float64, Int32 };

// One collective call. `data` is the input (and, for allReduce and broadcast, the output); `out`
// is the gathered output of allGather. The memory is the caller's and must stay alive until done.
struct Work {
  Collective collective = Collective::Barrier;
  Reduction reduction = Reduction::Sum;
  ElementType type = ElementType::Float32;
  void* data = nullptr;
  size_t count = 0;
  void* out = nullptr;
  int root = 0;
  std::string name;

  bool done = false;
  std::string error;  // empty when it succeeded
};

struct GroupOptions {
  int rank = 0;
  int size = 1;
  std::string masterAddr = "127.0.0.1";
  int masterPort = 29500;
  std::chrono::milliseconds timeout{30000};
  std::string hostname;  // the address peers reach this rank on; default: the one that reaches the master
};

size_t elementSize(ElementType type);

class CommGroup {
 public:
  virtual ~CommGroup();

  int rank() const { return rank_; }
  int size() const { return size_; }
  virtual int storePort() const { return 0; }

  void enqueue(const std::shared_ptr<Work>& work);
  // Blocks until the work is done (its error, if any, in work->error) and returns true; returns
  // false when it has not finished a while after the timeout (the library is stuck in it: the
  // caller must then keep its memory alive for good).
  bool wait(const std::shared_ptr<Work>& work);
  // Finishes the queued work, leaves the group, closes the connections.
  void shutdown();
  // Why the group cannot be used any more (empty while it can).
  std::string failure();

 protected:
  CommGroup(int rank, int size, std::chrono::milliseconds timeout) : rank_(rank), size_(size), timeout_(timeout) {}
  // Starts the communication thread and waits for setUp() on it; rethrows what setUp threw.
  void start();
  virtual void setUp() {}     // on the communication thread, first (MPI_Init)
  virtual void tearDown() {}  // on the communication thread, last (MPI_Finalize)
  virtual void leave() {}     // on the caller's thread once the communication thread stopped
  virtual void run(Work& work) = 0;
  virtual std::string describeFailure(const Work& work, const std::string& cause, double elapsedMs) = 0;

  int rank_, size_;
  std::chrono::milliseconds timeout_;

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<Work>> queue_;
  std::string broken_;  // the first failure; every later collective reports it
  bool stopping_ = false;
  bool stuck_ = false;  // a collective never returned: the thread cannot be joined
  bool setUpDone_ = false;
  std::string setUpError_;
  std::thread thread_;
};

// Made by the addon's backend (gloo_group.cc or mpi_group.cc). Throws std::runtime_error.
std::shared_ptr<CommGroup> makeGroup(const GroupOptions& options);

}  // namespace axon_dist
