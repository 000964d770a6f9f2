#include "conv_direct.h"

#if defined(__x86_64__) || defined(__i386__)
#define AXON_X86 1
#include <immintrin.h>
#endif

#include <algorithm>

#include "cpu_features.h"
#include "threadpool.h"

namespace axon {

#if AXON_X86
namespace {

// Output channels per task: each task loads its segment's shifted inputs once for these.
constexpr long kChannelBlock = 8;

// Output channels [c0, c1) of one image, 16 output columns at a time: the KH·KW shifted input
// vectors a segment reads are loaded once (masked where they fall in the padding) and serve every
// channel of the block, each a bias and KH·KW fused multiply-adds. The kernel size is a template
// argument so that those vectors stay in registers (with a run-time count they went through the
// stack, and the first layer of the Fashion-MNIST CNN ran no faster than as a GEMM).
template <long KH, long KW>
__attribute__((target("avx512f"))) void single_channel_avx512(const float* x, long rs, const Window& g, const float* w,
                                                              const float* bias, float* out, long c0, long c1) {
  constexpr long taps = KH * KW;
  const long P = g.oh * g.ow;
  __m512 in[taps];
  for (long y = 0; y < g.oh; y++)
    for (long x0 = 0; x0 < g.ow; x0 += 16) {
      const long n = std::min(16L, g.ow - x0);
      for (long i = 0; i < KH; i++) {
        const long row = y + i - g.ph;
        for (long j = 0; j < KW; j++) {
          __m512& v = in[i * KW + j];
          if (row < 0 || row >= g.H) {
            v = _mm512_setzero_ps();
            continue;
          }
          // Lane l reads column start + l: inside the image and among the segment's n outputs.
          const long start = x0 + j - g.pw;
          const long lo = std::max(0L, -start), hi = std::min(n, g.W - start);
          const __mmask16 m =
              hi > lo ? static_cast<__mmask16>(((1u << hi) - 1) & ~((1u << lo) - 1)) : static_cast<__mmask16>(0);
          // Masked-off lanes are not read, so the base may lie before the row's first column.
          v = _mm512_maskz_loadu_ps(m, x + row * rs + start);
        }
      }
      const __mmask16 store = static_cast<__mmask16>((1u << n) - 1);
      for (long c = c0; c < c1; c++) {
        const float* wc = w + c * taps;
        __m512 acc = _mm512_set1_ps(bias ? bias[c] : 0.f);
#pragma GCC unroll 25
        for (long t = 0; t < taps; t++) acc = _mm512_fmadd_ps(in[t], _mm512_set1_ps(wc[t]), acc);
        _mm512_mask_storeu_ps(out + c * P + y * g.ow + x0, store, acc);
      }
    }
}

}  // namespace

bool conv2d_single_channel(const float* x, const long* xs, long N, long C, const Window& g, const float* w, long Cout,
                           const float* bias, float* out) {
  if (C != 1 || !cpu_has_avx512() || g.sh != 1 || g.sw != 1 || g.dh != 1 || g.dw != 1 || xs[3] != 1) return false;
  using Kernel = void (*)(const float*, long, const Window&, const float*, const float*, float*, long, long);
  Kernel kernel = nullptr;
  if (g.kh == 3 && g.kw == 3) kernel = &single_channel_avx512<3, 3>;
  if (g.kh == 5 && g.kw == 5) kernel = &single_channel_avx512<5, 5>;
  if (!kernel) return false;
  const long blocks = (Cout + kChannelBlock - 1) / kChannelBlock, P = g.oh * g.ow;
  const double flops = 2.0 * N * Cout * P * g.kh * g.kw;
  const int parts = flops < 1e6 ? 1 : static_cast<int>(std::min<long>(num_threads(), N * blocks));
  parallel_for(parts, [&](int t) {
    for (long task = N * blocks * t / parts; task < N * blocks * (t + 1) / parts; task++) {
      const long n = task / blocks, c0 = (task % blocks) * kChannelBlock;
      kernel(x + n * xs[0], xs[2], g, w, bias, out + n * Cout * P, c0, std::min(Cout, c0 + kChannelBlock));
    }
  });
  return true;
}

#else

bool conv2d_single_channel(const float*, const long*, long, long, const Window&, const float*, long, const float*,
                           float*) {
  return false;
}

#endif

}  // namespace axon
