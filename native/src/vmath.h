// exp, sigmoid and tanh over contiguous float32 arrays: AVX-512 polynomials where the CPU has it
// (and the kernels' instruction set is not forced lower), the C library's functions elsewhere.
// The polynomial forms stay within 2 ULP of the correctly rounded result and keep the special
// values: NaN stays NaN, exp(±∞) = ∞ / 0, exp overflows to ∞ and underflows through the
// subnormals to 0, tanh(±∞) = ±1, tanh(−0) = −0.
#pragma once

namespace axon {

void exp_array(const float* x, float* out, long n);
// σ(x) = 1 / (1 + e^−x), computed as e^x / (1 + e^x) for x < 0 (no cancellation, no overflow).
void sigmoid_array(const float* x, float* out, long n);
void tanh_array(const float* x, float* out, long n);

}  // namespace axon
