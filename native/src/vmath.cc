#include "vmath.h"

#include <cmath>
#include <cstring>

#include "gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#define AXON_X86 1
#include <immintrin.h>
#elif defined(__wasm_simd128__)
#define AXON_WASM_SIMD 1
#include <wasm_simd128.h>
#endif

namespace axon {
namespace {

inline float sigmoid_scalar(float x) { return x >= 0 ? 1.f / (1.f + std::exp(-x)) : std::exp(x) / (1.f + std::exp(x)); }

constexpr float kSqrtHalf = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;

#if AXON_X86 || AXON_WASM_SIMD
// Coefficients fitted by scripts/fit_vmath.py (weighted least squares on Chebyshev nodes):
// e^r = 1 + r + r²·Q(r) on |r| ≤ ln2/2; tanh(x) = x + x³·P(x²) on |x| ≤ 0.625.
constexpr float kExpQ[5] = {0.49999988079071045f, 0.166665181517601f, 0.04166953265666962f, 0.008368918672204018f,
                            0.00137514085508883f};
constexpr float kTanhP[5] = {-0.33333292603492737f, 0.13331717252731323f, -0.05376369506120682f, 0.020719897001981735f,
                             -0.005797634832561016f};
// erf(x) = x·E(x²) on |x| < 1; erf(x) = 1 − e^−x²·C(|x|) on 1 ≤ |x| < 4 (erf is 1 in float32 beyond).
constexpr float kErfE[7] = {1.1283791065216064f,   -0.3761260211467743f,  0.11283399909734726f,
                            -0.02684757113456726f, 0.005178066901862621f, -0.0007929003913886845f,
                            7.606308645335957e-05f};
constexpr float kErfC[9] = {0.9920190572738647f,   -1.078611969947815f,     0.8599984645843506f,
                            -0.5154891014099121f,  0.2280118763446808f,     -0.07154077291488647f,
                            0.014947050251066685f, -0.0018538454314693809f, 0.0001027931211865507f};
#endif

#if AXON_X86

// e^x = 2^n · e^r with n = round(x / ln2) and r = x − n·ln2 (ln2 split in two so that n·ln2_hi is
// exact); scalef applies 2^n with correct overflow to ∞ and gradual underflow. x is first clamped
// to [−104, 89], beyond which e^x is 0 or ∞ in float32 anyway (a NaN passes the clamp: min/max
// return their second operand when either is NaN).
__attribute__((target("avx512f"))) inline __m512 exp16(__m512 x) {
  x = _mm512_max_ps(_mm512_set1_ps(-104.f), _mm512_min_ps(_mm512_set1_ps(89.f), x));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.4426950408889634f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 q = _mm512_set1_ps(kExpQ[4]);
  for (int k = 3; k >= 0; k--) q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(kExpQ[k]));
  const __m512 p = _mm512_fmadd_ps(_mm512_mul_ps(r, r), q, _mm512_add_ps(r, _mm512_set1_ps(1.f)));
  return _mm512_scalef_ps(p, n);
}

__attribute__((target("avx512f"))) inline __m512 sigmoid16(__m512 x) {
  // e = e^−|x|; σ = 1/(1+e) for x ≥ 0, e/(1+e) for x < 0.
  const __m512 ax = _mm512_abs_ps(x);
  const __m512 e = exp16(_mm512_sub_ps(_mm512_setzero_ps(), ax));
  const __m512 s = _mm512_div_ps(_mm512_set1_ps(1.f), _mm512_add_ps(_mm512_set1_ps(1.f), e));
  const __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  return _mm512_mask_mul_ps(s, neg, s, e);
}

__attribute__((target("avx512f"))) inline __m512 tanh16(__m512 x) {
  const __m512 ax = _mm512_abs_ps(x);
  // Near 0 the odd polynomial (1 − 2/(e^2x + 1) would cancel there).
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 p = _mm512_set1_ps(kTanhP[4]);
  for (int k = 3; k >= 0; k--) p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(kTanhP[k]));
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(x, z), p, x);
  // Elsewhere 1 − 2/(e^2|x| + 1) with x's sign; e^2|x| = ∞ gives 1. A NaN takes this branch and stays NaN.
  const __m512 e = exp16(_mm512_add_ps(ax, ax));
  const __m512 t =
      _mm512_sub_ps(_mm512_set1_ps(1.f), _mm512_div_ps(_mm512_set1_ps(2.f), _mm512_add_ps(e, _mm512_set1_ps(1.f))));
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(static_cast<int>(0x80000000u)));
  const __m512 large = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(t), sign));
  const __mmask16 near0 = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.625f), _CMP_LT_OQ);
  return _mm512_mask_blend_ps(near0, large, small);
}

template <int N>
__attribute__((target("avx512f"))) inline __m512 horner16(const float (&c)[N], __m512 v) {
  __m512 acc = _mm512_set1_ps(c[N - 1]);
  for (int k = N - 2; k >= 0; k--) acc = _mm512_fmadd_ps(acc, v, _mm512_set1_ps(c[k]));
  return acc;
}

__attribute__((target("avx512f"))) inline __m512 erf16(__m512 x) {
  const __m512 ax = _mm512_abs_ps(x);
  const __m512 z = _mm512_mul_ps(x, x);
  const __m512 small = _mm512_mul_ps(x, horner16(kErfE, z));
  // The tail, with x's sign; |x| ≥ 4 (and ∞) gives exactly 1. A NaN fails every comparison below
  // and takes the tail, where it stays NaN.
  const __m512 e = exp16(_mm512_sub_ps(_mm512_setzero_ps(), z));
  __m512 t = _mm512_fnmadd_ps(e, horner16(kErfC, ax), _mm512_set1_ps(1.f));
  t = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, _mm512_set1_ps(4.f), _CMP_GE_OQ), t, _mm512_set1_ps(1.f));
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(static_cast<int>(0x80000000u)));
  const __m512 large = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(t), sign));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, _mm512_set1_ps(1.f), _CMP_LT_OQ), large, small);
}

// Φ(x) = ½(1 + erf(u)), u = x/√2. Below u = −1 it is ½e^−u²·C(|u|) itself, not 1 − (1 − that): no
// cancellation, so GELU's negative tail keeps its relative accuracy (0 below u = −4, as erf = −1 there).
__attribute__((target("avx512f"))) inline __m512 phi16(__m512 x) {
  const __m512 u = _mm512_mul_ps(x, _mm512_set1_ps(kSqrtHalf));
  const __m512 au = _mm512_abs_ps(u);
  const __m512 z = _mm512_mul_ps(u, u);
  const __m512 half = _mm512_set1_ps(0.5f);
  const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(half, u), horner16(kErfE, z), half);
  __m512 tail = _mm512_mul_ps(_mm512_mul_ps(half, exp16(_mm512_sub_ps(_mm512_setzero_ps(), z))), horner16(kErfC, au));
  tail = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(au, _mm512_set1_ps(4.f), _CMP_LT_OQ), tail);
  const __m512 large = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(u, _mm512_setzero_ps(), _CMP_LT_OQ),
                                            _mm512_sub_ps(_mm512_set1_ps(1.f), tail), tail);
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(au, _mm512_set1_ps(1.f), _CMP_LT_OQ), large, small);
}

__attribute__((target("avx512f"))) inline __m512 gelu16(__m512 x) { return _mm512_mul_ps(x, phi16(x)); }

__attribute__((target("avx512f"))) inline __m512 gelu_grad16(__m512 x) {
  const __m512 pdf =
      _mm512_mul_ps(_mm512_set1_ps(kInvSqrt2Pi), exp16(_mm512_mul_ps(_mm512_set1_ps(-0.5f), _mm512_mul_ps(x, x))));
  return _mm512_fmadd_ps(x, pdf, phi16(x));
}

template <__m512 (*F)(__m512)>
__attribute__((target("avx512f"))) void apply16(const float* x, float* out, long n) {
  long i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, F(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(out + i, m, F(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

bool vector_isa() { return std::strcmp(gemm_isa(), "avx512") == 0; }
#elif AXON_WASM_SIMD
// The same polynomials on SIMD128's four lanes. It has no fused multiply-add, so each Horner step
// rounds twice (the tests hold these to the same 2 ULP as the AVX-512 forms).
inline v128_t splat(float v) { return wasm_f32x4_splat(v); }
inline v128_t madd(v128_t a, v128_t b, v128_t c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }
inline v128_t sign_of(v128_t x) { return wasm_v128_and(x, wasm_i32x4_splat(static_cast<int>(0x80000000u))); }

template <int N>
inline v128_t horner4(const float (&c)[N], v128_t v) {
  v128_t acc = splat(c[N - 1]);
  for (int k = N - 2; k >= 0; k--) acc = madd(acc, v, splat(c[k]));
  return acc;
}

// 2^k for integral k in [−75, 64], built in the exponent field (a normal float).
inline v128_t pow2(v128_t k) { return wasm_i32x4_shl(wasm_i32x4_add(k, wasm_i32x4_splat(127)), 23); }

// As exp16. 2^n (n in [−150, 128]) is applied as two normal factors 2^(n − n/2)·2^(n/2): the first
// product is exact, the second rounds once, so overflow gives ∞ and underflow is gradual.
// pmin/pmax (x86's minps/maxps) return x when x is NaN, so a NaN passes the clamp.
inline v128_t exp4(v128_t x) {
  x = wasm_f32x4_pmax(wasm_f32x4_pmin(x, splat(89.f)), splat(-104.f));
  const v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, splat(1.4426950408889634f)));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, splat(-2.12194440e-4f)));
  const v128_t p = madd(wasm_f32x4_mul(r, r), horner4(kExpQ, r), wasm_f32x4_add(r, splat(1.f)));
  const v128_t ni = wasm_i32x4_trunc_sat_f32x4(n);
  const v128_t half = wasm_i32x4_shr(ni, 1);
  return wasm_f32x4_mul(wasm_f32x4_mul(p, pow2(wasm_i32x4_sub(ni, half))), pow2(half));
}

inline v128_t sigmoid4(v128_t x) {
  const v128_t e = exp4(wasm_f32x4_neg(wasm_f32x4_abs(x)));
  const v128_t s = wasm_f32x4_div(splat(1.f), wasm_f32x4_add(splat(1.f), e));
  return wasm_v128_bitselect(wasm_f32x4_mul(s, e), s, wasm_f32x4_lt(x, splat(0.f)));
}

inline v128_t tanh4(v128_t x) {
  const v128_t ax = wasm_f32x4_abs(x);
  const v128_t z = wasm_f32x4_mul(x, x);
  const v128_t small = madd(wasm_f32x4_mul(x, z), horner4(kTanhP, z), x);
  const v128_t e = exp4(wasm_f32x4_add(ax, ax));
  const v128_t t = wasm_f32x4_sub(splat(1.f), wasm_f32x4_div(splat(2.f), wasm_f32x4_add(e, splat(1.f))));
  const v128_t large = wasm_v128_or(t, sign_of(x));
  return wasm_v128_bitselect(small, large, wasm_f32x4_lt(ax, splat(0.625f)));
}

inline v128_t erf4(v128_t x) {
  const v128_t ax = wasm_f32x4_abs(x);
  const v128_t z = wasm_f32x4_mul(x, x);
  const v128_t small = wasm_f32x4_mul(x, horner4(kErfE, z));
  v128_t t = wasm_f32x4_sub(splat(1.f), wasm_f32x4_mul(exp4(wasm_f32x4_neg(z)), horner4(kErfC, ax)));
  t = wasm_v128_bitselect(splat(1.f), t, wasm_f32x4_ge(ax, splat(4.f)));
  const v128_t large = wasm_v128_or(t, sign_of(x));
  return wasm_v128_bitselect(small, large, wasm_f32x4_lt(ax, splat(1.f)));
}

// As phi16.
inline v128_t phi4(v128_t x) {
  const v128_t u = wasm_f32x4_mul(x, splat(kSqrtHalf));
  const v128_t au = wasm_f32x4_abs(u);
  const v128_t z = wasm_f32x4_mul(u, u);
  const v128_t half = splat(0.5f);
  const v128_t small = madd(wasm_f32x4_mul(half, u), horner4(kErfE, z), half);
  v128_t tail = wasm_f32x4_mul(wasm_f32x4_mul(half, exp4(wasm_f32x4_neg(z))), horner4(kErfC, au));
  tail = wasm_v128_and(tail, wasm_f32x4_lt(au, splat(4.f)));
  const v128_t large = wasm_v128_bitselect(tail, wasm_f32x4_sub(splat(1.f), tail), wasm_f32x4_lt(u, splat(0.f)));
  return wasm_v128_bitselect(small, large, wasm_f32x4_lt(au, splat(1.f)));
}

inline v128_t gelu4(v128_t x) { return wasm_f32x4_mul(x, phi4(x)); }

inline v128_t gelu_grad4(v128_t x) {
  const v128_t pdf = wasm_f32x4_mul(splat(kInvSqrt2Pi), exp4(wasm_f32x4_mul(splat(-0.5f), wasm_f32x4_mul(x, x))));
  return madd(x, pdf, phi4(x));
}

template <v128_t (*F)(v128_t)>
void apply4(const float* x, float* out, long n) {
  long i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, F(wasm_v128_load(x + i)));
  if (i < n) {
    float t[4] = {0, 0, 0, 0};
    for (long j = i; j < n; j++) t[j - i] = x[j];
    wasm_v128_store(t, F(wasm_v128_load(t)));
    for (long j = i; j < n; j++) out[j] = t[j - i];
  }
}

bool vector_isa() { return std::strcmp(gemm_isa(), "wasm-simd128") == 0; }
#else
bool vector_isa() { return false; }
#endif

}  // namespace

float gelu_scalar(float x) { return 0.5f * x * (1.f + std::erf(x * kSqrtHalf)); }
float gelu_grad_scalar(float x) {
  return 0.5f * (1.f + std::erf(x * kSqrtHalf)) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
}

namespace {

float exp_scalar(float x) { return std::exp(x); }
float tanh_scalar(float x) { return std::tanh(x); }
float erf_scalar(float x) { return std::erf(x); }

// The vector form where the CPU runs it, else the scalar function element by element.
using ArrayFn = void (*)(const float*, float*, long);
template <float (*Scalar)(float)>
void dispatch(ArrayFn vector, const float* x, float* out, long n) {
  if (vector && vector_isa()) return vector(x, out, n);
  for (long i = 0; i < n; i++) out[i] = Scalar(x[i]);
}

#if AXON_X86
#define AXON_VECTOR(F) (&apply16<F##16>)
#elif AXON_WASM_SIMD
#define AXON_VECTOR(F) (&apply4<F##4>)
#else
#define AXON_VECTOR(F) nullptr
#endif

}  // namespace

void exp_array(const float* x, float* out, long n) { dispatch<exp_scalar>(AXON_VECTOR(exp), x, out, n); }
void sigmoid_array(const float* x, float* out, long n) { dispatch<sigmoid_scalar>(AXON_VECTOR(sigmoid), x, out, n); }
void tanh_array(const float* x, float* out, long n) { dispatch<tanh_scalar>(AXON_VECTOR(tanh), x, out, n); }
void erf_array(const float* x, float* out, long n) { dispatch<erf_scalar>(AXON_VECTOR(erf), x, out, n); }
void gelu_array(const float* x, float* out, long n) { dispatch<gelu_scalar>(AXON_VECTOR(gelu), x, out, n); }
void gelu_grad_array(const float* x, float* out, long n) {
  dispatch<gelu_grad_scalar>(AXON_VECTOR(gelu_grad), x, out, n);
}

}  // namespace axon
