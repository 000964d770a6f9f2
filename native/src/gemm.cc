// GEMM in the style of BLIS/GotoBLAS: C is computed in NC×KC×MC blocks; a KC×NC panel of B and an
// MC×KC block of A are packed into contiguous slivers (zero-padded at the edges) so that an MR×NR
// register-blocked micro-kernel streams both from cache. The micro-kernel is chosen at run time:
// AVX-512 (12×32), AVX2+FMA (6×16) or portable scalar (4×4), all compiled into one binary; the
// WebAssembly build (wasm/) has a 128-bit SIMD one (4×8) instead of the x86 ones.
#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#define AXON_X86 1
#include <immintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

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
constexpr int kDepthAlign = 16;

// The step that cuts n into the fewest blocks of at most `block`, all about the same size (a multiple
// of `align`): 784 deep is 272 + 272 + 240 rather than 384 + 384 + 16, whose thin last block paid a
// whole pass over C for little work, and 256 rows are 2 × 128 rather than 192 + 64, which two
// threads split 3 : 1.
// Depth steps are multiples of kDepthAlign: ConvColumns' packers read their index tables 16 rows
// at a time from the block's start.
int balanced_step(int n, int block, int align) {
  const int blocks = (n + block - 1) / block;
  const int step = (n + blocks - 1) / blocks;
  return (step + align - 1) / align * align;
}
// The most elements of a B that small_b reads in place: 256 KB (L2) when B's rows and A's rows are
// contiguous; 64 KB when B is first transposed into rows (the copy is scalar); 32 KB when A's
// elements are strided along k (each k then touches a new cache line of A). Measured against the
// blocked product (native/bench/gemm_small_b.cc): 1.0-2.9× faster up to these sizes (256³: 186 ->
// 228 GFLOP/s), 0.76-0.98× for a transposed B of 64 K elements, 0.85× for strided A beyond 32 KB.
// Not const so that the bench can switch the path off; nothing else writes it.
long kSmallB = 16384;

using Kernel = void (*)(int kc, const float* a, const float* b, float* c, long rs_c, long cs_c, bool acc, int mr,
                        int nr);

struct Isa {
  const char* name;
  int mr, nr;
  Kernel kernel;
  int mr_short = 0;  // a second micro-kernel with fewer rows, or none (0)
  Kernel kernel_short = nullptr;
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

#if AXON_X86
__attribute__((target("avx2,fma"))) void kernel_avx2(int kc, const float* a, const float* b, float* c, long rs_c,
                                                     long cs_c, bool acc, int mr, int nr) {
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
      if (acc) {
        r0 = _mm256_add_ps(r0, _mm256_loadu_ps(row));
        r1 = _mm256_add_ps(r1, _mm256_loadu_ps(row + 8));
      }
      _mm256_storeu_ps(row, r0);
      _mm256_storeu_ps(row + 8, r1);
    }
    return;
  }
  alignas(32) float t[6 * 16];
  for (int i = 0; i < 6; i++) {
    _mm256_store_ps(t + i * 16, c0[i]);
    _mm256_store_ps(t + i * 16 + 8, c1[i]);
  }
  store_tile(t, 16, c, rs_c, cs_c, acc, mr, nr);
}

// MR rows × 32 columns: 2·MR accumulators; 12 rows (24 of the 32 registers) is the fastest, 8 rows
// wastes none of a product whose rows are a multiple of 8 but not of 12 (64 channels: 12 rows
// leave a third of the last sliver's work on padding).
template <int MR>
__attribute__((target("avx512f"))) void kernel_avx512(int kc, const float* a, const float* b, float* c, long rs_c,
                                                      long cs_c, bool acc, int mr, int nr) {
  __m512 c0[MR], c1[MR];
  for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm512_setzero_ps();
  for (int k = 0; k < kc; k++, a += MR, b += 32) {
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      __m512 ai = _mm512_set1_ps(a[i]);
      c0[i] = _mm512_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(ai, b1, c1[i]);
    }
  }
  if (nr == 32 && cs_c == 1) {
    for (int i = 0; i < mr; i++) {
      float* row = c + i * rs_c;
      __m512 r0 = c0[i], r1 = c1[i];
      if (acc) {
        r0 = _mm512_add_ps(r0, _mm512_loadu_ps(row));
        r1 = _mm512_add_ps(r1, _mm512_loadu_ps(row + 16));
      }
      _mm512_storeu_ps(row, r0);
      _mm512_storeu_ps(row + 16, r1);
    }
    return;
  }
  alignas(64) float t[MR * 32];
  for (int i = 0; i < MR; i++) {
    _mm512_store_ps(t + i * 32, c0[i]);
    _mm512_store_ps(t + i * 32 + 16, c1[i]);
  }
  store_tile(t, 32, c, rs_c, cs_c, acc, mr, nr);
}

#endif  // AXON_X86

#if defined(__wasm_simd128__)
// 4×8: eight accumulators, two vectors of B and a broadcast of A stay in the 16 registers V8 maps
// v128 values to on x86-64. Multiply and add are separate (fused multiply-add is not in SIMD128).
// Measured in V8 (Node 20): 4 rows 32–42 GFLOP/s; 6 or 8 rows spill and drop to 25–28.
constexpr int kWasmMr = 4;
void kernel_wasm(int kc, const float* a, const float* b, float* c, long rs_c, long cs_c, bool acc, int mr, int nr) {
  v128_t c0[kWasmMr], c1[kWasmMr];
  for (int i = 0; i < kWasmMr; i++) c0[i] = c1[i] = wasm_f32x4_splat(0.f);
  for (int k = 0; k < kc; k++, a += kWasmMr, b += 8) {
    const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
#pragma unroll
    for (int i = 0; i < kWasmMr; i++) {
      const v128_t ai = wasm_v128_load32_splat(a + i);
      c0[i] = wasm_f32x4_add(c0[i], wasm_f32x4_mul(ai, b0));
      c1[i] = wasm_f32x4_add(c1[i], wasm_f32x4_mul(ai, b1));
    }
  }
  if (mr == kWasmMr && nr == 8 && cs_c == 1) {
    for (int i = 0; i < kWasmMr; i++) {
      float* row = c + i * rs_c;
      v128_t r0 = c0[i], r1 = c1[i];
      if (acc) {
        r0 = wasm_f32x4_add(r0, wasm_v128_load(row));
        r1 = wasm_f32x4_add(r1, wasm_v128_load(row + 4));
      }
      wasm_v128_store(row, r0);
      wasm_v128_store(row + 4, r1);
    }
    return;
  }
  alignas(16) float t[kWasmMr * 8];
  for (int i = 0; i < kWasmMr; i++) {
    wasm_v128_store(t + i * 8, c0[i]);
    wasm_v128_store(t + i * 8 + 4, c1[i]);
  }
  store_tile(t, 8, c, rs_c, cs_c, acc, mr, nr);
}
#endif

const Isa kScalar{"scalar", 4, 4, kernel_scalar};
#if AXON_X86
const Isa kAvx2{"avx2", 6, 16, kernel_avx2};
const Isa kAvx512{"avx512", 12, 32, kernel_avx512<12>, 8, kernel_avx512<8>};

const Isa* detect() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return &kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &kAvx2;
  return &kScalar;
}
#elif defined(__wasm_simd128__)
const Isa kWasm{"wasm-simd128", kWasmMr, 8, kernel_wasm};
const Isa* detect() { return &kWasm; }
#else
const Isa* detect() { return &kScalar; }
#endif

const Isa* g_isa = detect();

// The rows per sliver for a product with M rows: the shorter micro-kernel when the longer one's
// padding costs more than the shorter one's lower speed (measured: ~5 %).
int sliver_rows(const Isa& isa, int M) {
  if (!isa.mr_short) return isa.mr;
  const auto padded = [M](int mr) { return (M + mr - 1) / mr * mr; };
  return padded(isa.mr_short) * 21 < padded(isa.mr) * 20 ? isa.mr_short : isa.mr;
}

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
      if (cs == 1) {
        std::memcpy(d, src, cols * sizeof(float));
        c = cols;
      } else
        for (; c < cols; c++) d[c] = src[c * cs];
      for (; c < NR; c++) d[c] = 0.f;
      d += NR;
    }
  }
}

// ---- Few rows of A (inference with batch 1, small batches): no packing, B is read in place. ----

#if AXON_X86
// R rows of C at once, B in place (cs == 1): per k, two vector loads of B feed 2R FMAs, so a
// few-row product (a convolution with few output channels, a small batch) runs near FMA speed
// without packing B, which for R rows would be reused only R times.
template <int R>
__attribute__((target("avx512f"))) void rows_axpy_avx512(int K, const float* a, long ars, long acs, const float* b,
                                                         long brs, float* c, long crs, int j0, int j1, bool acc) {
  int j = j0;
  for (; j + 32 <= j1; j += 32) {
    __m512 lo[R], hi[R];
    for (int r = 0; r < R; r++) {
      lo[r] = acc ? _mm512_loadu_ps(c + r * crs + j) : _mm512_setzero_ps();
      hi[r] = acc ? _mm512_loadu_ps(c + r * crs + j + 16) : _mm512_setzero_ps();
    }
    for (int k = 0; k < K; k++) {
      const float* bk = b + k * brs + j;
      const __m512 b0 = _mm512_loadu_ps(bk), b1 = _mm512_loadu_ps(bk + 16);
#pragma GCC unroll 8
      for (int r = 0; r < R; r++) {
        const __m512 av = _mm512_set1_ps(a[r * ars + k * acs]);
        lo[r] = _mm512_fmadd_ps(av, b0, lo[r]);
        hi[r] = _mm512_fmadd_ps(av, b1, hi[r]);
      }
    }
    for (int r = 0; r < R; r++) {
      _mm512_storeu_ps(c + r * crs + j, lo[r]);
      _mm512_storeu_ps(c + r * crs + j + 16, hi[r]);
    }
  }
  if (j < j1) {
    // The last columns with a masked load/store.
    for (; j < j1; j += 16) {
      const int n = std::min(16, j1 - j);
      const __mmask16 m = static_cast<__mmask16>((1u << n) - 1);
      __m512 acc_r[R];
      for (int r = 0; r < R; r++) acc_r[r] = acc ? _mm512_maskz_loadu_ps(m, c + r * crs + j) : _mm512_setzero_ps();
      for (int k = 0; k < K; k++) {
        const __m512 bv = _mm512_maskz_loadu_ps(m, b + k * brs + j);
        for (int r = 0; r < R; r++) acc_r[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r * ars + k * acs]), bv, acc_r[r]);
      }
      for (int r = 0; r < R; r++) _mm512_mask_storeu_ps(c + r * crs + j, m, acc_r[r]);
    }
  }
}

// R rows × C columns of C = A·B where A's rows and B's columns are both contiguous along k
// (A.cs == 1, B.rs == 1): R·C dot products at once, each vector of A and of B loaded once per
// 16 values of k and used C or R times. For weight gradients (few output channels, a long k).
template <int R, int CC>
__attribute__((target("avx512f"))) void dots_avx512(int K, const float* a, long ars, const float* b, long bcs, float* c,
                                                    long crs, bool acc) {
  __m512 s[R][CC];
  for (int r = 0; r < R; r++)
    for (int q = 0; q < CC; q++) s[r][q] = _mm512_setzero_ps();
  const int K16 = K & ~15;
  for (int k = 0; k < K16; k += 16) {
    __m512 bv[CC];
    for (int q = 0; q < CC; q++) bv[q] = _mm512_loadu_ps(b + q * bcs + k);
    for (int r = 0; r < R; r++) {
      const __m512 av = _mm512_loadu_ps(a + r * ars + k);
      for (int q = 0; q < CC; q++) s[r][q] = _mm512_fmadd_ps(av, bv[q], s[r][q]);
    }
  }
  if (K16 < K) {
    const __mmask16 m = static_cast<__mmask16>((1u << (K - K16)) - 1);
    __m512 bv[CC];
    for (int q = 0; q < CC; q++) bv[q] = _mm512_maskz_loadu_ps(m, b + q * bcs + K16);
    for (int r = 0; r < R; r++) {
      const __m512 av = _mm512_maskz_loadu_ps(m, a + r * ars + K16);
      for (int q = 0; q < CC; q++) s[r][q] = _mm512_fmadd_ps(av, bv[q], s[r][q]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int q = 0; q < CC; q++) c[r * crs + q] = (acc ? c[r * crs + q] : 0.f) + _mm512_reduce_add_ps(s[r][q]);
}

using DotsKernel = void (*)(int, const float*, long, const float*, long, float*, long, bool);
const DotsKernel kDots[4][4] = {
    {dots_avx512<1, 1>, dots_avx512<1, 2>, dots_avx512<1, 3>, dots_avx512<1, 4>},
    {dots_avx512<2, 1>, dots_avx512<2, 2>, dots_avx512<2, 3>, dots_avx512<2, 4>},
    {dots_avx512<3, 1>, dots_avx512<3, 2>, dots_avx512<3, 3>, dots_avx512<3, 4>},
    {dots_avx512<4, 1>, dots_avx512<4, 2>, dots_avx512<4, 3>, dots_avx512<4, 4>},
};

using RowsKernel = void (*)(int, const float*, long, long, const float*, long, float*, long, int, int, bool);
const RowsKernel kRowsKernels[8] = {rows_axpy_avx512<1>, rows_axpy_avx512<2>, rows_axpy_avx512<3>, rows_axpy_avx512<4>,
                                    rows_axpy_avx512<5>, rows_axpy_avx512<6>, rows_axpy_avx512<7>, rows_axpy_avx512<8>};

// c[j] = a[0..K) · B[0..K, j] for B whose columns are contiguous along k (rs == 1): dot products,
// eight columns at a time so that eight independent FMA chains share each load of a.
__attribute__((target("avx512f"))) void col_dot_avx512(int K, const float* a, const float* b, long bcs, float* c,
                                                       int j0, int j1, bool acc) {
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

#endif  // AXON_X86

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
#if AXON_X86
  else if (std::strcmp(isa, "avx2") == 0 && best != &kScalar)
    g_isa = &kAvx2;
#endif
  else
    g_isa = best;
}

namespace {

// Few rows of C, B in place: for M below the point where packing B pays off. With B's rows
// contiguous, up to 8 rows go through one register-blocked pass over B; otherwise row by row.
#if !AXON_X86
bool small_m(int, int, int, ConstMat, ConstMat, Mat, bool) { return false; }
#else
bool small_m(int M, int N, int K, ConstMat A, ConstMat B, Mat C, bool accumulate) {
  if (g_isa != &kAvx512 || M > 8) return false;
  static thread_local std::vector<float> a_rows, c_rows;
  const double flops = 2.0 * M * N * K;
  const int parts = flops < 1e6 ? 1 : std::min(num_threads(), std::max(1, N / 64));
  if (A.cs == 1 && B.rs == 1 && B.cs != 1 && C.cs == 1 && M > 1) {
    // Dot products in 4×4 register blocks; threads split the columns in blocks of 4.
    const int cblocks = (N + 3) / 4;
    const int dparts = flops < 1e6 ? 1 : std::min(num_threads(), cblocks);
    parallel_for(dparts, [&](int t) {
      for (int jb = cblocks * t / dparts; jb < cblocks * (t + 1) / dparts; jb++) {
        const int j = jb * 4, nc = std::min(4, N - j);
        for (int i = 0; i < M; i += 4) {
          const int nr = std::min(4, M - i);
          kDots[nr - 1][nc - 1](K, A.p + i * A.rs, A.rs, B.p + j * B.cs, B.cs, C.p + i * C.rs + j, C.rs, accumulate);
        }
      }
    });
    return true;
  }
  if (M > 4 && B.cs != 1) return false;  // dot-product rows would read B M times: pack instead
  if (B.cs == 1) {
    // A's rows as contiguous runs of K, C's rows with unit stride (copied when they are not).
    const float* a = A.p;
    long ars = A.rs;
    if (A.cs != 1) {
      a_rows.resize(static_cast<size_t>(M) * K);
      for (int i = 0; i < M; i++)
        for (int k = 0; k < K; k++) a_rows[i * K + k] = A.p[i * A.rs + k * A.cs];
      a = a_rows.data();
      ars = K;
    }
    float* c = C.p;
    long crs = C.rs;
    if (C.cs != 1) {
      c_rows.resize(static_cast<size_t>(M) * N);
      if (accumulate)
        for (int i = 0; i < M; i++)
          for (int j = 0; j < N; j++) c_rows[i * N + j] = C.p[i * C.rs + j * C.cs];
      c = c_rows.data();
      crs = N;
    }
    const RowsKernel kernel = kRowsKernels[M - 1];
    parallel_for(parts, [&](int t) {
      // Column ranges in multiples of 32 so every thread but the last runs whole blocks.
      const int blocks = (N + 31) / 32;
      const int j0 = std::min(N, 32 * (blocks * t / parts)), j1 = std::min(N, 32 * (blocks * (t + 1) / parts));
      if (j1 > j0) kernel(K, a, ars, 1, B.p, B.rs, c, crs, j0, j1, accumulate);
    });
    if (C.cs != 1)
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C.p[i * C.rs + j * C.cs] = c_rows[i * N + j];
    return true;
  }
  a_rows.resize(K);
  c_rows.resize(N);
  for (int i = 0; i < M; i++) {
    const float* a = A.p + i * A.rs;
    if (A.cs != 1) {
      for (int k = 0; k < K; k++) a_rows[k] = a[k * A.cs];
      a = a_rows.data();
    }
    float* c = C.cs == 1 ? C.p + i * C.rs : c_rows.data();
    if (C.cs != 1 && accumulate)
      for (int j = 0; j < N; j++) c_rows[j] = C.p[i * C.rs + j * C.cs];
    parallel_for(parts, [&](int t) {
      const int j0 = N * t / parts, j1 = N * (t + 1) / parts;
      if (B.rs == 1)
        col_dot_avx512(K, a, B.p, B.cs, c, j0, j1, accumulate);
      else
        row_generic(K, a, B, c, j0, j1, accumulate);
    });
    if (C.cs != 1)
      for (int j = 0; j < N; j++) C.p[i * C.rs + j * C.cs] = c_rows[j];
  }
  return true;
}
#endif  // AXON_X86

// A small B (an attention head's keys or values, a layer's input gradient) against more rows of A
// than small_m takes: B stays in cache (L1 or L2, see kSmallB) and is read in place (or its
// transpose, copied once), and A's elements are broadcast from wherever they are, so nothing is
// packed. For attention's batched 64×64 by 64×32 products, packing both operands cost more than the
// product.
#if !AXON_X86
bool small_b(int, int, int, ConstMat, ConstMat, Mat, bool) { return false; }
#else
bool small_b(int M, int N, int K, ConstMat A, ConstMat B, Mat C, bool accumulate) {
  const long limit = A.cs != 1 ? kSmallB / 2 : B.cs != 1 ? kSmallB : 4 * kSmallB;
  if (g_isa != &kAvx512 || M <= 8 || C.cs != 1 || static_cast<long>(K) * N > limit) return false;
  static thread_local std::vector<float> b_rows;
  const float* b = B.p;
  long brs = B.rs;
  if (B.cs != 1) {
    // B's transpose (an attention's keys, Kᵀ) into rows; reads stay within the cache-sized B.
    b_rows.resize(static_cast<size_t>(K) * N);
    float* dst = b_rows.data();
    for (int k = 0; k < K; k++, dst += N) {
      const float* src = B.p + k * B.rs;
      for (int j = 0; j < N; j++) dst[j] = src[j * B.cs];
    }
    b = b_rows.data();
    brs = N;
  }
  const int blocks = (M + 7) / 8;
  const int parts = 2.0 * M * N * K < 1e6 ? 1 : std::min(num_threads(), blocks);
  parallel_for(parts, [&](int t) {
    for (int blk = blocks * t / parts; blk < blocks * (t + 1) / parts; blk++) {
      const int i = blk * 8, rows = std::min(8, M - i);
      kRowsKernels[rows - 1](K, A.p + i * A.rs, A.rs, A.cs, b, brs, C.p + i * C.rs, C.rs, 0, N, accumulate);
    }
  });
  return true;
}
#endif  // AXON_X86

}  // namespace

namespace {

// A matrix in memory as a PackedB.
class MatrixB final : public PackedB {
 public:
  explicit MatrixB(ConstMat b) : b_(b) {}
  void pack(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const override {
    pack_b_slivers(kc, j0, j1, nc, b_.p + pc * b_.rs + jc * b_.cs, b_.rs, b_.cs, NR, dst);
  }

 private:
  ConstMat b_;
};

// The blocked product; A's blocks come from prepacked when it was packed for this micro-kernel.
void gemm_blocked(int M, int N, int K, ConstMat A, const PackedA* prepacked, const PackedB& B, Mat C, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) C.p[i * C.rs + j * C.cs] = 0.f;
    return;
  }
  const Isa& isa = *g_isa;
  const int MR = sliver_rows(isa, M), NR = isa.nr;
  const Kernel kernel = MR == isa.mr ? isa.kernel : isa.kernel_short;
  const double flops = 2.0 * M * N * K;
  const int threads = flops < 2e5 ? 1 : num_threads();
  static thread_local std::vector<float> b_store, a_store;
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = std::min(NC, N - jc);
    const int slivers = (nc + NR - 1) / NR;
    const int kstep = balanced_step(K, KC, kDepthAlign);
    for (int pc = 0; pc < K; pc += kstep) {
      const int kc = std::min(kstep, K - pc);
      float* bp = aligned_floats(b_store, static_cast<long>(slivers) * NR * kc);
      // Pack B in parallel, split by slivers.
      const int bparts = std::min(threads, slivers);
      parallel_for(bparts, [&](int t) {
        int s0 = slivers * t / bparts, s1 = slivers * (t + 1) / bparts;
        if (s1 > s0) B.pack(pc, kc, jc, nc, s0 * NR, std::min(s1 * NR, nc), NR, bp);
      });
      const bool acc = accumulate || pc > 0;
      // Tasks: blocks of rows × ranges of column slivers, enough for every thread.
      const int mstep = balanced_step(M, MC, MR);
      const int iblocks = (M + mstep - 1) / mstep;
      const int jsplit = std::max(1, std::min(slivers, (threads + iblocks - 1) / iblocks));
      parallel_for(iblocks * jsplit, [&](int task) {
        const int ib = task / jsplit, js = task % jsplit;
        const int ic = ib * mstep, mc = std::min(mstep, M - ic);
        const int s0 = slivers * js / jsplit, s1 = slivers * (js + 1) / jsplit;
        const float* ap = prepacked ? prepacked->block(ic, pc, MR) : nullptr;
        if (!ap) {
          float* mine = aligned_floats(a_store, static_cast<long>((mc + MR - 1) / MR) * MR * kc);
          pack_a(mc, kc, A.p + ic * A.rs + pc * A.cs, A.rs, A.cs, MR, mine);
          ap = mine;
        }
        for (int s = s0; s < s1; s++) {
          const int jr = s * NR, nr = std::min(NR, nc - jr);
          const float* bs = bp + static_cast<long>(jr) * kc;
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = std::min(MR, mc - ir);
            float* c = C.p + (ic + ir) * C.rs + (jc + jr) * C.cs;
            kernel(kc, ap + static_cast<long>(ir) * kc, bs, c, C.rs, C.cs, acc, mr, nr);
          }
        }
      });
    }
  }
}

}  // namespace

PackedA::PackedA(int M, int K, ConstMat A)
    : M_(M), K_(K), MR_(sliver_rows(*g_isa, M)), Mp_((M + MR_ - 1) / MR_ * MR_), source_(A) {
  // Depth block pc holds all rows as MR-row slivers, Mp_·kc floats from Mp_·pc on.
  data_.resize(static_cast<size_t>(Mp_) * K + 16);
  const auto addr = reinterpret_cast<uintptr_t>(data_.data());
  base_ = reinterpret_cast<float*>((addr + 63) & ~uintptr_t(63));
  const int kstep = balanced_step(K, KC, kDepthAlign);
  for (int pc = 0; pc < K; pc += kstep)
    pack_a(M, std::min(kstep, K - pc), A.p + pc * A.cs, A.rs, A.cs, MR_, base_ + static_cast<long>(Mp_) * pc);
}

const float* PackedA::block(int ic, int pc, int MR) const {
  if (MR != MR_) return nullptr;
  return base_ + static_cast<long>(Mp_) * pc +
         static_cast<long>(ic) * std::min(balanced_step(K_, KC, kDepthAlign), K_ - pc);
}

void sgemm(int M, int N, int K, ConstMat A, ConstMat B, Mat C, bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K > 0 && (small_m(M, N, K, A, B, C, accumulate) || small_b(M, N, K, A, B, C, accumulate))) return;
  gemm_blocked(M, N, K, A, nullptr, MatrixB(B), C, accumulate);
}

void sgemm(int M, int N, int K, ConstMat A, const PackedB& B, Mat C, bool accumulate) {
  gemm_blocked(M, N, K, A, nullptr, B, C, accumulate);
}

void sgemm(int N, const PackedA& A, const PackedB& B, Mat C, bool accumulate) {
  gemm_blocked(A.rows(), N, A.depth(), A.source(), &A, B, C, accumulate);
}

}  // namespace axon
