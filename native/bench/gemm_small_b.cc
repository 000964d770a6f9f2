// Which path a product with a small B should take: the blocked, packed GEMM or small_b (B read in
// place, 8 rows of A broadcast at a time). Runs both on each shape and layout, interleaved, best of
// 7 each, one thread:
//
//   g++ -O2 -std=c++17 -I native/src native/bench/gemm_small_b.cc native/src/threadpool_serial.cc \
//     -o /tmp/gemm_small_b && /tmp/gemm_small_b
//
// (It includes gemm.cc itself, to switch the threshold kSmallB between runs.)
#include <chrono>
#include <cstdio>

#include "../src/gemm.cc"

int main() {
  using axon::ConstMat;
  using axon::Mat;
  struct Shape {
    int M, K, N;
  };
  const Shape shapes[] = {{64, 64, 32},    {64, 32, 64},   {128, 128, 10},  {1024, 128, 10}, {128, 256, 16},
                          {1024, 64, 64},  {256, 64, 128}, {4096, 32, 64},  {16, 64, 64},    {128, 128, 128},
                          {1024, 256, 64}, {512, 512, 64}, {2048, 64, 256}, {1024, 1024, 16}};
  for (const Shape s : shapes) {
    const int M = s.M, K = s.K, N = s.N;
    std::vector<float> a(static_cast<size_t>(M) * K, 0.5f), b(static_cast<size_t>(K) * N, 0.25f),
        c(static_cast<size_t>(M) * N);
    for (int layout = 0; layout < 3; layout++) {
      // NN; NT: B's columns contiguous (a transposed weight or keys); TN: A's columns contiguous.
      const ConstMat A = layout == 2 ? ConstMat{a.data(), 1, M} : ConstMat{a.data(), K, 1};
      const ConstMat B = layout == 1 ? ConstMat{b.data(), 1, K} : ConstMat{b.data(), N, 1};
      const Mat C{c.data(), N, 1};
      const double flops = 2.0 * M * N * K;
      const long reps = std::max(3L, static_cast<long>(3e7 / flops));
      double best[2] = {1e9, 1e9};
      for (int round = 0; round < 14; round++) {
        const int small = round & 1;
        axon::kSmallB = small ? 1L << 20 : 0;
        const auto t0 = std::chrono::steady_clock::now();
        for (long r = 0; r < reps; r++) axon::sgemm(M, N, K, A, B, C, false);
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
        best[small] = std::min(best[small], t);
      }
      std::printf("%5dx%5dx%5d %s  blocked %6.1f  small_b %6.1f GFLOP/s  (%.2fx)\n", M, K, N,
                  layout == 0   ? "NN"
                  : layout == 1 ? "NT"
                                : "TN",
                  flops / best[0] / 1e9, flops / best[1] / 1e9, best[0] / best[1]);
    }
  }
}
