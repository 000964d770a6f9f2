#include "window.h"

#if defined(__x86_64__) || defined(__i386__)
#define AXON_X86 1
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gemm.h"
#include "threadpool.h"

namespace axon {

void im2col(const float* x, const long* xs, long N, long C, const Window& g, float pad, float* cols, const long* cs) {
  const long planes = N * C;
  parallel_for(planes >= 8 ? num_threads() : 1, [&](int t) {
    const int parts = planes >= 8 ? num_threads() : 1;
    for (long pl = planes * t / parts; pl < planes * (t + 1) / parts; pl++) {
      const long n = pl / C, c = pl % C;
      const float* xp = x + n * xs[0] + c * xs[1];
      float* cp = cols + n * cs[0] + c * cs[1];
      for (long i = 0; i < g.kh; i++)
        for (long j = 0; j < g.kw; j++) {
          float* dst = cp + i * cs[2] + j * cs[3];
          for (long y = 0; y < g.oh; y++) {
            const long row = y * g.sh - g.ph + i * g.dh;
            float* d = dst + y * cs[4];
            if (row < 0 || row >= g.H) {
              for (long xo = 0; xo < g.ow; xo++) d[xo * cs[5]] = pad;
              continue;
            }
            const float* src = xp + row * xs[2];
            // The output columns whose input column lies inside the row: [lo, hi); padding outside.
            const long a = g.pw - j * g.dw, b = g.W - 1 + g.pw - j * g.dw;
            const long lo = std::min(g.ow, a <= 0 ? 0L : (a + g.sw - 1) / g.sw);
            const long hi = std::max(lo, b < 0 ? 0L : std::min(g.ow, b / g.sw + 1));
            for (long xo = 0; xo < lo; xo++) d[xo * cs[5]] = pad;
            const float* s = src + (lo * g.sw - a) * xs[3];
            if (cs[5] == 1 && xs[3] == 1 && g.sw == 1) {
              std::copy(s, s + (hi - lo), d + lo);
            } else {
              const long step = g.sw * xs[3];
              for (long k = 0; k < hi - lo; k++) d[(lo + k) * cs[5]] = s[k * step];
            }
            for (long xo = hi; xo < g.ow; xo++) d[xo * cs[5]] = pad;
          }
        }
    }
  });
}

void col2im(const float* cols, const long* cs, long N, long C, const Window& g, float* x, const long* xs) {
  const long planes = N * C;
  // Planes are independent, so threads never write the same element.
  parallel_for(planes >= 8 ? num_threads() : 1, [&](int t) {
    const int parts = planes >= 8 ? num_threads() : 1;
    for (long pl = planes * t / parts; pl < planes * (t + 1) / parts; pl++) {
      const long n = pl / C, c = pl % C;
      float* xp = x + n * xs[0] + c * xs[1];
      const float* cp = cols + n * cs[0] + c * cs[1];
      for (long i = 0; i < g.kh; i++)
        for (long j = 0; j < g.kw; j++) {
          const float* src = cp + i * cs[2] + j * cs[3];
          // The output columns whose input column lies inside the row, as in im2col.
          const long a = g.pw - j * g.dw, b = g.W - 1 + g.pw - j * g.dw;
          const long lo = std::min(g.ow, a <= 0 ? 0L : (a + g.sw - 1) / g.sw);
          const long hi = std::max(lo, b < 0 ? 0L : std::min(g.ow, b / g.sw + 1));
          const bool unit = g.sw == 1 && xs[3] == 1 && cs[5] == 1;
          for (long y = 0; y < g.oh; y++) {
            const long row = y * g.sh - g.ph + i * g.dh;
            if (row < 0 || row >= g.H) continue;
            const float* s = src + y * cs[4];
            float* d = xp + row * xs[2] + (lo * g.sw - a) * xs[3];
            if (unit) {
              for (long k = 0; k < hi - lo; k++) d[k] += s[lo + k];
            } else {
              const long step = g.sw * xs[3];
              for (long k = 0; k < hi - lo; k++) d[k * step] += s[(lo + k) * cs[5]];
            }
          }
        }
    }
  });
}

namespace {

// The common case (rows of unit stride, no padding, no dilation): every window lies inside the
// image, so no bounds checks. Each output row is built by sweeping the window offsets (i, j)
// across all its windows at once: the loop over windows has no carried dependency and
// vectorises, where a window-by-window loop would wait on every comparison.
void max_pool2d_dense(const float* xp, long W, long rs, const Window& g, float* op, long ors, int* ip, long irs) {
  for (long y = 0; y < g.oh; y++) {
    float* best = op + y * ors;
    int* where = ip + y * irs;
    const long r0 = y * g.sh;
    for (long xo = 0; xo < g.ow; xo++) {
      best[xo] = xp[r0 * rs + xo * g.sw];
      where[xo] = static_cast<int>(r0 * W + xo * g.sw);
    }
    for (long i = 0; i < g.kh; i++) {
      const float* row = xp + (r0 + i) * rs;
      for (long j = (i == 0 ? 1 : 0); j < g.kw; j++) {
        const int base = static_cast<int>((r0 + i) * W + j);
        const long sw = g.sw;
#pragma omp simd
        for (long xo = 0; xo < g.ow; xo++) {
          const float v = row[xo * sw + j];
          const float b = best[xo];
          // Ties keep the first maximum; a NaN wins (as PyTorch).
          const bool take = (v > b) | ((v != v) & (b == b));
          best[xo] = take ? v : b;
          where[xo] = take ? base + static_cast<int>(xo * sw) : where[xo];
        }
      }
    }
  }
}

#if AXON_X86
// The most common pooling, 2×2 windows with stride 2 inside the image, 16 outputs at a time: two
// rows' 32 inputs are split into even and odd columns with one permutation each, and the four
// candidates are compared in the scalar path's order (ties keep the first, a NaN wins), so both
// paths give the same values and indices.
__attribute__((target("avx512f"))) void max_pool2x2_avx512(const float* xp, long W, long rs, const Window& g, float* op,
                                                           long ors, int* ip, long irs) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __m512i lane2 = _mm512_slli_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 1);
  for (long y = 0; y < g.oh; y++) {
    const float* r0 = xp + 2 * y * rs;
    for (long xo = 0; xo < g.ow; xo += 16) {
      const long n = std::min(16L, g.ow - xo);
      // Masks for the 2n inputs of each row: the first 16 and the rest.
      const __mmask16 lo = static_cast<__mmask16>(n >= 8 ? 0xFFFF : (1u << (2 * n)) - 1);
      const __mmask16 hi = static_cast<__mmask16>(n > 8 ? (1u << (2 * (n - 8))) - 1 : 0);
      const __mmask16 out = static_cast<__mmask16>((1u << n) - 1);
      __m512 best = _mm512_setzero_ps();
      __m512i where = _mm512_setzero_si512();
      for (int i = 0; i < 2; i++) {
        const float* r = r0 + i * rs + 2 * xo;
        const __m512 a = _mm512_maskz_loadu_ps(lo, r), b = _mm512_maskz_loadu_ps(hi, r + 16);
        const __m512i base = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>((2 * y + i) * W + 2 * xo)), lane2);
        for (int j = 0; j < 2; j++) {
          const __m512 v = _mm512_permutex2var_ps(a, j ? odd : even, b);
          const __m512i at = _mm512_add_epi32(base, _mm512_set1_epi32(j));
          if (i == 0 && j == 0) {
            best = v;
            where = at;
            continue;
          }
          const __mmask16 take = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) |
                                 (_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) & _mm512_cmp_ps_mask(best, best, _CMP_ORD_Q));
          best = _mm512_mask_mov_ps(best, take, v);
          where = _mm512_mask_mov_epi32(where, take, at);
        }
      }
      _mm512_mask_storeu_ps(op + y * ors + xo, out, best);
      _mm512_mask_storeu_epi32(ip + y * irs + xo, out, where);
    }
  }
}
#endif

}  // namespace

void max_pool2d(const float* x, const long* xs, long N, long C, const Window& g, float* out, const long* os, int* idx,
                const long* is) {
  const long planes = N * C;
  const int parts = planes >= 8 ? num_threads() : 1;
  // The dense path reads every window whole, so it needs every window inside the image: with
  // ceil_mode the last window may hang over the edge and takes the checked path.
  const bool inside = g.oh == 0 || g.ow == 0 || ((g.oh - 1) * g.sh + g.kh <= g.H && (g.ow - 1) * g.sw + g.kw <= g.W);
  const bool dense =
      inside && xs[3] == 1 && os[3] == 1 && is[3] == 1 && g.ph == 0 && g.pw == 0 && g.dh == 1 && g.dw == 1;
#if AXON_X86
  const bool two_by_two =
      dense && g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && !std::strcmp(gemm_isa(), "avx512");
#endif
  using PlaneKernel = void (*)(const float*, long, long, const Window&, float*, long, int*, long);
  PlaneKernel plane = dense ? max_pool2d_dense : nullptr;
#if AXON_X86
  if (two_by_two) plane = max_pool2x2_avx512;
#endif
  parallel_for(parts, [&](int t) {
    if (plane) {
      for (long pl = planes * t / parts; pl < planes * (t + 1) / parts; pl++) {
        const long n = pl / C, c = pl % C;
        plane(x + n * xs[0] + c * xs[1], g.W, xs[2], g, out + n * os[0] + c * os[1], os[2], idx + n * is[0] + c * is[1],
              is[2]);
      }
      return;
    }
    for (long pl = planes * t / parts; pl < planes * (t + 1) / parts; pl++) {
      const long n = pl / C, c = pl % C;
      const float* xp = x + n * xs[0] + c * xs[1];
      float* op = out + n * os[0] + c * os[1];
      int* ip = idx + n * is[0] + c * is[1];
      for (long y = 0; y < g.oh; y++)
        for (long xo = 0; xo < g.ow; xo++) {
          float best = -INFINITY;
          long best_i = -1;
          for (long i = 0; i < g.kh; i++) {
            const long row = y * g.sh - g.ph + i * g.dh;
            if (row < 0 || row >= g.H) continue;
            for (long j = 0; j < g.kw; j++) {
              const long col = xo * g.sw - g.pw + j * g.dw;
              if (col < 0 || col >= g.W) continue;
              const float v = xp[row * xs[2] + col * xs[3]];
              if (best_i < 0 || v > best || (v != v && best == best)) {
                best = v;
                best_i = row * g.W + col;
              }
            }
          }
          op[y * os[2] + xo * os[3]] = best;
          ip[y * is[2] + xo * is[3]] = static_cast<int>(best_i);
        }
    }
  });
}

void depthwise_conv2d(const float* x, const long* xs, long N, long C, const Window& g, const float* w, const long* ws,
                      long Cout, float* out, const long* os) {
  const long m = Cout / C, planes = N * Cout;
  const int parts = planes >= 8 ? num_threads() : 1;
  parallel_for(parts, [&](int t) {
    for (long pl = planes * t / parts; pl < planes * (t + 1) / parts; pl++) {
      const long n = pl / Cout, o = pl % Cout;
      const float* xp = x + n * xs[0] + (o / m) * xs[1];
      float* op = out + n * os[0] + o * os[1];
      for (long y = 0; y < g.oh; y++)
        for (long xo = 0; xo < g.ow; xo++) op[y * os[2] + xo * os[3]] = 0.0f;
      // One kernel tap at a time over the whole plane: the columns it reads inside the image are
      // a range [lo, hi) of output columns, so the inner loop needs no bounds test (and vectorizes).
      for (long i = 0; i < g.kh; i++)
        for (long j = 0; j < g.kw; j++) {
          const float wv = w[o * ws[0] + i * ws[1] + j * ws[2]];
          const long a = g.pw - j * g.dw, b = g.W - 1 + g.pw - j * g.dw;
          const long lo = a <= 0 ? 0 : (a + g.sw - 1) / g.sw;
          const long hi = b < 0 ? 0 : std::min(g.ow, b / g.sw + 1);
          if (lo >= hi) continue;
          for (long y = 0; y < g.oh; y++) {
            const long row = y * g.sh - g.ph + i * g.dh;
            if (row < 0 || row >= g.H) continue;
            const float* xr = xp + row * xs[2] + (lo * g.sw - a) * xs[3];
            float* orow = op + y * os[2];
            if (os[3] == 1 && xs[3] == 1 && g.sw == 1) {
              // Output and input planes never overlap (the op allocates out): restrict lets this vectorize.
              float* __restrict od = orow + lo;
              const float* __restrict xv = xr;
              for (long k = 0; k < hi - lo; k++) od[k] += wv * xv[k];
            } else {
              for (long k = 0; k < hi - lo; k++) orow[(lo + k) * os[3]] += wv * xr[k * g.sw * xs[3]];
            }
          }
        }
    }
  });
}

}  // namespace axon
