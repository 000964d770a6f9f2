// Run-time CPU checks the kernels share (the GEMM picks its micro-kernel once, at start-up, itself).
#pragma once

namespace axon {

// Whether this CPU has AVX-512F, asked once. Always false off x86.
inline bool cpu_has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return yes;
#else
  return false;
#endif
}

}  // namespace axon
