#pragma once

namespace axon {

// Sets glibc malloc's thresholds for a tensor workload (malloc_tuning.cc), once per process; returns
// what the process runs with: "tuned", "default" (turned off, or the user set the thresholds), or
// "unsupported" (not glibc, or a sanitizer's allocator).
const char* tune_malloc();

}  // namespace axon
