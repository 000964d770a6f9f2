#include "conv_columns.h"

#include "cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#define AXON_X86 1
#include <immintrin.h>
#endif

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>

namespace axon {

namespace {

// A row (or column) index no window reaches: padding entries of the per-position and per-tap tables.
constexpr int32_t kNowhere = INT32_MIN / 4;

}  // namespace

bool ConvColumns::vectorised() { return cpu_has_avx512(); }

ConvColumns::ConvColumns(const float* x, const long* xs, long G, long C, const Window& g, long y0, long rows)
    : x_(x),
      K_(C * g.kh * g.kw),
      window_(static_cast<int>(g.kh * g.kw)),
      P_(G * rows * g.ow),
      H_(g.H),
      W_(g.W),
      columns_(this, false),
      transposed_(this, true) {
  const long Pp = (P_ + 15) / 16 * 16, Kp = (K_ + 15) / 16 * 16;
  base_.assign(Pp, 0);
  iy_.assign(Pp, kNowhere);
  ix_.assign(Pp, kNowhere);
  long lo = 0, hi = 0;  // the range of corner offsets, to decide whether 32 bits hold them
  long j = 0;
  for (long n = 0; n < G; n++)
    for (long oy = y0; oy < y0 + rows; oy++)
      for (long ox = 0; ox < g.ow; ox++, j++) {
        const long iy = oy * g.sh - g.ph, ix = ox * g.sw - g.pw;
        base_[j] = n * xs[0] + iy * xs[2] + ix * xs[3];
        iy_[j] = static_cast<int32_t>(iy);
        ix_[j] = static_cast<int32_t>(ix);
        lo = std::min(lo, static_cast<long>(base_[j]));
        hi = std::max(hi, static_cast<long>(base_[j]));
      }
  tap_off_.assign(Kp, 0);
  ky_.assign(Kp, kNowhere);
  kx_.assign(Kp, kNowhere);
  long tap_hi = 0;
  long k = 0;
  for (long c = 0; c < C; c++)
    for (long i = 0; i < g.kh; i++)
      for (long q = 0; q < g.kw; q++, k++) {
        const long ky = i * g.dh, kx = q * g.dw;
        tap_off_[k] = c * xs[1] + ky * xs[2] + kx * xs[3];
        ky_[k] = static_cast<int32_t>(ky);
        kx_[k] = static_cast<int32_t>(kx);
        tap_hi = std::max(tap_hi, static_cast<long>(tap_off_[k]));
      }
  // The vector path adds a corner's offset to a tap's in 32 bits (strides are never negative).
  constexpr long kLimit = 1L << 30;
  wide_ = lo < -kLimit || hi + tap_hi > kLimit || g.H > kLimit || g.W > kLimit;
  // The tile's input, fetched into cache before packing: the packers' reads jump a channel plane
  // at a time, which the hardware prefetchers do not follow, so an image not in cache took twice
  // as long to pack (measured: transposed 0.61–0.69 → 0.33–0.35 ns per value). Up to 1 MB (L2).
  constexpr long kPrefetchFloats = 1L << 18;
  if (hi + tap_hi - lo < kPrefetchFloats)
    for (long o = lo; o <= hi + tap_hi; o += 16) __builtin_prefetch(x + o, 0, 2);
  if (!wide_) {
    base32_.assign(base_.begin(), base_.end());
    tap32_.assign(tap_off_.begin(), tap_off_.end());
  }
}

void ConvColumns::View::pack(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const {
  const bool vector = cpu_has_avx512() && (NR == 16 || NR == 32) && !c_->wide_;
  if (transposed_)
    vector ? c_->pack_transposed_avx512(pc, kc, jc, nc, j0, j1, NR, dst)
           : c_->pack_transposed(pc, kc, jc, nc, j0, j1, NR, dst);
  else
    vector ? c_->pack_columns_avx512(pc, kc, jc, nc, j0, j1, NR, dst)
           : c_->pack_columns(pc, kc, jc, nc, j0, j1, NR, dst);
}

// ---- Portable: one value at a time. ----

float ConvColumns::at(long j, long t) const {
  const long iy = static_cast<long>(iy_[j]) + ky_[t], ix = static_cast<long>(ix_[j]) + kx_[t];
  return iy >= 0 && iy < H_ && ix >= 0 && ix < W_ ? x_[base_[j] + tap_off_[t]] : 0.f;
}

void ConvColumns::pack_columns(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const {
  pack_portable(pc, kc, jc, nc, j0, j1, NR, dst, false);
}

void ConvColumns::pack_transposed(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const {
  pack_portable(pc, kc, jc, nc, j0, j1, NR, dst, true);
}

// Rows [pc, pc + kc) × columns [jc + j0, jc + j1) of cols (taps × positions) or of colsᵀ.
void ConvColumns::pack_portable(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst,
                                bool transposed) const {
  for (int s = j0; s < j1; s += NR) {
    float* d = dst + static_cast<long>(s) * kc;
    const int cols = std::min(NR, nc - s);
    for (int k = 0; k < kc; k++, d += NR)
      for (int c = 0; c < NR; c++) {
        const long row = pc + k, col = jc + s + c;
        d[c] = c >= cols ? 0.f : transposed ? at(row, col) : at(col, row);
      }
  }
}

#if AXON_X86
namespace {

// Sixteen lanes' offsets split into runs of consecutive addresses: lane q of run r reads
// (base + start[r])[q]. Up to four runs are read with masked loads (eight times a gather's speed
// here); more go through a gather.
struct Runs {
  int n = 0;
  __mmask16 mask[4];
  int32_t start[4];
};

Runs find_runs(const int32_t* off, __mmask16 lanes) {
  Runs r;
  for (int q = 0; q < 16; q++) {
    if (!(lanes >> q & 1)) continue;
    if (r.n > 0 && (r.mask[r.n - 1] >> (q - 1) & 1) && off[q] == off[q - 1] + 1) {
      r.mask[r.n - 1] |= static_cast<__mmask16>(1u << q);
      continue;
    }
    if (r.n == 4) return Runs{5, {}, {}};
    r.mask[r.n] = static_cast<__mmask16>(1u << q);
    r.start[r.n] = off[q] - q;
    r.n++;
  }
  return r;
}

__attribute__((target("avx512f"))) inline __mmask16 inside(__m512i iy, __m512i ix, int H, int W) {
  // Unsigned comparisons test 0 ≤ i < n at once.
  return _mm512_cmplt_epu32_mask(iy, _mm512_set1_epi32(H)) & _mm512_cmplt_epu32_mask(ix, _mm512_set1_epi32(W));
}

// inside() of (row + r, col + c).
__attribute__((target("avx512f"))) inline __mmask16 shifted_inside(__m512i row, __m512i col, int r, int c, int H,
                                                                   int W) {
  return inside(_mm512_add_epi32(row, _mm512_set1_epi32(r)), _mm512_add_epi32(col, _mm512_set1_epi32(c)), H, W);
}

__attribute__((target("avx512f"))) inline __m512 load_lanes(const float* x, int32_t extra, const Runs& r,
                                                            __m512i offsets, __mmask16 m) {
  if (r.n > 4)
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, _mm512_add_epi32(offsets, _mm512_set1_epi32(extra)), x, 4);
  __m512 v = _mm512_setzero_ps();
  for (int i = 0; i < r.n; i++) v = _mm512_mask_loadu_ps(v, m & r.mask[i], x + (static_cast<long>(extra) + r.start[i]));
  return v;
}

}  // namespace

namespace {

// 8 mask bits spread to the even bits of 16: the input lanes that a stride-2 load of 8 values reads.
constexpr std::array<uint16_t, 256> spread_table() {
  std::array<uint16_t, 256> t{};
  for (int b = 0; b < 256; b++)
    for (int i = 0; i < 8; i++)
      if (b >> i & 1) t[b] |= static_cast<uint16_t>(1u << (2 * i));
  return t;
}
constexpr std::array<uint16_t, 256> kSpread = spread_table();

// 1 or 2 when the valid lanes' offsets (a prefix of the 16) are start + step·q, else 0.
int uniform_step(const int32_t* off, __mmask16 lanes, int32_t* start) {
  const int n = __builtin_popcount(lanes);
  if (n <= 1) {
    *start = n ? off[0] : 0;
    return 1;
  }
  const int32_t step = off[1] - off[0];
  if (step != 1 && step != 2) return 0;
  for (int q = 2; q < n; q++)
    if (off[q] != off[0] + step * q) return 0;
  *start = off[0];
  return step;
}

// One side of the table of values: per index, an offset into x and the row and column it adds.
struct Side {
  const int32_t* off;
  const int32_t* row;
  const int32_t* col;
};

// Sixteen lanes of a sliver row: their side's entries and which of them exist.
struct Lanes {
  __m512i off, row, col;
  __mmask16 valid;
};

// Value (i, l) = x[rows.off[i] + lanes.off[l]] when rows.row[i] + lanes.row[l] lies in [0, H) and
// rows.col[i] + lanes.col[l] in [0, W), else 0: rows [pc, pc + kc) × lanes [jc + j0, jc + j1) into
// slivers of NG·16 lanes. Each side's tables are read once per sliver, not once per value.
template <int NG>
__attribute__((target("avx512f"))) void pack_lanes(const float* x, int H, int W, Side rows, Side lanes, int pc, int kc,
                                                   int jc, int nc, int j0, int j1, float* dst, int window) {
  constexpr int NR = 16 * NG;
  for (int s = j0; s < j1; s += NR) {
    float* d = dst + static_cast<long>(s) * kc;
    Lanes g[NG];
    for (int h = 0; h < NG; h++) {
      const long j = jc + s + 16 * h;
      const int valid = std::max(0, std::min(16, nc - s - 16 * h));
      g[h].valid = static_cast<__mmask16>((1u << valid) - 1);
      if (valid == 0) {  // past the table's end: no lane is read
        g[h].off = g[h].row = g[h].col = _mm512_setzero_si512();
        continue;
      }
      g[h].off = _mm512_loadu_si512(lanes.off + j);
      g[h].row = _mm512_loadu_si512(lanes.row + j);
      g[h].col = _mm512_loadu_si512(lanes.col + j);
    }
    const int32_t *off = rows.off + pc, *row = rows.row + pc, *col = rows.col + pc;
    // Each group's lanes as one arithmetic run, lane q at start + step·q: step 1 is one masked load,
    // step 2 (a stride-2 layer) two loads and a shuffle of the even values. Rows repeat their
    // (row, column) pair every `window` rows (the kernel's taps, channel after channel), so the
    // masks are computed once per tap of the window.
    constexpr int kMaxWindow = 64;
    int step[NG];
    const float* base[NG];
    bool arithmetic = window <= kMaxWindow;
    for (int h = 0; h < NG; h++) {
      int32_t start = 0;
      step[h] = uniform_step(lanes.off + jc + s + 16 * h, g[h].valid, &start);
      base[h] = x + start;
      arithmetic = arithmetic && step[h] != 0;
    }
    if (arithmetic) {
      __mmask16 masks[NG][kMaxWindow];
      for (int w = 0; w < window; w++)
        for (int h = 0; h < NG; h++)
          masks[h][w] = g[h].valid & shifted_inside(g[h].row, g[h].col, rows.row[w], rows.col[w], H, W);
      const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      int w = pc % window;
      for (int k = 0; k < kc; k++, d += NR) {
#pragma GCC unroll 2
        for (int h = 0; h < NG; h++) {
          const __mmask16 m = masks[h][w];
          const float* p = base[h] + off[k];
          if (step[h] == 1) {
            _mm512_store_ps(d + 16 * h, _mm512_maskz_loadu_ps(m, p));
          } else {
            // Output lane q reads p[2q]: input lane 2q of the first 16 values or of the next 16.
            const __m512 lo = _mm512_maskz_loadu_ps(kSpread[m & 0xFF], p);
            const __m512 hi = _mm512_maskz_loadu_ps(kSpread[m >> 8], p + 16);
            _mm512_store_ps(d + 16 * h, _mm512_permutex2var_ps(lo, evens, hi));
          }
        }
        if (++w == window) w = 0;
      }
      continue;
    }
    // Otherwise (a gather, or a few runs of consecutive addresses), with masks per value.
    Runs runs[NG];
    for (int h = 0; h < NG; h++) runs[h] = g[h].valid ? find_runs(lanes.off + jc + s + 16 * h, g[h].valid) : Runs{};
    for (int k = 0; k < kc; k++, d += NR) {
#pragma GCC unroll 2
      for (int h = 0; h < NG; h++) {
        const __mmask16 m = g[h].valid & shifted_inside(g[h].row, g[h].col, row[k], col[k], H, W);
        _mm512_store_ps(d + 16 * h, load_lanes(x, off[k], runs[h], g[h].off, m));
      }
    }
  }
}

// Transposes 16 rows of 16 floats in registers: four rounds of shuffles, 64 in all.
__attribute__((target("avx512f"))) inline void transpose16(__m512* r) {
  __m512 t[16], u[16], v[16];
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; i++) {
    u[4 * i + 0] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  for (int i = 0; i < 4; i++) {
    v[i] = _mm512_shuffle_f32x4(u[i], u[4 + i], 0x88);
    v[4 + i] = _mm512_shuffle_f32x4(u[i], u[4 + i], 0xDD);
    v[8 + i] = _mm512_shuffle_f32x4(u[8 + i], u[12 + i], 0x88);
    v[12 + i] = _mm512_shuffle_f32x4(u[8 + i], u[12 + i], 0xDD);
  }
  for (int i = 0; i < 4; i++) {
    r[i] = _mm512_shuffle_f32x4(v[i], v[8 + i], 0x88);
    r[8 + i] = _mm512_shuffle_f32x4(v[i], v[8 + i], 0xDD);
    r[4 + i] = _mm512_shuffle_f32x4(v[4 + i], v[12 + i], 0x88);
    r[12 + i] = _mm512_shuffle_f32x4(v[4 + i], v[12 + i], 0xDD);
  }
}

// pack_lanes's values with the sides' roles crossed: lanes are read along rows (where the
// addresses run, so with masked loads rather than gathers), 16 rows × 16 lanes at a time, and
// transposed in registers. For the weight gradient, whose rows (positions) are the image's
// contiguous direction while its lanes (taps) jump by kernel rows and channels.
template <int NG>
__attribute__((target("avx512f"))) void pack_blocks(const float* x, int H, int W, Side rows, Side lanes, int pc, int kc,
                                                    int jc, int nc, int j0, int j1, float* dst, int window) {
  constexpr int NR = 16 * NG;
  // The lanes' (row, column) pairs repeat every `window` lanes (see pack_lanes): with a window of
  // at most 64 taps, the masks are computed once per tap of the window for each block of rows.
  constexpr int kMaxWindow = 64;
  __mmask16 masks[kMaxWindow];
  const bool cached = window <= kMaxWindow;
  for (int k0 = 0; k0 < kc; k0 += 16) {
    const long i = pc + k0;  // rows i … i + 15 (a multiple of 16: the tables are padded to one)
    const int n = std::min(16, kc - k0);
    const __mmask16 valid = static_cast<__mmask16>((1u << n) - 1);
    const __m512i off = _mm512_loadu_si512(rows.off + i), row = _mm512_loadu_si512(rows.row + i),
                  col = _mm512_loadu_si512(rows.col + i);
    const Runs runs = find_runs(rows.off + i, valid);
    if (cached)
      for (int w = 0; w < window; w++) masks[w] = valid & shifted_inside(row, col, lanes.row[w], lanes.col[w], H, W);
    for (int s = j0; s < j1; s += NR)
      for (int h = 0; h < NG; h++) {
        const long t = jc + s + 16 * h;
        const int width = std::max(0, std::min(16, nc - s - 16 * h));
        __m512 r[16];
        int w = static_cast<int>(t % window);
        for (int q = 0; q < 16; q++, w = w + 1 == window ? 0 : w + 1) {
          if (q >= width) {
            r[q] = _mm512_setzero_ps();
            continue;
          }
          r[q] = load_lanes(
              x, lanes.off[t + q], runs, off,
              cached ? masks[w] : valid & shifted_inside(row, col, lanes.row[t + q], lanes.col[t + q], H, W));
        }
        transpose16(r);
        float* d = dst + static_cast<long>(s) * kc + static_cast<long>(k0) * NR + 16 * h;
        for (int p = 0; p < n; p++) _mm512_store_ps(d + p * NR, r[p]);
      }
  }
}

}  // namespace

__attribute__((target("avx512f"))) void ConvColumns::pack_columns_avx512(int pc, int kc, int jc, int nc, int j0, int j1,
                                                                         int NR, float* dst) const {
  const Side taps{tap32_.data(), ky_.data(), kx_.data()}, positions{base32_.data(), iy_.data(), ix_.data()};
  const int H = static_cast<int>(H_), W = static_cast<int>(W_);
  (NR == 32 ? pack_lanes<2> : pack_lanes<1>)(x_, H, W, taps, positions, pc, kc, jc, nc, j0, j1, dst, window_);
}

__attribute__((target("avx512f"))) void ConvColumns::pack_transposed_avx512(int pc, int kc, int jc, int nc, int j0,
                                                                            int j1, int NR, float* dst) const {
  const Side taps{tap32_.data(), ky_.data(), kx_.data()}, positions{base32_.data(), iy_.data(), ix_.data()};
  const int H = static_cast<int>(H_), W = static_cast<int>(W_);
  (NR == 32 ? pack_blocks<2> : pack_blocks<1>)(x_, H, W, positions, taps, pc, kc, jc, nc, j0, j1, dst, window_);
}
#else
void ConvColumns::pack_columns_avx512(int, int, int, int, int, int, int, float*) const { std::abort(); }
void ConvColumns::pack_transposed_avx512(int, int, int, int, int, int, int, float*) const { std::abort(); }
#endif

}  // namespace axon
