// The process group on MPI (Open MPI): ranks from mpirun, collectives through MPI_Allreduce & co.
// Every MPI call, MPI_Init and MPI_Finalize included, runs on the communication thread, so
// MPI_THREAD_FUNNELED is all the library must support.
#include <dlfcn.h>
#include <mpi.h>

#include <stdexcept>

#include "comm_group.h"

namespace axon_dist {

namespace {

MPI_Datatype mpiType(ElementType type) {
  switch (type) {
    case ElementType::Float64:
      return MPI_DOUBLE;
    case ElementType::Int32:
      return MPI_INT32_T;
    case ElementType::Float32:
      break;
  }
  return MPI_FLOAT;
}

MPI_Op mpiOp(Reduction reduction) {
  switch (reduction) {
    case Reduction::Max:
      return MPI_MAX;
    case Reduction::Min:
      return MPI_MIN;
    case Reduction::Product:
      return MPI_PROD;
    case Reduction::Sum:
      break;
  }
  return MPI_SUM;
}

void check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw std::runtime_error(std::string(call) + ": " + std::string(text, len));
}

}  // namespace

class MpiGroup : public CommGroup {
 public:
  explicit MpiGroup(const GroupOptions& options) : CommGroup(options.rank, options.size, options.timeout) {
    int launcherRank = options.rank, launcherSize = options.size;
    start();  // MPI_Init on the communication thread sets rank_ and size_
    if (launcherSize > 1 && (launcherRank != rank_ || launcherSize != size_)) {
      shutdown();
      throw std::runtime_error("the launcher says rank " + std::to_string(launcherRank) + " of " +
                               std::to_string(launcherSize) + " but MPI says rank " + std::to_string(rank_) + " of " +
                               std::to_string(size_) + ": start the job with mpirun for the 'mpi' backend");
    }
  }
  ~MpiGroup() override { shutdown(); }

 protected:
  void setUp() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized) throw std::runtime_error("MPI was finalized in this process and cannot start again");
    // Open MPI loads its components with dlopen; they need libmpi's symbols global, which a Node
    // addon's own dlopen (RTLD_LOCAL) does not give.
    dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    if (provided < MPI_THREAD_FUNNELED) throw std::runtime_error("this MPI does not support MPI_THREAD_FUNNELED");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }

  void tearDown() override { MPI_Finalize(); }

  void run(Work& work) override {
    MPI_Datatype type = mpiType(work.type);
    int count = static_cast<int>(work.count);
    if (work.count > static_cast<size_t>(INT32_MAX)) throw std::runtime_error("more than 2^31 - 1 elements");
    switch (work.collective) {
      case Collective::AllReduce:
        check(MPI_Allreduce(MPI_IN_PLACE, work.data, count, type, mpiOp(work.reduction), MPI_COMM_WORLD),
              "MPI_Allreduce");
        break;
      case Collective::Broadcast:
        check(MPI_Bcast(work.data, count, type, work.root, MPI_COMM_WORLD), "MPI_Bcast");
        break;
      case Collective::AllGather:
        check(MPI_Allgather(work.data, count, type, work.out, count, type, MPI_COMM_WORLD), "MPI_Allgather");
        break;
      case Collective::Barrier:
        check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
        break;
    }
  }

  std::string describeFailure(const Work& work, const std::string& cause, double) override {
    return work.name + " failed on rank " + std::to_string(rank_) + " of " + std::to_string(size_) + " (MPI: " + cause +
           ")";
  }
};

std::shared_ptr<CommGroup> makeGroup(const GroupOptions& options) { return std::make_shared<MpiGroup>(options); }

}  // namespace axon_dist
