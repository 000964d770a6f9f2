// Fused batch norm forward and backward with batch statistics (see src/backend/js/batch-norm.ts).
// Channels are independent, so threads split the channels; each channel is N runs of S floats.
#include "batch_norm.h"

#include <algorithm>
#include <cmath>

#include "threadpool.h"

namespace axon {
namespace {

int parts_for(long N, long C, long S) {
  return N * C * S < (1 << 15) ? 1 : static_cast<int>(std::min<long>(num_threads(), C));
}

}  // namespace

void batch_norm(long N, long C, long S, const float* x, const float* w, const float* b, float eps, float* out,
                float* mean, float* var, float* rstd) {
  const int parts = parts_for(N, C, S);
  const double count = static_cast<double>(N * S);
  parallel_for(parts, [&](int t) {
    for (long c = C * t / parts; c < C * (t + 1) / parts; c++) {
      double m = 0;
      for (long n = 0; n < N; n++) {
        const float* xr = x + (n * C + c) * S;
        float s = 0;  // a float partial per run vectorises; the runs are summed in double
#pragma omp simd reduction(+ : s)
        for (long i = 0; i < S; i++) s += xr[i];
        m += s;
      }
      m /= count;
      const float mf = static_cast<float>(m);
      double v = 0;
      for (long n = 0; n < N; n++) {
        const float* xr = x + (n * C + c) * S;
        float s = 0;
#pragma omp simd reduction(+ : s)
        for (long i = 0; i < S; i++) {
          const float d = xr[i] - mf;
          s += d * d;
        }
        v += s;
      }
      v /= count;
      const float rs = static_cast<float>(1.0 / std::sqrt(v + eps));
      mean[c] = mf;
      var[c] = static_cast<float>(v);
      rstd[c] = rs;
      const float scale = rs * (w ? w[c] : 1.0f), shift = (b ? b[c] : 0.0f) - mf * scale;
      for (long n = 0; n < N; n++) {
        const float* xr = x + (n * C + c) * S;
        float* o = out + (n * C + c) * S;
        for (long i = 0; i < S; i++) o[i] = xr[i] * scale + shift;
      }
    }
  });
}

// With x̂ = (x − mean)·rstd over each channel's M = N·S values (batch statistics):
//   dx = rstd·w·(g − mean(g) − x̂·mean(g·x̂)),  dWeight = Σ g·x̂,  dBias = Σ g.
void batch_norm_backward(long N, long C, long S, const float* g, const float* x, const float* mean, const float* rstd,
                         const float* w, float* dx, float* dw, float* db) {
  const int parts = parts_for(N, C, S);
  const double count = static_cast<double>(N * S);
  parallel_for(parts, [&](int t) {
    for (long c = C * t / parts; c < C * (t + 1) / parts; c++) {
      const float m = mean[c], rs = rstd[c];
      double sum_g = 0, sum_gx = 0;
      for (long n = 0; n < N; n++) {
        const float* gr = g + (n * C + c) * S;
        const float* xr = x + (n * C + c) * S;
        float sg = 0, sgx = 0;
#pragma omp simd reduction(+ : sg, sgx)
        for (long i = 0; i < S; i++) {
          sg += gr[i];
          sgx += gr[i] * (xr[i] - m);
        }
        sum_g += sg;
        sum_gx += sgx;
      }
      sum_gx *= rs;
      if (dw) dw[c] = static_cast<float>(sum_gx);
      if (db) db[c] = static_cast<float>(sum_g);
      const float k = rs * (w ? w[c] : 1.0f);
      const float mg = static_cast<float>(sum_g / count), mgx = static_cast<float>(sum_gx / count) * rs;
      for (long n = 0; n < N; n++) {
        const float* gr = g + (n * C + c) * S;
        const float* xr = x + (n * C + c) * S;
        float* d = dx + (n * C + c) * S;
        for (long i = 0; i < S; i++) d[i] = k * (gr[i] - mg - (xr[i] - m) * mgx);
      }
    }
  });
}

}  // namespace axon
