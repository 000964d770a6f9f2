// Single-precision matrix multiply C = A·B (or C += A·B) on strided matrices.
#pragma once

namespace axon {

// Element (i, j) of a matrix view lives at p[i * rs + j * cs].
struct ConstMat {
  const float* p;
  long rs;
  long cs;
};
struct Mat {
  float* p;
  long rs;
  long cs;
};

// C[M×N] (=|+=) A[M×K] · B[K×N]. Threads over blocks of C when the product is large enough.
void sgemm(int M, int N, int K, ConstMat A, ConstMat B, Mat C, bool accumulate);

// The instruction set the micro-kernel uses on this CPU: "avx512", "avx2" or "scalar".
const char* gemm_isa();

// Forces a slower instruction set (for testing every path): "avx512", "avx2", "scalar".
void gemm_force_isa(const char* isa);

}  // namespace axon
