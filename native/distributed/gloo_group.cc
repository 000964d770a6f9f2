#include "comm_group.h"
#include "store.h"

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/context.h>
#include <gloo/transport/tcp/device.h>

#include <stdexcept>

namespace axon_dist {

namespace {

template <typename T>
gloo::AllreduceOptions::Func reducer(Reduction reduction) {
  using Fn = void (*)(void*, const void*, const void*, size_t);
  switch (reduction) {
    case Reduction::Max:
      return static_cast<Fn>(&gloo::max<T>);
    case Reduction::Min:
      return static_cast<Fn>(&gloo::min<T>);
    case Reduction::Product:
      return static_cast<Fn>(&gloo::product<T>);
    case Reduction::Sum:
      break;
  }
  return static_cast<Fn>(&gloo::sum<T>);
}

template <typename T>
void allReduce(const std::shared_ptr<gloo::Context>& context, Work& work, uint32_t tag) {
  gloo::AllreduceOptions opts(context);
  opts.setOutput(static_cast<T*>(work.data), work.count);
  opts.setReduceFunction(reducer<T>(work.reduction));
  opts.setTag(tag);
  gloo::allreduce(opts);
}

}  // namespace

// Gloo's full mesh of TCP pairs; rank 0 hosts the rendezvous store (store.h).
class GlooGroup : public CommGroup {
 public:
  explicit GlooGroup(const GroupOptions& options) : CommGroup(options.rank, options.size, options.timeout) {
    if (rank_ == 0) server_ = std::make_unique<StoreServer>(options.masterAddr, options.masterPort);
    int port = server_ ? server_->port() : options.masterPort;
    store_ = std::make_unique<StoreClient>(options.masterAddr, port, timeout_);
    store_->hello(rank_);
    gloo::transport::tcp::attr attr;
    attr.hostname = options.hostname.empty() ? store_->localAddress() : options.hostname;
    auto device = gloo::transport::tcp::CreateDevice(attr);
    context_ = std::make_shared<gloo::rendezvous::Context>(rank_, size_);
    context_->setTimeout(timeout_);
    context_->connectFullMesh(*store_, device);
    start();
  }
  ~GlooGroup() override { shutdown(); }
  int storePort() const override { return server_ ? server_->port() : 0; }

 protected:
  void run(Work& work) override;
  std::string describeFailure(const Work& work, const std::string& cause, double elapsedMs) override;
  void leave() override {
    store_->bye();
    context_.reset();
    store_.reset();
    server_.reset();
  }

 private:
  std::unique_ptr<StoreServer> server_;
  std::unique_ptr<StoreClient> store_;
  std::shared_ptr<gloo::rendezvous::Context> context_;
  uint32_t nextTag_ = 1;
};

void GlooGroup::run(Work& work) {
  uint32_t tag = nextTag_++;
  switch (work.collective) {
    case Collective::AllReduce:
      if (work.type == ElementType::Float32)
        allReduce<float>(context_, work, tag);
      else if (work.type == ElementType::Float64)
        allReduce<double>(context_, work, tag);
      else
        allReduce<int32_t>(context_, work, tag);
      break;
    case Collective::Broadcast: {
      gloo::BroadcastOptions opts(context_);
      size_t bytes = work.count * elementSize(work.type);
      if (rank_ == work.root) opts.setInput(static_cast<char*>(work.data), bytes);
      opts.setOutput(static_cast<char*>(work.data), bytes);
      opts.setRoot(work.root);
      opts.setTag(tag);
      gloo::broadcast(opts);
      break;
    }
    case Collective::AllGather: {
      gloo::AllgatherOptions opts(context_);
      size_t bytes = work.count * elementSize(work.type);
      opts.setInput(static_cast<char*>(work.data), bytes);
      opts.setOutput(static_cast<char*>(work.out), bytes * static_cast<size_t>(size_));
      opts.setTag(tag);
      gloo::allgather(opts);
      break;
    }
    case Collective::Barrier: {
      gloo::BarrierOptions opts(context_);
      opts.setTag(tag);
      gloo::barrier(opts);
      break;
    }
  }
}

std::string GlooGroup::describeFailure(const Work& work, const std::string& cause, double elapsedMs) {
  std::string head = work.name + " failed on rank " + std::to_string(rank_) + " of " + std::to_string(size_) + ": ";
  // A killed peer's connections close at once; give the store a moment to notice before asking it.
  std::vector<int> gone;
  bool masterGone = false;
  for (int attempt = 0; attempt < 20 && gone.empty() && !masterGone; attempt++) {
    try {
      gone = store_->goneRanks();
    } catch (const std::exception&) {
      masterGone = rank_ != 0;
    }
    if (gone.empty() && !masterGone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string detail = " (gloo: " + cause + ")";
  if (masterGone) return head + "rank 0 left the group (its store connection closed)" + detail;
  if (!gone.empty()) {
    std::string list;
    for (int r : gone) list += (list.empty() ? "" : ", ") + std::to_string(r);
    return head + (gone.size() == 1 ? "rank " : "ranks ") + list + (gone.size() == 1 ? " has" : " have") +
           " left the group (connection closed without leaving cleanly)" + detail;
  }
  return head + "no rank left, but the collective did not finish after " + std::to_string(int(elapsedMs)) +
         " ms (timeout " + std::to_string(timeout_.count()) +
         " ms): a rank may be stuck, or the ranks issued collectives in different orders or sizes" + detail;
}

std::shared_ptr<CommGroup> makeGroup(const GroupOptions& options) { return std::make_shared<GlooGroup>(options); }

}  // namespace axon_dist
