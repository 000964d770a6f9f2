#include "window.h"

#include <algorithm>
#include <cmath>

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
          for (long y = 0; y < g.oh; y++) {
            const long row = y * g.sh - g.ph + i * g.dh;
            if (row < 0 || row >= g.H) continue;
            const float* s = src + y * cs[4];
            float* dst = xp + row * xs[2];
            for (long xo = 0; xo < g.ow; xo++) {
              const long col = xo * g.sw - g.pw + j * g.dw;
              if (col >= 0 && col < g.W) dst[col * xs[3]] += s[xo * cs[5]];
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
  parallel_for(parts, [&](int t) {
    if (dense) {
      for (long pl = planes * t / parts; pl < planes * (t + 1) / parts; pl++) {
        const long n = pl / C, c = pl % C;
        max_pool2d_dense(x + n * xs[0] + c * xs[1], g.W, xs[2], g, out + n * os[0] + c * os[1], os[2],
                         idx + n * is[0] + c * is[1], is[2]);
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
