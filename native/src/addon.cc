// N-API bindings: typed arrays are passed zero-copy; every shape, stride and offset travels in one
// Float64Array descriptor per call so that a call costs a handful of N-API lookups.
#include <node_api.h>

#include <array>
#include <cstring>
#include <vector>

#include "elementwise.h"
#include "gemm.h"
#include "indexing.h"
#include "batch_norm.h"
#include "layer_norm.h"
#include "lstm.h"
#include "optim.h"
#include "peak.h"
#include "threadpool.h"
#include "window.h"

namespace {

using namespace axon;

constexpr size_t kMaxArgs = 8;

struct Args {
  napi_env env;
  size_t argc = kMaxArgs;
  napi_value argv[kMaxArgs];
};

bool get_args(napi_env env, napi_callback_info info, Args& a) {
  a.env = env;
  return napi_get_cb_info(env, info, &a.argc, a.argv, nullptr, nullptr) == napi_ok;
}

template <typename T>
T* typed(napi_env env, napi_value v, size_t* length = nullptr) {
  napi_typedarray_type type;
  size_t len;
  void* data;
  napi_value buf;
  size_t byte_offset;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, &buf, &byte_offset) != napi_ok) return nullptr;
  if (length) *length = len;
  return static_cast<T*>(data);
}

double number(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

napi_value boolean(napi_env env, bool b) {
  napi_value r;
  napi_get_boolean(env, b, &r);
  return r;
}

napi_value undefined(napi_env env) {
  napi_value r;
  napi_get_undefined(env, &r);
  return r;
}

// Reads `count` longs from a descriptor cursor.
struct Reader {
  const double* d;
  size_t i = 0;
  long next() { return static_cast<long>(d[i++]); }
  std::vector<long> take(long n) {
    std::vector<long> v(n);
    for (long k = 0; k < n; k++) v[k] = next();
    return v;
  }
};

// The layout src/backend/native/index.ts's describe() writes: rank, shape, K stride lists, K offsets
// (then any op-specific extras, left in the reader).
template <int K>
struct Described {
  std::vector<long> shape;
  std::array<std::vector<long>, K> strides;
  std::array<long, K> offsets;
};

template <int K>
Described<K> described(Reader& r) {
  Described<K> d;
  const long rank = r.next();
  d.shape = r.take(rank);
  for (auto& s : d.strides) s = r.take(rank);
  for (auto& o : d.offsets) o = r.next();
  return d;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, isa, threads;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, gemm_isa(), NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, num_threads(), &threads);
  napi_set_named_property(env, obj, "isa", isa);
  napi_set_named_property(env, obj, "threads", threads);
  return obj;
}

napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  set_num_threads(static_cast<int>(number(env, a.argv[0])));
  return undefined(env);
}

napi_value ForceIsa(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  char buf[16] = {};
  size_t len;
  napi_get_value_string_utf8(env, a.argv[0], buf, sizeof buf, &len);
  gemm_force_isa(buf);
  return undefined(env);
}

napi_value Peak(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  napi_value r;
  napi_create_double(env, fma_peak_gflops(a.argc > 0 ? number(env, a.argv[0]) : 0.2), &r);
  return r;
}

// matmul(a, b, out, dims[M, N, K, ars, acs, brs, bcs, ors, ocs], offsets[aOff, bOff, oOff, ...], accumulate)
napi_value Matmul(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  const float* A = typed<float>(env, a.argv[0]);
  const float* B = typed<float>(env, a.argv[1]);
  float* C = typed<float>(env, a.argv[2]);
  const double* d = typed<double>(env, a.argv[3]);
  size_t n_off;
  const double* offs = typed<double>(env, a.argv[4], &n_off);
  if (!A || !B || !C || !d || !offs) return boolean(env, false);
  const int M = static_cast<int>(d[0]), N = static_cast<int>(d[1]), K = static_cast<int>(d[2]);
  const int batch = static_cast<int>(n_off / 3);
  bool accumulate = false;
  if (a.argc > 5) napi_get_value_bool(env, a.argv[5], &accumulate);
  auto one = [&](int t) {
    ConstMat am{A + static_cast<long>(offs[3 * t]), static_cast<long>(d[3]), static_cast<long>(d[4])};
    ConstMat bm{B + static_cast<long>(offs[3 * t + 1]), static_cast<long>(d[5]), static_cast<long>(d[6])};
    Mat cm{C + static_cast<long>(offs[3 * t + 2]), static_cast<long>(d[7]), static_cast<long>(d[8])};
    sgemm(M, N, K, am, bm, cm, accumulate);
  };
  // Many small products (attention heads): one per task; each then runs single-threaded.
  if (batch > 1 && 2.0 * M * N * K < 4e6) parallel_for(batch, one);
  else for (int t = 0; t < batch; t++) one(t);
  return boolean(env, true);
}

// unary(op, x, out, desc[rank, shape, xStr, oStr, xOff, oOff], p0, p1)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  const int op = static_cast<int>(number(env, a.argv[0]));
  float* x = typed<float>(env, a.argv[1]);
  float* out = typed<float>(env, a.argv[2]);
  Reader r{typed<double>(env, a.argv[3])};
  auto d = described<2>(r);
  return boolean(env, unary(op, d.shape, {x, d.offsets[0], d.strides[0]}, {out, d.offsets[1], d.strides[1]},
                            static_cast<float>(number(env, a.argv[4])), static_cast<float>(number(env, a.argv[5]))));
}

// The two-operand elementwise bindings: (op, a, b, out, desc[rank, shape, aStr, bStr, oStr,
// aOff, bOff, oOff]) with float32 a and b; Out is out's element type.
template <typename Out, typename Kernel>
napi_value two_operand(napi_env env, napi_callback_info info, Kernel kernel) {
  Args a;
  get_args(env, info, a);
  const int op = static_cast<int>(number(env, a.argv[0]));
  float* x = typed<float>(env, a.argv[1]);
  float* y = typed<float>(env, a.argv[2]);
  Out* out = typed<Out>(env, a.argv[3]);
  Reader r{typed<double>(env, a.argv[4])};
  auto d = described<3>(r);
  return boolean(env, kernel(op, d, Operand{x, d.offsets[0], d.strides[0]}, Operand{y, d.offsets[1], d.strides[1]}, out));
}

// binary(op, a, b, out, desc): float32 result
napi_value Binary(napi_env env, napi_callback_info info) {
  return two_operand<float>(env, info, [](int op, const Described<3>& d, Operand x, Operand y, float* out) {
    return binary(op, d.shape, x, y, {out, d.offsets[2], d.strides[2]});
  });
}

// compare(op, a, b, out, desc): bool result (Uint8Array)
napi_value Compare(napi_env env, napi_callback_info info) {
  return two_operand<unsigned char>(env, info, [](int op, const Described<3>& d, Operand x, Operand y, unsigned char* out) {
    return compare(op, d.shape, x, y, out, d.offsets[2], d.strides[2]);
  });
}

// copy(x, out, desc[rank, shape, xStr, oStr, xOff, oOff])
napi_value Copy(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  float* x = typed<float>(env, a.argv[0]);
  float* out = typed<float>(env, a.argv[1]);
  Reader r{typed<double>(env, a.argv[2])};
  auto d = described<2>(r);
  copy(d.shape, {x, d.offsets[0], d.strides[0]}, {out, d.offsets[1], d.strides[1]});
  return boolean(env, true);
}

// reduce(op, x, out, desc[rank, shape, xStr, outShape, xOff, outOff]); out contiguous
napi_value Reduce(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  const int op = static_cast<int>(number(env, a.argv[0]));
  float* x = typed<float>(env, a.argv[1]);
  float* out = typed<float>(env, a.argv[2]);
  Reader r{typed<double>(env, a.argv[3])};
  const long rank = r.next();
  auto shape = r.take(rank);
  auto xs = r.take(rank), oshape = r.take(rank);
  const long xo = r.next(), oo = r.next();
  reduce(op, shape, {x, xo, xs}, oshape, {out, oo, {}});
  return boolean(env, true);
}

// softmax(x, out, desc[rank, shape, xStr, oStr, xOff, oOff, axis, log])
napi_value Softmax(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  float* x = typed<float>(env, a.argv[0]);
  float* out = typed<float>(env, a.argv[1]);
  Reader r{typed<double>(env, a.argv[2])};
  auto d = described<2>(r);
  const long axis = r.next(), log = r.next();
  softmax(d.shape, {x, d.offsets[0], d.strides[0]}, {out, d.offsets[1], d.strides[1]}, static_cast<int>(axis), log != 0);
  return boolean(env, true);
}

// softmaxBackward(g, y, out, desc[rank, shape, gStr, yStr, oStr, gOff, yOff, oOff, axis, log])
napi_value SoftmaxBackward(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  float* g = typed<float>(env, a.argv[0]);
  float* y = typed<float>(env, a.argv[1]);
  float* out = typed<float>(env, a.argv[2]);
  Reader r{typed<double>(env, a.argv[3])};
  auto d = described<3>(r);
  const long axis = r.next(), log = r.next();
  softmax_backward(d.shape, {g, d.offsets[0], d.strides[0]}, {y, d.offsets[1], d.strides[1]}, {out, d.offsets[2], d.strides[2]}, static_cast<int>(axis), log != 0);
  return boolean(env, true);
}

// Window descriptor: [N, C, xStr×4, kh, kw, sh, sw, ph, pw, dh, dw, H, W, oh, ow, colStr×6, xOff, colOff]
struct WindowCall {
  long N, C, xs[4], cs[6], xo, co;
  Window g;
};

WindowCall window_desc(const double* d) {
  Reader r{d};
  WindowCall w;
  w.N = r.next();
  w.C = r.next();
  for (long& s : w.xs) s = r.next();
  w.g = {r.next(), r.next(), r.next(), r.next(), r.next(), r.next(), r.next(), r.next(), r.next(), r.next(), r.next(), r.next()};
  for (long& s : w.cs) s = r.next();
  w.xo = r.next();
  w.co = r.next();
  return w;
}

// im2col(x, cols, desc, padValue)
napi_value Im2col(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  const float* x = typed<float>(env, a.argv[0]);
  float* cols = typed<float>(env, a.argv[1]);
  WindowCall w = window_desc(typed<double>(env, a.argv[2]));
  im2col(x + w.xo, w.xs, w.N, w.C, w.g, static_cast<float>(number(env, a.argv[3])), cols + w.co, w.cs);
  return boolean(env, true);
}

// maxPool2d(x, out, idx, desc, outStrides[4], idxStrides[4]) with the window descriptor of im2col
// (its cols strides unused) — out and idx are [N, C, oh, ow].
napi_value MaxPool2d(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  const float* x = typed<float>(env, a.argv[0]);
  float* out = typed<float>(env, a.argv[1]);
  int* idx = typed<int>(env, a.argv[2]);
  WindowCall w = window_desc(typed<double>(env, a.argv[3]));
  const double* extra = typed<double>(env, a.argv[4]);
  long os[4], is[4];
  for (int k = 0; k < 4; k++) { os[k] = static_cast<long>(extra[k]); is[k] = static_cast<long>(extra[4 + k]); }
  max_pool2d(x + w.xo, w.xs, w.N, w.C, w.g, out + static_cast<long>(extra[8]), os, idx + static_cast<long>(extra[9]), is);
  return boolean(env, true);
}

// col2im(cols, x, desc): adds into x
napi_value Col2im(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  const float* cols = typed<float>(env, a.argv[0]);
  float* x = typed<float>(env, a.argv[1]);
  WindowCall w = window_desc(typed<double>(env, a.argv[2]));
  col2im(cols + w.co, w.cs, w.N, w.C, w.g, x + w.xo, w.xs);
  return boolean(env, true);
}

// gather(x, index, out, desc[rank, shape, xStr(axis 0), idxStr, outStr, xOff, idxOff, outOff, axisLen, axisStride])
napi_value Gather(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  const float* x = typed<float>(env, a.argv[0]);
  const int* idx = typed<int>(env, a.argv[1]);
  float* out = typed<float>(env, a.argv[2]);
  Reader r{typed<double>(env, a.argv[3])};
  auto d = described<3>(r);
  const long len = r.next(), step = r.next();
  gather(d.shape, x, d.offsets[0], d.strides[0], len, step, {idx, d.offsets[1], d.strides[1]}, out, d.offsets[2], d.strides[2]);
  return boolean(env, true);
}

// scatter(add, out, index, src, desc[rank, shape, outStr(axis 0), idxStr, srcStr, outOff, idxOff, srcOff, axisStride])
napi_value Scatter(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  bool add = false;
  napi_get_value_bool(env, a.argv[0], &add);
  float* out = typed<float>(env, a.argv[1]);
  const int* idx = typed<int>(env, a.argv[2]);
  const float* src = typed<float>(env, a.argv[3]);
  Reader r{typed<double>(env, a.argv[4])};
  auto d = described<3>(r);
  const long step = r.next();
  scatter(add, d.shape, out, d.offsets[0], d.strides[0], step, {idx, d.offsets[1], d.strides[1]}, src, d.offsets[2], d.strides[2]);
  return boolean(env, true);
}

// argReduce(isMax, x, out, desc[rank, outerShape, xStr, outStr, xOff, outOff, len, step])
napi_value ArgReduce(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  bool is_max = false;
  napi_get_value_bool(env, a.argv[0], &is_max);
  const float* x = typed<float>(env, a.argv[1]);
  int* out = typed<int>(env, a.argv[2]);
  Reader r{typed<double>(env, a.argv[3])};
  auto d = described<2>(r);
  const long len = r.next(), step = r.next();
  arg_reduce(is_max, d.shape, x, d.offsets[0], d.strides[0], len, step, out, d.offsets[1], d.strides[1]);
  return boolean(env, true);
}

// lstmCell(gates, c, out, act, desc[N, H, gOff, gRs, cOff, cRs, oOff, oRs, aOff, aRs])
napi_value LstmCell(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  const float* g = typed<float>(env, a.argv[0]);
  const float* c = typed<float>(env, a.argv[1]);
  float* out = typed<float>(env, a.argv[2]);
  float* act = typed<float>(env, a.argv[3]);
  Reader r{typed<double>(env, a.argv[4])};
  const long N = r.next(), H = r.next();
  const long go = r.next(), gs = r.next(), co = r.next(), cs = r.next(), oo = r.next(), os = r.next(), ao = r.next(), as = r.next();
  lstm_cell(N, H, g + go, gs, c + co, cs, out + oo, os, act + ao, as);
  return boolean(env, true);
}

// lstmCellBackward(dOut, act, c, out, dGates, dC, desc[N, H, then (offset, row stride) of each of the six])
napi_value LstmCellBackward(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  const float* d = typed<float>(env, a.argv[0]);
  const float* act = typed<float>(env, a.argv[1]);
  const float* c = typed<float>(env, a.argv[2]);
  const float* out = typed<float>(env, a.argv[3]);
  float* dg = typed<float>(env, a.argv[4]);
  float* dc = typed<float>(env, a.argv[5]);
  Reader r{typed<double>(env, a.argv[6])};
  const long N = r.next(), H = r.next();
  long o[6], s[6];
  for (int k = 0; k < 6; k++) { o[k] = r.next(); s[k] = r.next(); }
  lstm_cell_backward(N, H, d + o[0], s[0], act + o[1], s[1], c + o[2], s[2], out + o[3], s[3], dg + o[4], s[4], dc + o[5], s[5]);
  return boolean(env, true);
}

// A Float32Array argument, or null for JS null/undefined.
float* optional_floats(napi_env env, napi_value v) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  return t == napi_object ? typed<float>(env, v) : nullptr;
}

// layerNorm(x, w|null, b|null, out, mean, rstd, desc[R, D, xOff, xRs, wOff, bOff, oOff, oRs, meanOff, rstdOff, eps])
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  const float* x = typed<float>(env, a.argv[0]);
  const float* w = optional_floats(env, a.argv[1]);
  const float* b = optional_floats(env, a.argv[2]);
  float* out = typed<float>(env, a.argv[3]);
  float* mean = typed<float>(env, a.argv[4]);
  float* rstd = typed<float>(env, a.argv[5]);
  const double* d = typed<double>(env, a.argv[6]);
  const long R = static_cast<long>(d[0]), D = static_cast<long>(d[1]);
  auto at = [&](int i) { return static_cast<long>(d[i]); };
  layer_norm(R, D, x + at(2), at(3), w ? w + at(4) : nullptr, b ? b + at(5) : nullptr, static_cast<float>(d[10]), out + at(6), at(7), mean + at(8), rstd + at(9));
  return boolean(env, true);
}

// The arguments both normalisation backwards take: (g, x, mean, rstd, w|null, dx, dw|null,
// db|null, desc) — the gradient, the saved statistics, and where the three gradients go.
struct NormGradArgs {
  const float *g, *x, *mean, *rstd, *w;
  float *dx, *dw, *db;
  const double* d;
  long at(int i) const { return static_cast<long>(d[i]); }
};

NormGradArgs norm_grad_args(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  return {typed<float>(env, argv[0]), typed<float>(env, argv[1]), typed<float>(env, argv[2]), typed<float>(env, argv[3]),
          optional_floats(env, argv[4]), typed<float>(env, argv[5]), optional_floats(env, argv[6]), optional_floats(env, argv[7]),
          typed<double>(env, argv[8])};
}

// layerNormBackward(g, x, mean, rstd, w|null, dx, dw|null, db|null,
//   desc[R, D, gOff, gRs, xOff, xRs, meanOff, rstdOff, wOff, dxOff, dxRs, dwOff, dbOff])
napi_value LayerNormBackward(napi_env env, napi_callback_info info) {
  const NormGradArgs a = norm_grad_args(env, info);
  layer_norm_backward(a.at(0), a.at(1), a.g + a.at(2), a.at(3), a.x + a.at(4), a.at(5), a.mean + a.at(6), a.rstd + a.at(7),
                      a.w ? a.w + a.at(8) : nullptr, a.dx + a.at(9), a.at(10), a.dw ? a.dw + a.at(11) : nullptr, a.db ? a.db + a.at(12) : nullptr);
  return boolean(env, true);
}

// batchNorm(x, w|null, b|null, out, mean, var, rstd, desc[N, C, S, xOff, wOff, bOff, oOff, meanOff, varOff, rstdOff, eps])
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const float* x = typed<float>(env, argv[0]);
  const float* w = optional_floats(env, argv[1]);
  const float* b = optional_floats(env, argv[2]);
  float* out = typed<float>(env, argv[3]);
  float* mean = typed<float>(env, argv[4]);
  float* var = typed<float>(env, argv[5]);
  float* rstd = typed<float>(env, argv[6]);
  const double* d = typed<double>(env, argv[7]);
  auto at = [&](int i) { return static_cast<long>(d[i]); };
  batch_norm(at(0), at(1), at(2), x + at(3), w ? w + at(4) : nullptr, b ? b + at(5) : nullptr, static_cast<float>(d[10]), out + at(6),
             mean + at(7), var + at(8), rstd + at(9));
  return boolean(env, true);
}

// batchNormBackward(g, x, mean, rstd, w|null, dx, dw|null, db|null,
//   desc[N, C, S, gOff, xOff, meanOff, rstdOff, wOff, dxOff, dwOff, dbOff])
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  const NormGradArgs a = norm_grad_args(env, info);
  batch_norm_backward(a.at(0), a.at(1), a.at(2), a.g + a.at(3), a.x + a.at(4), a.mean + a.at(5), a.rstd + a.at(6), a.w ? a.w + a.at(7) : nullptr,
                      a.dx + a.at(8), a.dw ? a.dw + a.at(9) : nullptr, a.db ? a.db + a.at(10) : nullptr);
  return boolean(env, true);
}

// sgdStep(p, g, buf|null, desc[n, pOff, gOff, bufOff, lr, momentum, dampening, weightDecay, nesterov, firstStep])
napi_value SgdStep(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  float* p = typed<float>(env, a.argv[0]);
  const float* g = typed<float>(env, a.argv[1]);
  float* buf = optional_floats(env, a.argv[2]);
  const double* d = typed<double>(env, a.argv[3]);
  SgdParams o{static_cast<float>(d[4]), static_cast<float>(d[5]), static_cast<float>(d[6]), static_cast<float>(d[7]), d[8] != 0, d[9] != 0};
  sgd_step(static_cast<long>(d[0]), p + static_cast<long>(d[1]), g + static_cast<long>(d[2]), buf ? buf + static_cast<long>(d[3]) : nullptr, o);
  return boolean(env, true);
}

// adamStep(p, g, m, v, vmax|null, desc[n, pOff, gOff, mOff, vOff, vmaxOff, lr, beta1, beta2, eps, weightDecay, step, decoupled])
napi_value AdamStepFn(napi_env env, napi_callback_info info) {
  Args a;
  get_args(env, info, a);
  float* p = typed<float>(env, a.argv[0]);
  const float* g = typed<float>(env, a.argv[1]);
  float* m = typed<float>(env, a.argv[2]);
  float* v = typed<float>(env, a.argv[3]);
  float* vmax = optional_floats(env, a.argv[4]);
  const double* d = typed<double>(env, a.argv[5]);
  AdamParams o{static_cast<float>(d[6]), static_cast<float>(d[7]), static_cast<float>(d[8]), static_cast<float>(d[9]), static_cast<float>(d[10]),
               static_cast<long>(d[11]), d[12] != 0};
  auto at = [&](int i) { return static_cast<long>(d[i]); };
  adam_step(at(0), p + at(1), g + at(2), m + at(3), v + at(4), vmax ? vmax + at(5) : nullptr, o);
  return boolean(env, true);
}

napi_value Init(napi_env env, napi_value exports) {
  const struct { const char* name; napi_callback fn; } fns[] = {
      {"info", Info}, {"peakGflops", Peak}, {"setNumThreads", SetNumThreads}, {"forceIsa", ForceIsa}, {"matmul", Matmul}, {"compare", Compare},
      {"unary", Unary}, {"binary", Binary}, {"copy", Copy}, {"reduce", Reduce}, {"softmax", Softmax}, {"softmaxBackward", SoftmaxBackward},
      {"im2col", Im2col}, {"col2im", Col2im}, {"maxPool2d", MaxPool2d}, {"gather", Gather}, {"scatter", Scatter}, {"argReduce", ArgReduce}, {"lstmCell", LstmCell}, {"layerNorm", LayerNorm}, {"sgdStep", SgdStep}, {"adamStep", AdamStepFn}, {"layerNormBackward", LayerNormBackward}, {"batchNorm", BatchNorm}, {"batchNormBackward", BatchNormBackward}, {"lstmCellBackward", LstmCellBackward},
  };
  for (const auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v);
    napi_set_named_property(env, exports, f.name, v);
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
