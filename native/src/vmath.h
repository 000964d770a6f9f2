// exp, sigmoid, tanh, erf and GELU over contiguous float32 arrays: AVX-512 polynomials where the
// CPU has it (and the kernels' instruction set is not forced lower), the C library's functions
// elsewhere. The polynomial forms stay within 2 ULP of the correctly rounded result (erf: 2.3) and
// keep the special values: NaN stays NaN, exp(±∞) = ∞ / 0, exp overflows to ∞ and underflows
// through the subnormals to 0, tanh(±∞) = erf(±∞) = ±1, tanh(−0) = erf(−0) = −0.
#pragma once

namespace axon {

void exp_array(const float* x, float* out, long n);
// σ(x) = 1 / (1 + e^−x), computed as e^x / (1 + e^x) for x < 0 (no cancellation, no overflow).
void sigmoid_array(const float* x, float* out, long n);
void tanh_array(const float* x, float* out, long n);
void erf_array(const float* x, float* out, long n);
// GELU x·Φ(x) = ½x(1 + erf(x/√2)), and its derivative Φ(x) + x·φ(x).
void gelu_array(const float* x, float* out, long n);
void gelu_grad_array(const float* x, float* out, long n);

float gelu_scalar(float x);
float gelu_grad_scalar(float x);

}  // namespace axon
