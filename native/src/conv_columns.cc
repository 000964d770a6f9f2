#include "conv_columns.h"

#if defined(__x86_64__) || defined(__i386__)
#define AXON_X86 1
#include <immintrin.h>
#endif

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace axon {

namespace {

// A row (or column) index no window reaches: padding entries of the per-position and per-tap tables.
constexpr int32_t kNowhere = INT32_MIN / 4;

bool has_avx512() {
#if AXON_X86
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return yes;
#else
  return false;
#endif
}

}  // namespace

ConvColumns::ConvColumns(const float* x, const long* xs, long G, long C, const Window& g, long y0, long rows)
    : x_(x),
      K_(C * g.kh * g.kw),
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
  for (long j = 0; j < P_; j++) {
    const long n = j / (rows * g.ow), r = j % (rows * g.ow), oy = y0 + r / g.ow, ox = r % g.ow;
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
  for (long k = 0; k < K_; k++) {
    const long c = k / (g.kh * g.kw), ky = (k / g.kw) % g.kh * g.dh, kx = k % g.kw * g.dw;
    tap_off_[k] = c * xs[1] + ky * xs[2] + kx * xs[3];
    ky_[k] = static_cast<int32_t>(ky);
    kx_[k] = static_cast<int32_t>(kx);
    tap_hi = std::max(tap_hi, static_cast<long>(tap_off_[k]));
  }
  // The vector path adds a corner's offset to a tap's in 32 bits (strides are never negative).
  constexpr long kLimit = 1L << 30;
  wide_ = lo < -kLimit || hi + tap_hi > kLimit || g.H > kLimit || g.W > kLimit;
  if (!wide_) {
    base32_.assign(base_.begin(), base_.end());
    tap32_.assign(tap_off_.begin(), tap_off_.end());
  }
}

void ConvColumns::View::pack(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const {
  const bool vector = has_avx512() && NR % 16 == 0 && !c_->wide_;
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
  for (int s = j0; s < j1; s += NR) {
    float* d = dst + static_cast<long>(s) * kc;
    const int cols = std::min(NR, nc - s);
    for (int k = 0; k < kc; k++, d += NR) {
      const long t = pc + k;
      for (int c = 0; c < NR; c++) d[c] = c < cols ? at(jc + s + c, t) : 0.f;
    }
  }
}

void ConvColumns::pack_transposed(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const {
  for (int s = j0; s < j1; s += NR) {
    float* d = dst + static_cast<long>(s) * kc;
    const int cols = std::min(NR, nc - s);
    for (int k = 0; k < kc; k++, d += NR) {
      const long j = pc + k;
      for (int c = 0; c < NR; c++) d[c] = c < cols ? at(j, jc + s + c) : 0.f;
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

__attribute__((target("avx512f"))) inline __m512 load_lanes(const float* x, int32_t extra, const Runs& r,
                                                            __m512i offsets, __mmask16 m) {
  if (r.n > 4)
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, _mm512_add_epi32(offsets, _mm512_set1_epi32(extra)), x, 4);
  __m512 v = _mm512_setzero_ps();
  for (int i = 0; i < r.n; i++) v = _mm512_mask_loadu_ps(v, m & r.mask[i], x + (static_cast<long>(extra) + r.start[i]));
  return v;
}

}  // namespace

__attribute__((target("avx512f"))) void ConvColumns::pack_columns_avx512(int pc, int kc, int jc, int nc, int j0, int j1,
                                                                         int NR, float* dst) const {
  const int H = static_cast<int>(H_), W = static_cast<int>(W_);
  for (int s = j0; s < j1; s += NR) {
    float* d = dst + static_cast<long>(s) * kc;
    for (int h = 0; h < NR; h += 16) {
      const long j = jc + s + h;
      const int valid = std::max(0, std::min(16, nc - s - h));
      if (valid == 0) {
        for (int k = 0; k < kc; k++) _mm512_store_ps(d + static_cast<long>(k) * NR + h, _mm512_setzero_ps());
        continue;
      }
      const __mmask16 lanes = static_cast<__mmask16>((1u << valid) - 1);
      const Runs runs = find_runs(&base32_[j], lanes);
      const __m512i base = _mm512_loadu_si512(&base32_[j]), iy = _mm512_loadu_si512(&iy_[j]),
                    ix = _mm512_loadu_si512(&ix_[j]);
      for (int k = 0; k < kc; k++) {
        const long t = pc + k;
        const __mmask16 m = lanes & inside(_mm512_add_epi32(iy, _mm512_set1_epi32(ky_[t])),
                                           _mm512_add_epi32(ix, _mm512_set1_epi32(kx_[t])), H, W);
        _mm512_store_ps(d + static_cast<long>(k) * NR + h, load_lanes(x_, tap32_[t], runs, base, m));
      }
    }
  }
}

__attribute__((target("avx512f"))) void ConvColumns::pack_transposed_avx512(int pc, int kc, int jc, int nc, int j0,
                                                                            int j1, int NR, float* dst) const {
  const int H = static_cast<int>(H_), W = static_cast<int>(W_);
  for (int s = j0; s < j1; s += NR) {
    float* d = dst + static_cast<long>(s) * kc;
    for (int h = 0; h < NR; h += 16) {
      const long t = jc + s + h;
      const int valid = std::max(0, std::min(16, nc - s - h));
      if (valid == 0) {
        for (int k = 0; k < kc; k++) _mm512_store_ps(d + static_cast<long>(k) * NR + h, _mm512_setzero_ps());
        continue;
      }
      const __mmask16 lanes = static_cast<__mmask16>((1u << valid) - 1);
      const Runs runs = find_runs(&tap32_[t], lanes);
      const __m512i taps = _mm512_loadu_si512(&tap32_[t]), ky = _mm512_loadu_si512(&ky_[t]),
                    kx = _mm512_loadu_si512(&kx_[t]);
      for (int k = 0; k < kc; k++) {
        const long j = pc + k;
        const __mmask16 m = lanes & inside(_mm512_add_epi32(ky, _mm512_set1_epi32(iy_[j])),
                                           _mm512_add_epi32(kx, _mm512_set1_epi32(ix_[j])), H, W);
        _mm512_store_ps(d + static_cast<long>(k) * NR + h, load_lanes(x_, base32_[j], runs, taps, m));
      }
    }
  }
}
#else
void ConvColumns::pack_columns_avx512(int, int, int, int, int, int, int, float*) const { std::abort(); }
void ConvColumns::pack_transposed_avx512(int, int, int, int, int, int, int, float*) const { std::abort(); }
#endif

}  // namespace axon
