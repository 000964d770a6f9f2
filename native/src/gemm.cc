// GEMM in the style of BLIS/GotoBLAS: C is computed in NC×KC×MC blocks; a KC×NC panel of B and an
// MC×KC block of A are packed into contiguous slivers (zero-padded at the edges) so that an MR×NR
// register-blocked micro-kernel streams both from cache. The micro-kernel is chosen at run time:
// AVX-512 (12×32), AVX2+FMA (6×16) or portable scalar (4×4), all compiled into one binary.
#include "gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <vector>

#include "threadpool.h"

namespace axon {
namespace {

constexpr int KC = 384;
constexpr int MC = 192;
constexpr int NC = 3072;

using Kernel = void (*)(int kc, const float* a, const float* b, float* c, long rs_c, long cs_c, bool acc, int mr, int nr);

struct Isa {
  const char* name;
  int mr, nr;
  Kernel kernel;
};

// Writes an MR×NR tile held in `tile` (row-major, ld = NR) to C: the valid mr×nr part only.
inline void store_tile(const float* tile, int ld, float* c, long rs_c, long cs_c, bool acc, int mr, int nr) {
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < nr; j++) {
      float* dst = c + i * rs_c + j * cs_c;
      *dst = acc ? *dst + tile[i * ld + j] : tile[i * ld + j];
    }
}

void kernel_scalar(int kc, const float* a, const float* b, float* c, long rs_c, long cs_c, bool acc, int mr, int nr) {
  float t[4][4] = {};
  for (int k = 0; k < kc; k++, a += 4, b += 4)
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 4; j++) t[i][j] += a[i] * b[j];
  store_tile(&t[0][0], 4, c, rs_c, cs_c, acc, mr, nr);
}

__attribute__((target("avx2,fma"))) void kernel_avx2(int kc, const float* a, const float* b, float* c, long rs_c, long cs_c, bool acc, int mr, int nr) {
  __m256 c0[6], c1[6];
  for (int i = 0; i < 6; i++) c0[i] = c1[i] = _mm256_setzero_ps();
  for (int k = 0; k < kc; k++, a += 6, b += 16) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
    for (int i = 0; i < 6; i++) {
      __m256 ai = _mm256_broadcast_ss(a + i);
      c0[i] = _mm256_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm256_fmadd_ps(ai, b1, c1[i]);
    }
  }
  if (mr == 6 && nr == 16 && cs_c == 1) {
    for (int i = 0; i < 6; i++) {
      float* row = c + i * rs_c;
      __m256 r0 = c0[i], r1 = c1[i];
      if (acc) { r0 = _mm256_add_ps(r0, _mm256_loadu_ps(row)); r1 = _mm256_add_ps(r1, _mm256_loadu_ps(row + 8)); }
      _mm256_storeu_ps(row, r0);
      _mm256_storeu_ps(row + 8, r1);
    }
    return;
  }
  alignas(32) float t[6 * 16];
  for (int i = 0; i < 6; i++) { _mm256_store_ps(t + i * 16, c0[i]); _mm256_store_ps(t + i * 16 + 8, c1[i]); }
  store_tile(t, 16, c, rs_c, cs_c, acc, mr, nr);
}

__attribute__((target("avx512f"))) void kernel_avx512(int kc, const float* a, const float* b, float* c, long rs_c, long cs_c, bool acc, int mr, int nr) {
  __m512 c0[12], c1[12];
  for (int i = 0; i < 12; i++) c0[i] = c1[i] = _mm512_setzero_ps();
  for (int k = 0; k < kc; k++, a += 12, b += 32) {
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) {
      __m512 ai = _mm512_set1_ps(a[i]);
      c0[i] = _mm512_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(ai, b1, c1[i]);
    }
  }
  if (nr == 32 && cs_c == 1) {
    for (int i = 0; i < mr; i++) {
      float* row = c + i * rs_c;
      __m512 r0 = c0[i], r1 = c1[i];
      if (acc) { r0 = _mm512_add_ps(r0, _mm512_loadu_ps(row)); r1 = _mm512_add_ps(r1, _mm512_loadu_ps(row + 16)); }
      _mm512_storeu_ps(row, r0);
      _mm512_storeu_ps(row + 16, r1);
    }
    return;
  }
  alignas(64) float t[12 * 32];
  for (int i = 0; i < 12; i++) { _mm512_store_ps(t + i * 32, c0[i]); _mm512_store_ps(t + i * 32 + 16, c1[i]); }
  store_tile(t, 32, c, rs_c, cs_c, acc, mr, nr);
}

const Isa kScalar{"scalar", 4, 4, kernel_scalar};
const Isa kAvx2{"avx2", 6, 16, kernel_avx2};
const Isa kAvx512{"avx512", 12, 32, kernel_avx512};

const Isa* detect() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return &kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &kAvx2;
  return &kScalar;
}

const Isa* g_isa = detect();

// Packs rows [0, mc) × cols [0, kc) of A into MR-row slivers: sliver s holds A[s·MR + r][k] at [k·MR + r].
void pack_a(int mc, int kc, const float* a, long rs, long cs, int MR, float* dst) {
  for (int s = 0; s < mc; s += MR) {
    int rows = std::min(MR, mc - s);
    for (int k = 0; k < kc; k++) {
      const float* src = a + s * rs + k * cs;
      int r = 0;
      for (; r < rows; r++) dst[r] = src[r * rs];
      for (; r < MR; r++) dst[r] = 0.f;
      dst += MR;
    }
  }
}

// Packs rows [0, kc) × cols [j0, j1) of B into NR-column slivers: B[k][s·NR + c] at [k·NR + c].
void pack_b_slivers(int kc, int j0, int j1, int nc, const float* b, long rs, long cs, int NR, float* dst) {
  for (int s = j0; s < j1; s += NR) {
    int cols = std::min(NR, nc - s);
    float* d = dst + static_cast<long>(s) * kc;
    for (int k = 0; k < kc; k++) {
      const float* src = b + k * rs + s * cs;
      int c = 0;
      if (cs == 1) { std::memcpy(d, src, cols * sizeof(float)); c = cols; }
      else for (; c < cols; c++) d[c] = src[c * cs];
      for (; c < NR; c++) d[c] = 0.f;
      d += NR;
    }
  }
}

// ---- Few rows of A (inference with batch 1, small batches): no packing, B is read in place. ----

// c[j0..j1) = a[0..K) · B[.., j] for B whose rows are contiguous along j (cs == 1): row updates.
__attribute__((target("avx512f"))) void row_axpy_avx512(int K, const float* a, const float* b, long brs, float* c, int j0, int j1, bool acc) {
  int j = j0;
  for (; j + 64 <= j1; j += 64) {
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    if (acc) { c0 = _mm512_loadu_ps(c + j); c1 = _mm512_loadu_ps(c + j + 16); c2 = _mm512_loadu_ps(c + j + 32); c3 = _mm512_loadu_ps(c + j + 48); }
    for (int k = 0; k < K; k++) {
      const __m512 av = _mm512_set1_ps(a[k]);
      const float* bk = b + k * brs + j;
      c0 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bk), c0);
      c1 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bk + 16), c1);
      c2 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bk + 32), c2);
      c3 = _mm512_fmadd_ps(av, _mm512_loadu_ps(bk + 48), c3);
    }
    _mm512_storeu_ps(c + j, c0); _mm512_storeu_ps(c + j + 16, c1); _mm512_storeu_ps(c + j + 32, c2); _mm512_storeu_ps(c + j + 48, c3);
  }
  for (; j + 16 <= j1; j += 16) {
    __m512 c0 = acc ? _mm512_loadu_ps(c + j) : _mm512_setzero_ps();
    for (int k = 0; k < K; k++) c0 = _mm512_fmadd_ps(_mm512_set1_ps(a[k]), _mm512_loadu_ps(b + k * brs + j), c0);
    _mm512_storeu_ps(c + j, c0);
  }
  for (; j < j1; j++) {
    float sum = acc ? c[j] : 0.f;
    for (int k = 0; k < K; k++) sum += a[k] * b[k * brs + j];
    c[j] = sum;
  }
}

// c[j] = a[0..K) · B[0..K, j] for B whose columns are contiguous along k (rs == 1): dot products,
// eight columns at a time so that eight independent FMA chains share each load of a.
__attribute__((target("avx512f"))) void col_dot_avx512(int K, const float* a, const float* b, long bcs, float* c, int j0, int j1, bool acc) {
  int j = j0;
  const int K16 = K & ~15;
  const __mmask16 tail = static_cast<__mmask16>((1u << (K - K16)) - 1);
  for (; j + 8 <= j1; j += 8) {
    __m512 s[8];
    for (int q = 0; q < 8; q++) s[q] = _mm512_setzero_ps();
    const float* bj = b + j * bcs;
    for (int k = 0; k < K16; k += 16) {
      const __m512 av = _mm512_loadu_ps(a + k);
#pragma GCC unroll 8
      for (int q = 0; q < 8; q++) s[q] = _mm512_fmadd_ps(av, _mm512_loadu_ps(bj + q * bcs + k), s[q]);
    }
    if (tail) {
      const __m512 av = _mm512_maskz_loadu_ps(tail, a + K16);
#pragma GCC unroll 8
      for (int q = 0; q < 8; q++) s[q] = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(tail, bj + q * bcs + K16), s[q]);
    }
    for (int q = 0; q < 8; q++) c[j + q] = (acc ? c[j + q] : 0.f) + _mm512_reduce_add_ps(s[q]);
  }
  for (; j < j1; j++) {
    const float* bj = b + j * bcs;
    __m512 s0 = _mm512_setzero_ps();
    for (int k = 0; k < K16; k += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + k), _mm512_loadu_ps(bj + k), s0);
    if (tail) s0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, a + K16), _mm512_maskz_loadu_ps(tail, bj + K16), s0);
    c[j] = (acc ? c[j] : 0.f) + _mm512_reduce_add_ps(s0);
  }
}

void row_generic(int K, const float* a, ConstMat B, float* c, int j0, int j1, bool acc) {
  for (int j = j0; j < j1; j++) {
    float sum = acc ? c[j] : 0.f;
    for (int k = 0; k < K; k++) sum += a[k] * B.p[k * B.rs + j * B.cs];
    c[j] = sum;
  }
}

float* aligned_floats(std::vector<float>& storage, long n) {
  storage.resize(n + 16);
  auto addr = reinterpret_cast<uintptr_t>(storage.data());
  return reinterpret_cast<float*>((addr + 63) & ~uintptr_t(63));
}

}  // namespace

const char* gemm_isa() { return g_isa->name; }

void gemm_force_isa(const char* isa) {
  const Isa* best = detect();
  if (std::strcmp(isa, "scalar") == 0) g_isa = &kScalar;
  else if (std::strcmp(isa, "avx2") == 0 && best != &kScalar) g_isa = &kAvx2;
  else g_isa = best;
}

namespace {

// Rows of C one at a time, B in place: for M below the point where packing B pays off.
bool small_m(int M, int N, int K, ConstMat A, ConstMat B, Mat C, bool accumulate) {
  if (g_isa != &kAvx512 || M > 4) return false;
  static thread_local std::vector<float> a_row, c_row;
  a_row.resize(K);
  c_row.resize(N);
  const double flops = 2.0 * M * N * K;
  const int parts = flops < 1e6 ? 1 : std::min(num_threads(), std::max(1, N / 64));
  for (int i = 0; i < M; i++) {
    const float* a = A.p + i * A.rs;
    if (A.cs != 1) { for (int k = 0; k < K; k++) a_row[k] = a[k * A.cs]; a = a_row.data(); }
    float* c = C.cs == 1 ? C.p + i * C.rs : c_row.data();
    if (C.cs != 1 && accumulate) for (int j = 0; j < N; j++) c_row[j] = C.p[i * C.rs + j * C.cs];
    parallel_for(parts, [&](int t) {
      const int j0 = N * t / parts, j1 = N * (t + 1) / parts;
      if (B.cs == 1) row_axpy_avx512(K, a, B.p, B.rs, c, j0, j1, accumulate);
      else if (B.rs == 1) col_dot_avx512(K, a, B.p, B.cs, c, j0, j1, accumulate);
      else row_generic(K, a, B, c, j0, j1, accumulate);
    });
    if (C.cs != 1) for (int j = 0; j < N; j++) C.p[i * C.rs + j * C.cs] = c_row[j];
  }
  return true;
}

}  // namespace

void sgemm(int M, int N, int K, ConstMat A, ConstMat B, Mat C, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K > 0 && small_m(M, N, K, A, B, C, accumulate)) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C.p[i * C.rs + j * C.cs] = 0.f;
    return;
  }
  const Isa& isa = *g_isa;
  const int MR = isa.mr, NR = isa.nr;
  const double flops = 2.0 * M * N * K;
  const int threads = flops < 2e5 ? 1 : num_threads();
  static thread_local std::vector<float> b_store, a_store;
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = std::min(NC, N - jc);
    const int slivers = (nc + NR - 1) / NR;
    for (int pc = 0; pc < K; pc += KC) {
      const int kc = std::min(KC, K - pc);
      float* bp = aligned_floats(b_store, static_cast<long>(slivers) * NR * kc);
      const float* bsrc = B.p + pc * B.rs + jc * B.cs;
      // Pack B in parallel, split by slivers.
      const int bparts = std::min(threads, slivers);
      parallel_for(bparts, [&](int t) {
        int s0 = slivers * t / bparts, s1 = slivers * (t + 1) / bparts;
        pack_b_slivers(kc, s0 * NR, std::min(s1 * NR, nc), nc, bsrc, B.rs, B.cs, NR, bp);
      });
      const bool acc = accumulate || pc > 0;
      // Tasks: blocks of rows × ranges of column slivers, enough for every thread.
      const int iblocks = (M + MC - 1) / MC;
      const int jsplit = std::max(1, std::min(slivers, (threads + iblocks - 1) / iblocks));
      parallel_for(iblocks * jsplit, [&](int task) {
        const int ib = task / jsplit, js = task % jsplit;
        const int ic = ib * MC, mc = std::min(MC, M - ic);
        const int s0 = slivers * js / jsplit, s1 = slivers * (js + 1) / jsplit;
        float* ap = aligned_floats(a_store, static_cast<long>((mc + MR - 1) / MR) * MR * kc);
        pack_a(mc, kc, A.p + ic * A.rs + pc * A.cs, A.rs, A.cs, MR, ap);
        for (int s = s0; s < s1; s++) {
          const int jr = s * NR, nr = std::min(NR, nc - jr);
          const float* bs = bp + static_cast<long>(jr) * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = std::min(MR, mc - ir);
            float* c = C.p + (ic + ir) * C.rs + (jc + jr) * C.cs;
            isa.kernel(kc, ap + static_cast<long>(ir) * kc, bs, c, C.rs, C.cs, acc, mr, nr);
          }
        }
      });
    }
  }
}

}  // namespace axon
