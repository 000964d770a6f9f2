#pragma once

namespace axon {

// Measured single-core FP32 FMA throughput in GFLOP/s (0 without AVX2/AVX-512), after at least `seconds`.
double fma_peak_gflops(double seconds);

}  // namespace axon
