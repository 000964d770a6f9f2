// The machine's FP32 FMA peak for one core: independent FMA chains on registers, no memory.
#include "peak.h"

#include <immintrin.h>

#include <chrono>

namespace axon {
namespace {

__attribute__((target("avx512f"), noinline)) float chains_avx512(long n) {
  __m512 c[12];
  const __m512 a = _mm512_set1_ps(0.9999999f), b = _mm512_set1_ps(1e-7f);
  for (int i = 0; i < 12; i++) c[i] = _mm512_set1_ps(static_cast<float>(i));
  for (long r = 0; r < n; r++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) c[i] = _mm512_fmadd_ps(a, c[i], b);
  }
  float s = 0;
  for (int i = 0; i < 12; i++) s += _mm512_reduce_add_ps(c[i]);
  return s;
}

__attribute__((target("avx2,fma"), noinline)) float chains_avx2(long n) {
  __m256 c[12];
  const __m256 a = _mm256_set1_ps(0.9999999f), b = _mm256_set1_ps(1e-7f);
  for (int i = 0; i < 12; i++) c[i] = _mm256_set1_ps(static_cast<float>(i));
  for (long r = 0; r < n; r++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) c[i] = _mm256_fmadd_ps(a, c[i], b);
  }
  alignas(32) float t[8];
  float s = 0;
  for (int i = 0; i < 12; i++) {
    _mm256_store_ps(t, c[i]);
    for (float v : t) s += v;
  }
  return s;
}

}  // namespace

double fma_peak_gflops(double seconds) {
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (!avx512 && !avx2) return 0;
  const double flops_per_iter = 12.0 * (avx512 ? 16 : 8) * 2;
  volatile float sink = 0;
  long n = 1 << 20;
  for (;;) {
    auto t0 = std::chrono::steady_clock::now();
    sink = sink + (avx512 ? chains_avx512(n) : chains_avx2(n));
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s >= seconds) return flops_per_iter * n / s / 1e9;
    n *= 2;
  }
}

}  // namespace axon
