#include "conv.h"

#include <algorithm>
#include <vector>

#include "gemm.h"
#include "threadpool.h"

namespace axon {

// Unfolding one image at a time keeps its columns in cache (C·kh·kw × oh·ow floats: 225 KB for
// 32 channels of 14×14 with a 3×3 kernel) where the whole batch's would be written to memory and
// read back, and the GEMM writes each image's [Cout, oh·ow] block where it belongs: no batch-wide
// column buffer, no transposition of [Cout, N, …] into [N, Cout, …], no separate bias pass.
void conv2d(const float* x, const long* xs, long N, long C, const Window& g, const float* w, long Cout,
            const float* bias, float* out) {
  const long P = g.oh * g.ow, K = C * g.kh * g.kw;
  if (N == 0 || P == 0 || Cout == 0) return;
  const long cs[6] = {0, g.kh * g.kw * P, g.kw * P, P, g.ow, 1};
  auto image = [&](long n, std::vector<float>& cols) {
    cols.resize(static_cast<size_t>(K * P));
    im2col(x + n * xs[0], xs, 1, C, g, 0.f, cols.data(), cs);
    float* o = out + n * Cout * P;
    for (long c = 0; c < Cout; c++) std::fill(o + c * P, o + (c + 1) * P, bias ? bias[c] : 0.f);
    sgemm(static_cast<int>(Cout), static_cast<int>(P), static_cast<int>(K), {w, K, 1}, {cols.data(), P, 1}, {o, P, 1},
          true);
  };
  const int threads = num_threads();
  if (threads > 1 && N >= 2 * threads) {
    // Whole images per thread (the nested im2col and GEMM then run on the calling thread).
    parallel_for(threads, [&](int t) {
      static thread_local std::vector<float> cols;
      for (long n = N * t / threads; n < N * (t + 1) / threads; n++) image(n, cols);
    });
  } else {
    // Few images: each one's unfolding and GEMM use every thread.
    static thread_local std::vector<float> cols;
    for (long n = 0; n < N; n++) image(n, cols);
  }
}

}  // namespace axon
