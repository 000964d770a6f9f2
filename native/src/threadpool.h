// A persistent pool of worker threads. parallel_for(n, fn) runs fn(0..n-1) on the workers and the
// calling thread and returns when all are done; no thread is created per call.
#pragma once
#include <functional>

namespace axon {

void set_num_threads(int n);
int num_threads();
void parallel_for(int n, const std::function<void(int)>& fn);

}  // namespace axon
