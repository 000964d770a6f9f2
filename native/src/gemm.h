// Single-precision matrix multiply C = A·B (or C += A·B) on strided matrices.
#pragma once

#include <vector>

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

// A B operand that is never stored as a matrix but written straight into the GEMM's packed form
// (a convolution's unfolded image: packing it from the image saves writing and reading it back).
class PackedB {
 public:
  virtual ~PackedB() = default;
  // Writes B's rows [pc, pc + kc) × columns [jc + j0, jc + j1) as NR-column slivers: the sliver of
  // column jc + s (s a multiple of NR) starts at dst + s·kc and holds B[pc + k][jc + s + c] at
  // [k·NR + c], zeros for columns at or past jc + nc. j0 is a multiple of NR. Called from several
  // threads at once for disjoint column ranges.
  virtual void pack(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const = 0;
};

// C[M×N] (=|+=) A[M×K] · B[K×N] with B packed on demand.
void sgemm(int M, int N, int K, ConstMat A, const PackedB& B, Mat C, bool accumulate);

// A left operand packed once for several products (a convolution's weights, applied to each
// image in turn: packing them for every image cost as much as a sixth of the product).
class PackedA {
 public:
  PackedA(int M, int K, ConstMat A);
  PackedA(const PackedA&) = delete;
  PackedA& operator=(const PackedA&) = delete;
  int rows() const { return M_; }
  int depth() const { return K_; }
  // The packed block of rows [ic, ic + MC) and depth [pc, pc + KC), or null when the layout was
  // made for another micro-kernel (the instruction set was changed since).
  const float* block(int ic, int pc, int MR) const;
  ConstMat source() const { return source_; }

 private:
  int M_, K_, MR_, Mp_;
  ConstMat source_;  // for a micro-kernel other than the one it was packed for
  std::vector<float> data_;
  float* base_;  // data_ aligned to 64 bytes
};

// C[M×N] (=|+=) A · B[K×N], A packed beforehand (M and K are A's).
void sgemm(int N, const PackedA& A, const PackedB& B, Mat C, bool accumulate);

// The instruction set the micro-kernel uses on this CPU: "avx512", "avx2" or "scalar".
const char* gemm_isa();

// Forces a slower instruction set (for testing every path): "avx512", "avx2", "scalar".
void gemm_force_isa(const char* isa);

}  // namespace axon
