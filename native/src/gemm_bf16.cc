// bfloat16 GEMM (see gemm_bf16.h). The AVX512-BF16 path packs B into panels of 32 columns whose k
// values come in pairs (vdpbf16ps multiplies two bf16 pairs per float lane and adds both products
// to the lane), packs 8 rows of A at a time as pairs, and keeps an 8×32 block of C in 16 registers.
#include "gemm_bf16.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "threadpool.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace axon {
namespace {

// Round to nearest bfloat16, ties to even; a NaN stays a (quiet) NaN.
inline uint16_t to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

inline float from_bf16(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Every CPU: round copies of the operands, then the float32 GEMM.
void emulate(int M, int N, int K, ConstMat A, ConstMat B, Mat C, bool accumulate) {
  std::vector<float> a(static_cast<size_t>(M) * K), b(static_cast<size_t>(K) * N);
  for (int i = 0; i < M; i++)
    for (int k = 0; k < K; k++) a[static_cast<size_t>(i) * K + k] = from_bf16(to_bf16(A.p[i * A.rs + k * A.cs]));
  for (int k = 0; k < K; k++)
    for (int j = 0; j < N; j++) b[static_cast<size_t>(k) * N + j] = from_bf16(to_bf16(B.p[k * B.rs + j * B.cs]));
  sgemm(M, N, K, ConstMat{a.data(), K, 1}, ConstMat{b.data(), N, 1}, C, accumulate);
}

#if defined(__x86_64__)
constexpr int MR = 8, NR = 32;

// c[MR×NR] = Σ over kp pairs: a holds MR rows of kp pairs, b one panel (kp × 32 columns × 2).
__attribute__((target("avx512f,avx512bf16"))) void kernel(int kp, const uint32_t* a, const uint16_t* b, float* c) {
  __m512 acc[MR][2];
  for (int r = 0; r < MR; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int kk = 0; kk < kp; kk++) {
    const __m512bh b0 = reinterpret_cast<__m512bh>(_mm512_loadu_si512(b + kk * 64));
    const __m512bh b1 = reinterpret_cast<__m512bh>(_mm512_loadu_si512(b + kk * 64 + 32));
    for (int r = 0; r < MR; r++) {
      const __m512bh ar = reinterpret_cast<__m512bh>(_mm512_set1_epi32(static_cast<int>(a[r * kp + kk])));
      acc[r][0] = _mm512_dpbf16_ps(acc[r][0], ar, b0);
      acc[r][1] = _mm512_dpbf16_ps(acc[r][1], ar, b1);
    }
  }
  for (int r = 0; r < MR; r++) {
    _mm512_storeu_ps(c + r * NR, acc[r][0]);
    _mm512_storeu_ps(c + r * NR + 16, acc[r][1]);
  }
}

// pairs[kk] = (bf16(v[2kk·step]), bf16(v[(2kk+1)·step])) for the K values of a strided vector; with
// unit step 32 values at a time (vcvtne2ps2bf16 keeps their order, so consecutive values pair up).
// The instruction treats subnormal inputs as zero; the scalar path rounds them (they differ only there).
__attribute__((target("avx512f,avx512bf16"))) void pack_pairs(const float* v, long step, int K, uint32_t* pairs) {
  int kk = 0;
  if (step == 1)
    for (; 2 * kk + 32 <= K; kk += 16) {
      const __m512bh h = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(v + 2 * kk + 16), _mm512_loadu_ps(v + 2 * kk));
      _mm512_storeu_si512(pairs + kk, reinterpret_cast<__m512i>(h));
    }
  for (; 2 * kk < K; kk++) {
    const uint32_t lo = to_bf16(v[2 * kk * step]);
    const uint32_t hi = 2 * kk + 1 < K ? to_bf16(v[(2 * kk + 1) * step]) : 0;
    pairs[kk] = lo | (hi << 16);
  }
}

// One panel of B: for each pair kk, 32 columns of (B[2kk][j], B[2kk+1][j]); zeros past the edges.
// Row-major B converts two rows of 16 columns at a time and interleaves them.
__attribute__((target("avx512f,avx512bf16"))) void pack_panel(ConstMat B, int K, int N, int p, int kp, uint32_t* dst) {
  const int j0 = p * NR, nr = std::min(NR, N - j0);
  if (B.cs == 1 && nr == NR) {
    for (int kk = 0; kk < kp; kk++) {
      const float* r0 = B.p + 2 * kk * B.rs + j0;
      const float* r1 = r0 + B.rs;
      const bool second = 2 * kk + 1 < K;
      for (int h = 0; h < 2; h++) {
        const __m256i lo = reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(_mm512_loadu_ps(r0 + 16 * h)));
        const __m256i hi = second ? reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(_mm512_loadu_ps(r1 + 16 * h)))
                                  : _mm256_setzero_si256();
        // unpack interleaves within 128-bit lanes: columns 0-3 and 8-11 (lo), 4-7 and 12-15 (hi).
        const __m256i a = _mm256_unpacklo_epi16(lo, hi), b = _mm256_unpackhi_epi16(lo, hi);
        uint32_t* out = dst + kk * NR + 16 * h;
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_permute2x128_si256(a, b, 0x20));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), _mm256_permute2x128_si256(a, b, 0x31));
      }
    }
    return;
  }
  // Any other layout (a transposed weight has unit stride down its columns): pair each column.
  std::vector<uint32_t> column(kp);
  for (int jj = 0; jj < nr; jj++) {
    pack_pairs(B.p + static_cast<long>(j0 + jj) * B.cs, B.rs, K, column.data());
    for (int kk = 0; kk < kp; kk++) dst[kk * NR + jj] = column[kk];
  }
}

void native(int M, int N, int K, ConstMat A, ConstMat B, Mat C, bool accumulate) {
  const int kp = (K + 1) / 2, panels = (N + NR - 1) / NR;
  const bool big = 2.0 * M * N * K >= 4e6;
  std::vector<uint32_t> bp(static_cast<size_t>(panels) * kp * NR, 0);
  auto panel = [&](int p) { pack_panel(B, K, N, p, kp, bp.data() + static_cast<size_t>(p) * kp * NR); };
  if (big && panels > 1)
    parallel_for(panels, panel);
  else
    for (int p = 0; p < panels; p++) panel(p);
  const int blocks = (M + MR - 1) / MR;
  auto rows = [&](int blk) {
    const int i0 = blk * MR, mr = std::min(MR, M - i0);
    std::vector<uint32_t> ap(static_cast<size_t>(MR) * kp, 0);
    for (int r = 0; r < mr; r++) pack_pairs(A.p + (i0 + r) * A.rs, A.cs, K, ap.data() + static_cast<size_t>(r) * kp);
    alignas(64) float tile[MR * NR];
    for (int p = 0; p < panels; p++) {
      kernel(kp, ap.data(), reinterpret_cast<const uint16_t*>(bp.data() + static_cast<size_t>(p) * kp * NR), tile);
      const int nr = std::min(NR, N - p * NR);
      for (int r = 0; r < mr; r++) {
        float* out = C.p + (i0 + r) * C.rs + static_cast<long>(p) * NR * C.cs;
        for (int jj = 0; jj < nr; jj++) out[jj * C.cs] = (accumulate ? out[jj * C.cs] : 0.0f) + tile[r * NR + jj];
      }
    }
  };
  // Threads over blocks of rows when the product is worth it.
  if (big && blocks > 1)
    parallel_for(blocks, rows);
  else
    for (int blk = 0; blk < blocks; blk++) rows(blk);
}
#endif

}  // namespace

bool gemm_bf16_native() {
#if defined(__x86_64__)
  static const bool has = __builtin_cpu_supports("avx512bf16");
  return has;
#else
  return false;
#endif
}

void sgemm_bf16(int M, int N, int K, ConstMat A, ConstMat B, Mat C, bool accumulate) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    if (!accumulate)
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C.p[i * C.rs + j * C.cs] = 0.0f;
    return;
  }
#if defined(__x86_64__)
  if (gemm_bf16_native()) return native(M, N, K, A, B, C, accumulate);
#endif
  emulate(M, N, K, A, B, C, accumulate);
}

}  // namespace axon
