// Matrix multiply with bfloat16 operands and float32 accumulation, for ax.autocast('bfloat16'):
// C (=|+=) bf16(A)·bf16(B), each operand element rounded to the nearest bfloat16 (ties to even).
#pragma once
#include "gemm.h"

namespace axon {

// AVX512-BF16 dot products where the CPU has them; elsewhere the same rounding of copies of A and B
// followed by the float32 GEMM, so every machine computes the same products up to summation order.
void sgemm_bf16(int M, int N, int K, ConstMat A, ConstMat B, Mat C, bool accumulate);

// Whether this CPU runs the AVX512-BF16 kernel.
bool gemm_bf16_native();

}  // namespace axon
