// Fused layer norm forward and backward over rows of [R, D] (see src/backend/js/layer-norm.ts).
#include "layer_norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "threadpool.h"

namespace axon {
namespace {

int parts_for(long R, long D) { return R * D < (1 << 15) ? 1 : static_cast<int>(std::min<long>(num_threads(), R)); }

}  // namespace

void layer_norm(long R, long D, const float* x, long xs, const float* w, const float* b, float eps, float* out, long os,
                float* mean, float* rstd) {
  const int parts = parts_for(R, D);
  parallel_for(parts, [&](int t) {
    for (long r = R * t / parts; r < R * (t + 1) / parts; r++) {
      const float* xr = x + r * xs;
      float* orow = out + r * os;
      double m = 0;
      for (long j = 0; j < D; j++) m += xr[j];
      m /= D;
      double v = 0;
      for (long j = 0; j < D; j++) {
        const double c = xr[j] - m;
        v += c * c;
      }
      const float rs = static_cast<float>(1.0 / std::sqrt(v / D + eps));
      const float mf = static_cast<float>(m);
      mean[r] = mf;
      rstd[r] = rs;
      if (w && b)
        for (long j = 0; j < D; j++) orow[j] = (xr[j] - mf) * rs * w[j] + b[j];
      else if (w)
        for (long j = 0; j < D; j++) orow[j] = (xr[j] - mf) * rs * w[j];
      else if (b)
        for (long j = 0; j < D; j++) orow[j] = (xr[j] - mf) * rs + b[j];
      else
        for (long j = 0; j < D; j++) orow[j] = (xr[j] - mf) * rs;
    }
  });
}

// With x̂ = (x − mean)·rstd over each row of D values and gw = g·w (or g without a weight):
//   dx = rstd·(gw − mean(gw) − x̂·mean(gw·x̂)),  dWeight = Σ_rows g·x̂,  dBias = Σ_rows g.
void layer_norm_backward(long R, long D, const float* g, long gs, const float* x, long xs, const float* mean,
                         const float* rstd, const float* w, float* dx, long ds, float* dw, float* db) {
  const int parts = parts_for(R, D);
  // Each thread sums its rows' weight and bias gradients; the partial sums are added at the end.
  std::vector<std::vector<double>> pw(parts, std::vector<double>(dw ? D : 0)),
      pb(parts, std::vector<double>(db ? D : 0));
  parallel_for(parts, [&](int t) {
    std::vector<double>& sw = pw[t];
    std::vector<double>& sb = pb[t];
    for (long r = R * t / parts; r < R * (t + 1) / parts; r++) {
      const float* gr = g + r * gs;
      const float* xr = x + r * xs;
      float* dr = dx + r * ds;
      const float m = mean[r], rs = rstd[r];
      double sum_d = 0, sum_dx = 0;
      for (long j = 0; j < D; j++) {
        const float xh = (xr[j] - m) * rs;
        const float dh = w ? gr[j] * w[j] : gr[j];
        sum_d += dh;
        sum_dx += dh * xh;
        if (dw) sw[j] += gr[j] * xh;
        if (db) sb[j] += gr[j];
      }
      const float md = static_cast<float>(sum_d / D), mdx = static_cast<float>(sum_dx / D);
      for (long j = 0; j < D; j++) {
        const float xh = (xr[j] - m) * rs;
        const float dh = w ? gr[j] * w[j] : gr[j];
        dr[j] = rs * (dh - md - xh * mdx);
      }
    }
  });
  for (long j = 0; j < D; j++) {
    if (dw) {
      double s = 0;
      for (int t = 0; t < parts; t++) s += pw[t][j];
      dw[j] = static_cast<float>(s);
    }
    if (db) {
      double s = 0;
      for (int t = 0; t < parts; t++) s += pb[t][j];
      db[j] = static_cast<float>(s);
    }
  }
}

}  // namespace axon
