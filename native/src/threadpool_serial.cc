// The thread pool of a single-threaded build (WebAssembly without shared memory): every task runs
// on the calling thread, in order.
#include "threadpool.h"

namespace axon {

void set_num_threads(int) {}
int num_threads() { return 1; }
void parallel_for(int n, const std::function<void(int)>& fn) {
  for (int i = 0; i < n; i++) fn(i);
}

}  // namespace axon
