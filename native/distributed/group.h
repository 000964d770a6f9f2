// A process group on Gloo: the ranks' full mesh of TCP pairs, and one communication thread that runs
// the collectives in the order they were issued (the same order on every rank), so the JS thread can
// go on computing while gradients are summed.
#pragma once

#include <gloo/rendezvous/context.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store.h"

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

class ProcessGroup {
 public:
  // Rank 0 hosts the store; every rank connects and joins the mesh. Throws std::runtime_error.
  explicit ProcessGroup(const GroupOptions& options);
  ~ProcessGroup();

  int rank() const { return rank_; }
  int size() const { return size_; }
  int storePort() const { return server_ ? server_->port() : 0; }

  void enqueue(const std::shared_ptr<Work>& work);
  // Blocks until the work is done; its error (if any) is in work->error.
  void wait(const std::shared_ptr<Work>& work);
  // Finishes the queued work, tells the store this rank leaves cleanly, closes the connections.
  void shutdown();

 private:
  void loop();
  void run(Work& work);
  std::string describeFailure(const Work& work, const std::string& cause, double elapsedMs);

  int rank_, size_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<StoreServer> server_;
  std::unique_ptr<StoreClient> store_;
  std::shared_ptr<gloo::rendezvous::Context> context_;
  uint32_t nextTag_ = 1;
  std::string broken_;  // the first failure; every later collective reports it

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<Work>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace axon_dist
