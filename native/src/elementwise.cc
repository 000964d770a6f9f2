#include "elementwise.h"

#include <cmath>
#include <limits>
#include <vector>

#include "strided.h"
#include "threadpool.h"
#include "vmath.h"

namespace axon {
namespace {

inline float sigmoidf(float x) { return x >= 0 ? 1.f / (1.f + std::exp(-x)) : std::exp(x) / (1.f + std::exp(x)); }

// As map1, with contiguous rows going through a whole-array function (the vectorised exp, σ, tanh).
template <typename F>
void map1_array(const std::vector<long>& shape, const Operand& x, const Operand& out,
                void (*array)(const float*, float*, long), F f) {
  parallel_rows<2>(shape, {x.strides.data(), out.strides.data()}, {x.offset, out.offset},
                   [&](std::array<long, 2> o, long n, std::array<long, 2> s) {
                     const float* xp = x.p + o[0];
                     float* op = out.p + o[1];
                     if (s[0] == 1 && s[1] == 1) {
                       array(xp, op, n);
                     } else {
                       for (long i = 0; i < n; i++) op[i * s[1]] = f(xp[i * s[0]]);
                     }
                   });
}

template <typename F>
void map1(const std::vector<long>& shape, const Operand& x, const Operand& out, F f) {
  parallel_rows<2>(shape, {x.strides.data(), out.strides.data()}, {x.offset, out.offset},
                   [&](std::array<long, 2> o, long n, std::array<long, 2> s) {
                     const float* xp = x.p + o[0];
                     float* op = out.p + o[1];
                     if (s[0] == 1 && s[1] == 1) {
                       for (long i = 0; i < n; i++) op[i] = f(xp[i]);
                     } else {
                       for (long i = 0; i < n; i++) op[i * s[1]] = f(xp[i * s[0]]);
                     }
                   });
}

// out[i] = f(a[i], b[i]) over a shared shape; T is the output element (float, or a byte for
// comparisons).
template <typename T, typename F>
void map2(const std::vector<long>& shape, const Operand& a, const Operand& b, T* outp, long out_offset,
          const std::vector<long>& out_strides, F f) {
  parallel_rows<3>(shape, {a.strides.data(), b.strides.data(), out_strides.data()}, {a.offset, b.offset, out_offset},
                   [&](std::array<long, 3> o, long n, std::array<long, 3> s) {
                     const float* ap = a.p + o[0];
                     const float* bp = b.p + o[1];
                     T* op = outp + o[2];
                     // The common layouts get loops the compiler vectorises.
                     if (s[2] == 1 && s[0] == 1 && s[1] == 1)
                       for (long i = 0; i < n; i++) op[i] = f(ap[i], bp[i]);
                     else if (s[2] == 1 && s[0] == 1 && s[1] == 0) {
                       const float bv = *bp;
                       for (long i = 0; i < n; i++) op[i] = f(ap[i], bv);
                     } else if (s[2] == 1 && s[0] == 0 && s[1] == 1) {
                       const float av = *ap;
                       for (long i = 0; i < n; i++) op[i] = f(av, bp[i]);
                     } else
                       for (long i = 0; i < n; i++) op[i * s[2]] = f(ap[i * s[0]], bp[i * s[1]]);
                   });
}

template <typename F>
void map2(const std::vector<long>& shape, const Operand& a, const Operand& b, const Operand& out, F f) {
  map2(shape, a, b, out.p, out.offset, out.strides, f);
}

}  // namespace

bool unary(int op, const std::vector<long>& shape, Operand x, Operand out, float p0, float p1) {
  switch (op) {
    case U_NEG:
      map1(shape, x, out, [](float v) { return -v; });
      return true;
    case U_ABS:
      map1(shape, x, out, [](float v) { return std::fabs(v); });
      return true;
    case U_EXP:
      map1_array(shape, x, out, exp_array, [](float v) { return std::exp(v); });
      return true;
    case U_LOG:
      map1(shape, x, out, [](float v) { return std::log(v); });
      return true;
    case U_LOG1P:
      map1(shape, x, out, [](float v) { return std::log1p(v); });
      return true;
    case U_SQRT:
      map1(shape, x, out, [](float v) { return std::sqrt(v); });
      return true;
    case U_RSQRT:
      map1(shape, x, out, [](float v) { return 1.f / std::sqrt(v); });
      return true;
    case U_SIN:
      map1(shape, x, out, [](float v) { return std::sin(v); });
      return true;
    case U_COS:
      map1(shape, x, out, [](float v) { return std::cos(v); });
      return true;
    case U_TANH:
      map1_array(shape, x, out, tanh_array, [](float v) { return std::tanh(v); });
      return true;
    case U_SIGMOID:
      map1_array(shape, x, out, sigmoid_array, sigmoidf);
      return true;
    case U_RELU:
      map1(shape, x, out, [](float v) { return v > 0 ? v : (v == v ? 0.f : v); });
      return true;
    case U_RECIPROCAL:
      map1(shape, x, out, [](float v) { return 1.f / v; });
      return true;
    case U_SQUARE:
      map1(shape, x, out, [](float v) { return v * v; });
      return true;
    case U_LEAKY_RELU:
      map1(shape, x, out, [=](float v) { return v > 0 ? v : v * p0; });
      return true;
    case U_ELU:
      map1(shape, x, out, [=](float v) { return v > 0 ? v : p0 * std::expm1(v); });
      return true;
    case U_SILU:
      map1(shape, x, out, [](float v) { return v * sigmoidf(v); });
      return true;
    case U_GELU:
      map1_array(shape, x, out, gelu_array, gelu_scalar);
      return true;
    case U_GELU_TANH:
      map1(shape, x, out,
           [](float v) { return 0.5f * v * (1.f + std::tanh(0.7978845608028654f * (v + 0.044715f * v * v * v))); });
      return true;
    case U_SOFTPLUS:
      map1(shape, x, out, [=](float v) { return v * p0 > p1 ? v : std::log1p(std::exp(v * p0)) / p0; });
      return true;
    // max then min, as PyTorch: with p0 > p1 every value becomes p1; NaN stays NaN.
    case U_CLAMP:
      map1(shape, x, out, [=](float v) {
        const float w = v < p0 ? p0 : v;
        return w > p1 ? p1 : w;
      });
      return true;
    case U_POW_SCALAR:
      map1(shape, x, out, [=](float v) { return std::pow(v, p0); });
      return true;
    case U_ERF:
      map1_array(shape, x, out, erf_array, [](float v) { return std::erf(v); });
      return true;
    case U_SIGN:
      map1(shape, x, out, [](float v) { return v > 0 ? 1.f : (v < 0 ? -1.f : (v == 0 ? 0.f : v)); });
      return true;
    case U_STEP:
      map1(shape, x, out, [](float v) { return v > 0 ? 1.f : 0.f; });
      return true;
    // Φ(x) + x·φ(x)
    case U_GELU_GRAD:
      map1_array(shape, x, out, gelu_grad_array, gelu_grad_scalar);
      return true;
    // ½(1 + tanh u) + ½x(1 − tanh² u)·u′, u = k(x + 0.044715x³)
    case U_GELU_TANH_GRAD:
      map1(shape, x, out, [](float v) {
        const float k = 0.7978845608028654f;
        const float t = std::tanh(k * (v + 0.044715f * v * v * v));
        return 0.5f * (1.f + t) + 0.5f * v * (1.f - t * t) * k * (1.f + 3.f * 0.044715f * v * v);
      });
      return true;
    default:
      return false;
  }
}

bool binary(int op, const std::vector<long>& shape, Operand a, Operand b, Operand out) {
  switch (op) {
    case B_ADD:
      map2(shape, a, b, out, [](float x, float y) { return x + y; });
      return true;
    case B_SUB:
      map2(shape, a, b, out, [](float x, float y) { return x - y; });
      return true;
    case B_MUL:
      map2(shape, a, b, out, [](float x, float y) { return x * y; });
      return true;
    case B_DIV:
      map2(shape, a, b, out, [](float x, float y) { return x / y; });
      return true;
    case B_MAXIMUM:
      map2(shape, a, b, out, [](float x, float y) {
        return (x != x || y != y) ? std::numeric_limits<float>::quiet_NaN() : (x > y ? x : y);
      });
      return true;
    case B_MINIMUM:
      map2(shape, a, b, out, [](float x, float y) {
        return (x != x || y != y) ? std::numeric_limits<float>::quiet_NaN() : (x < y ? x : y);
      });
      return true;
    case B_POW:
      map2(shape, a, b, out, [](float x, float y) { return std::pow(x, y); });
      return true;
    default:
      return false;
  }
}

bool compare(int op, const std::vector<long>& shape, Operand a, Operand b, unsigned char* out, long out_offset,
             const std::vector<long>& out_strides) {
  // IEEE semantics as the JS reference: every comparison with NaN is false, except !=.
  using U = unsigned char;
  switch (op) {
    case C_EQ:
      map2(shape, a, b, out, out_offset, out_strides, [](float x, float y) { return static_cast<U>(x == y); });
      return true;
    case C_NE:
      map2(shape, a, b, out, out_offset, out_strides, [](float x, float y) { return static_cast<U>(x != y); });
      return true;
    case C_LT:
      map2(shape, a, b, out, out_offset, out_strides, [](float x, float y) { return static_cast<U>(x < y); });
      return true;
    case C_LE:
      map2(shape, a, b, out, out_offset, out_strides, [](float x, float y) { return static_cast<U>(x <= y); });
      return true;
    case C_GT:
      map2(shape, a, b, out, out_offset, out_strides, [](float x, float y) { return static_cast<U>(x > y); });
      return true;
    case C_GE:
      map2(shape, a, b, out, out_offset, out_strides, [](float x, float y) { return static_cast<U>(x >= y); });
      return true;
    default:
      return false;
  }
}

void copy(const std::vector<long>& shape, Operand x, Operand out) {
  map1(shape, x, out, [](float v) { return v; });
}

namespace {
// n floats at stride xs summed in double, in independent partial sums: one running total is a chain
// of dependent additions (4 cycles each, ~1.4 G elements/s); partial sums let the contiguous case
// vectorise (omp simd may reorder the additions) and the strided one overlap four chains.
double sum_floats(const float* x, long n, long xs) {
  double t = 0;
  if (xs == 1) {
#pragma omp simd reduction(+ : t)
    for (long i = 0; i < n; i++) t += x[i];
    return t;
  }
  double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
  long i = 0;
  for (; i + 4 <= n; i += 4) {
    p0 += x[i * xs];
    p1 += x[(i + 1) * xs];
    p2 += x[(i + 2) * xs];
    p3 += x[(i + 3) * xs];
  }
  for (; i < n; i++) t += x[i * xs];
  return t + ((p0 + p1) + (p2 + p3));
}
}  // namespace

void reduce(int op, const std::vector<long>& shape, Operand x, const std::vector<long>& out_shape, Operand out) {
  // Accumulate in double into a contiguous buffer of out's size, then store once.
  long size = 1;
  for (long s : out_shape) size *= s;
  const double init = op == R_SUM ? 0.0 : op == R_PROD ? 1.0 : op == R_MAX ? -INFINITY : INFINITY;
  std::vector<double> acc(size, init);
  std::vector<long> acc_strides(shape.size(), 0);
  long st = 1;
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; d--) {
    acc_strides[d] = (out_shape[d] == 1 && shape[d] != 1) ? 0 : st;
    st *= out_shape[d];
  }
  double* ap = acc.data();
  for_each_row<2>(shape, {x.strides.data(), acc_strides.data()}, {x.offset, 0},
                  [&](std::array<long, 2> o, long n, std::array<long, 2> s) {
                    const float* xp = x.p + o[0];
                    double* a = ap + o[1];
                    const long xs = s[0], as = s[1];
                    switch (op) {
                      case R_SUM:
                        if (as == 0)
                          *a += sum_floats(xp, n, xs);
                        else
                          for (long i = 0; i < n; i++) a[i * as] += xp[i * xs];
                        break;
                      case R_PROD:
                        for (long i = 0; i < n; i++) a[i * as] *= xp[i * xs];
                        break;
                      case R_MAX:
                        for (long i = 0; i < n; i++) {
                          double v = xp[i * xs];
                          if (v > a[i * as] || v != v) a[i * as] = v;
                        }
                        break;
                      case R_MIN:
                        for (long i = 0; i < n; i++) {
                          double v = xp[i * xs];
                          if (v < a[i * as] || v != v) a[i * as] = v;
                        }
                        break;
                    }
                  });
  // out is contiguous in out_shape order.
  for (long i = 0; i < size; i++) out.p[out.offset + i] = static_cast<float>(acc[i]);
}

void softmax(const std::vector<long>& shape, Operand x, Operand out, int axis, bool log) {
  std::vector<long> outer;
  std::vector<long> xs, os;
  for (size_t d = 0; d < shape.size(); d++) {
    if (static_cast<int>(d) == axis) continue;
    outer.push_back(shape[d]);
    xs.push_back(x.strides[d]);
    os.push_back(out.strides[d]);
  }
  const long len = shape[axis], xa = x.strides[axis], oa = out.strides[axis];
  // Every line along the axis is independent, so lines are shared among threads.
  parallel_rows<2>(outer, {xs.data(), os.data()}, {x.offset, out.offset},
                   [&](std::array<long, 2> o, long n, std::array<long, 2> s) {
                     for (long t = 0; t < n; t++) {
                       const float* xp = x.p + o[0] + t * s[0];
                       float* op = out.p + o[1] + t * s[1];
                       float mx = -INFINITY;
                       for (long j = 0; j < len; j++) {
                         float v = xp[j * xa];
                         if (v > mx || v != v) mx = v;
                       }
                       if (mx == -INFINITY) mx = 0;
                       double sum = 0;
                       if (xa == 1) {
                         // The exponentials in one vectorised pass over a line-sized buffer.
                         static thread_local std::vector<float> e;
                         e.resize(static_cast<size_t>(len));
                         for (long j = 0; j < len; j++) e[j] = xp[j] - mx;
                         exp_array(e.data(), e.data(), len);
                         for (long j = 0; j < len; j++) sum += e[j];
                         if (!log) {
                           const float inv = static_cast<float>(1.0 / sum);
                           for (long j = 0; j < len; j++) op[j * oa] = e[j] * inv;
                           continue;
                         }
                       } else {
                         for (long j = 0; j < len; j++) sum += std::exp(xp[j * xa] - mx);
                       }
                       if (log) {
                         // In double: rounding log-sum-exp to float first would cost up to half an ULP
                         // of it (1e-6 at 30) in every output, whatever the output's own size.
                         const double lse = mx + std::log(sum);
                         for (long j = 0; j < len; j++) op[j * oa] = static_cast<float>(xp[j * xa] - lse);
                       } else {
                         const float inv = static_cast<float>(1.0 / sum);
                         for (long j = 0; j < len; j++) op[j * oa] = std::exp(xp[j * xa] - mx) * inv;
                       }
                     }
                   });
}

void softmax_backward(const std::vector<long>& shape, Operand g, Operand y, Operand out, int axis, bool log) {
  std::vector<long> outer, gs, ys, os;
  for (size_t d = 0; d < shape.size(); d++) {
    if (static_cast<int>(d) == axis) continue;
    outer.push_back(shape[d]);
    gs.push_back(g.strides[d]);
    ys.push_back(y.strides[d]);
    os.push_back(out.strides[d]);
  }
  const long len = shape[axis], ga = g.strides[axis], ya = y.strides[axis], oa = out.strides[axis];
  parallel_rows<3>(outer, {gs.data(), ys.data(), os.data()}, {g.offset, y.offset, out.offset},
                   [&](std::array<long, 3> o, long n, std::array<long, 3> s) {
                     for (long t = 0; t < n; t++) {
                       const float* gp = g.p + o[0] + t * s[0];
                       const float* yp = y.p + o[1] + t * s[1];
                       float* op = out.p + o[2] + t * s[2];
                       double sum = 0;
                       if (log) {
                         for (long j = 0; j < len; j++) sum += gp[j * ga];
                         const float sf = static_cast<float>(sum);
                         if (ya == 1) {
                           static thread_local std::vector<float> e;
                           e.resize(static_cast<size_t>(len));
                           exp_array(yp, e.data(), len);
                           for (long j = 0; j < len; j++) op[j * oa] = gp[j * ga] - e[j] * sf;
                         } else {
                           for (long j = 0; j < len; j++) op[j * oa] = gp[j * ga] - std::exp(yp[j * ya]) * sf;
                         }
                       } else {
                         for (long j = 0; j < len; j++) sum += gp[j * ga] * yp[j * ya];
                         const float sf = static_cast<float>(sum);
                         for (long j = 0; j < len; j++) op[j * oa] = yp[j * ya] * (gp[j * ga] - sf);
                       }
                     }
                   });
}

}  // namespace axon
