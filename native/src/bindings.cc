// The kernel bindings, free of any host API: every shape, stride and offset travels in one
// Float64Array descriptor per call; each binding reads its arguments through a Call (binding.h),
// which checks every buffer, descriptor and index before the kernel runs, and records a failure
// naming the kernel and argument otherwise. node_addon.cc serves them to Node through N-API,
// wasm_addon.cc to WebAssembly.
#include "bindings.h"

#include <climits>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "batch_norm.h"
#include "conv.h"
#include "elementwise.h"
#include "gemm.h"
#include "gemm_bf16.h"
#include "indexing.h"
#include "layer_norm.h"
#include "lstm.h"
#include "optim.h"
#include "threadpool.h"
#include "window.h"

namespace axon {
namespace {

constexpr long kMaxRank = 64;
// Window geometry values and the dims of the fused kernels stay below 2^31, so the kernels' index
// arithmetic (products of two of them) cannot overflow.
constexpr long kMaxDim = INT_MAX;

template <int K>
struct Described {
  std::vector<long> shape;
  std::array<std::vector<long>, K> strides;
  std::array<long, K> offsets;
};

// The layout src/backend/native/index.ts's describe() writes: rank, shape, K stride lists, K offsets
// (then any op-specific extras, left in the reader).
template <int K>
Described<K> described(Reader& r) {
  Described<K> d;
  const long rank = r.integer("rank", 0, kMaxRank);
  d.shape = r.integers(rank, "a size");
  for (auto& s : d.strides) s = r.integers(rank, "a stride");
  for (auto& o : d.offsets) o = r.integer("an offset");
  return d;
}

void SetNumThreads(Call& c) {
  const long n = c.integer(0, "n", 1, 1024);
  if (c.ok()) set_num_threads(static_cast<int>(n));
}

void ForceIsa(Call& c) {
  char buf[16] = {};
  c.string(0, "isa", buf, sizeof buf);
  if (c.ok()) gemm_force_isa(buf);
}

// matmul(a, b, out, dims[M, N, K, ars, acs, brs, bcs, ors, ocs], offsets[aOff, bOff, oOff, ...], accumulate?,
//        bf16?) — bf16: operands rounded to bfloat16, float32 accumulation (gemm_bf16.h)
void Matmul(Call& c) {
  auto A = c.floats(0, "a");
  auto B = c.floats(1, "b");
  auto C = c.floats(2, "out");
  Reader d = c.descriptor(3, "dims");
  const long M = d.integer("M", 0, kMaxDim), N = d.integer("N", 0, kMaxDim), K = d.integer("K", 0, kMaxDim);
  const long ars = d.integer("a's row stride"), acs = d.integer("a's column stride");
  const long brs = d.integer("b's row stride"), bcs = d.integer("b's column stride");
  const long ors = d.integer("out's row stride"), ocs = d.integer("out's column stride");
  d.finish();
  Reader o = c.descriptor(4, "offsets");
  const bool accumulate = c.argc() > 5 && c.boolean(5, "accumulate");
  const bool bf16 = c.argc() > 6 && c.boolean(6, "bf16");
  // The offsets come in (a, b, out) triples, one per matrix of the batch.
  const size_t n_off = o.size();
  std::vector<long> offs;
  if (!c.check(n_off % 3 == 0, "offsets has " + std::to_string(n_off) + " values, not a multiple of 3")) return;
  offs.reserve(n_off);
  for (size_t i = 0; i < n_off && c.ok(); i++) offs.push_back(o.integer("an offset"));
  const long batch = static_cast<long>(n_off / 3);
  for (long t = 0; t < batch && c.ok(); t++) {
    c.fits(A, {M, K}, {ars, acs}, offs[3 * t]);
    c.fits(B, {K, N}, {brs, bcs}, offs[3 * t + 1]);
    c.fits(C, {M, N}, {ors, ocs}, offs[3 * t + 2]);
  }
  if (!c.ok()) return;
  auto one = [&](int t) {
    ConstMat am{A.p + offs[3 * t], ars, acs};
    ConstMat bm{B.p + offs[3 * t + 1], brs, bcs};
    Mat cm{C.p + offs[3 * t + 2], ors, ocs};
    if (bf16)
      sgemm_bf16(static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), am, bm, cm, accumulate);
    else
      sgemm(static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), am, bm, cm, accumulate);
  };
  // Many small products (attention heads): one per task; each then runs single-threaded.
  if (batch > 1 && 2.0 * M * N * K < 4e6)
    parallel_for(static_cast<int>(batch), one);
  else
    for (long t = 0; t < batch; t++) one(static_cast<int>(t));
  return;
}

// unary(op, x, out, desc[rank, shape, xStr, oStr, xOff, oOff], p0, p1)
void Unary(Call& c) {
  const long op = c.integer(0, "op", 0, U_COUNT - 1);
  auto x = c.floats(1, "x");
  auto out = c.floats(2, "out");
  Reader r = c.descriptor(3, "desc");
  auto d = described<2>(r);
  r.finish();
  const float p0 = static_cast<float>(c.number(4, "p0")), p1 = static_cast<float>(c.number(5, "p1"));
  c.fits(x, d.shape, d.strides[0], d.offsets[0]);
  c.fits(out, d.shape, d.strides[1], d.offsets[1]);
  if (!c.ok()) return;
  c.check(unary(static_cast<int>(op), d.shape, {x.p, d.offsets[0], d.strides[0]}, {out.p, d.offsets[1], d.strides[1]},
                p0, p1),
          "op " + std::to_string(op) + " has no kernel");
  return;
}

// The two-operand elementwise bindings: (op, a, b, out, desc[rank, shape, aStr, bStr, oStr, aOff, bOff, oOff])
// with float32 a and b; Out is out's element type (float, or a byte for comparisons).
template <typename Out, typename Kernel>
void two_operand(Call& c, long op_count, Kernel kernel) {
  const long op = c.integer(0, "op", 0, op_count - 1);
  auto x = c.floats(1, "a");
  auto y = c.floats(2, "b");
  Buffer<Out> out;
  if constexpr (std::is_same_v<Out, float>)
    out = c.floats(3, "out");
  else
    out = c.bytes(3, "out");
  Reader r = c.descriptor(4, "desc");
  auto d = described<3>(r);
  r.finish();
  c.fits(x, d.shape, d.strides[0], d.offsets[0]);
  c.fits(y, d.shape, d.strides[1], d.offsets[1]);
  c.fits(out, d.shape, d.strides[2], d.offsets[2]);
  if (!c.ok()) return;
  c.check(kernel(static_cast<int>(op), d, Operand{x.p, d.offsets[0], d.strides[0]},
                 Operand{y.p, d.offsets[1], d.strides[1]}, out.p),
          "op " + std::to_string(op) + " has no kernel");
  return;
}

// binary(op, a, b, out, desc): float32 result
void Binary(Call& c) {
  two_operand<float>(c, B_COUNT, [](int op, const Described<3>& d, Operand x, Operand y, float* out) {
    return binary(op, d.shape, x, y, {out, d.offsets[2], d.strides[2]});
  });
}

// compare(op, a, b, out, desc): bool result (Uint8Array)
void Compare(Call& c) {
  two_operand<uint8_t>(c, C_COUNT, [](int op, const Described<3>& d, Operand x, Operand y, uint8_t* out) {
    return compare(op, d.shape, x, y, out, d.offsets[2], d.strides[2]);
  });
}

// copy(x, out, desc[rank, shape, xStr, oStr, xOff, oOff])
void Copy(Call& c) {
  auto x = c.floats(0, "x");
  auto out = c.floats(1, "out");
  Reader r = c.descriptor(2, "desc");
  auto d = described<2>(r);
  r.finish();
  c.fits(x, d.shape, d.strides[0], d.offsets[0]);
  c.fits(out, d.shape, d.strides[1], d.offsets[1]);
  if (c.ok()) copy(d.shape, {x.p, d.offsets[0], d.strides[0]}, {out.p, d.offsets[1], d.strides[1]});
  return;
}

// reduce(op, x, out, desc[rank, shape, xStr, outShape, xOff, outOff]); out contiguous
void Reduce(Call& c) {
  const long op = c.integer(0, "op", 0, R_COUNT - 1);
  auto x = c.floats(1, "x");
  auto out = c.floats(2, "out");
  Reader r = c.descriptor(3, "desc");
  const long rank = r.integer("rank", 0, kMaxRank);
  auto shape = r.integers(rank, "a size");
  auto xs = r.integers(rank, "a stride");
  auto oshape = r.integers(rank, "an output size");
  const long xo = r.integer("x's offset"), oo = r.integer("out's offset");
  r.finish();
  long size = 1;
  for (long k = 0; k < rank && c.ok(); k++) {
    // Each output dim is the input's or 1 (reduced): the accumulator is indexed by that rule.
    c.check(oshape[k] == shape[k] || oshape[k] == 1,
            "output shape " + shape_string(oshape) + " does not reduce " + shape_string(shape));
    size *= oshape[k];
  }
  c.fits(x, shape, xs, xo);
  c.fits_range(out, oo, size);
  if (c.ok()) reduce(static_cast<int>(op), shape, {x.p, xo, xs}, oshape, {out.p, oo, {}});
  return;
}

// softmax(x, out, desc[rank, shape, xStr, oStr, xOff, oOff, axis, log])
void Softmax(Call& c) {
  auto x = c.floats(0, "x");
  auto out = c.floats(1, "out");
  Reader r = c.descriptor(2, "desc");
  auto d = described<2>(r);
  const long axis = r.integer("axis", 0, static_cast<long>(d.shape.size()) - 1), log = r.integer("log", 0, 1);
  r.finish();
  c.fits(x, d.shape, d.strides[0], d.offsets[0]);
  c.fits(out, d.shape, d.strides[1], d.offsets[1]);
  if (c.ok())
    softmax(d.shape, {x.p, d.offsets[0], d.strides[0]}, {out.p, d.offsets[1], d.strides[1]}, static_cast<int>(axis),
            log != 0);
  return;
}

// softmaxBackward(g, y, out, desc[rank, shape, gStr, yStr, oStr, gOff, yOff, oOff, axis, log])
void SoftmaxBackward(Call& c) {
  auto g = c.floats(0, "g");
  auto y = c.floats(1, "y");
  auto out = c.floats(2, "out");
  Reader r = c.descriptor(3, "desc");
  auto d = described<3>(r);
  const long axis = r.integer("axis", 0, static_cast<long>(d.shape.size()) - 1), log = r.integer("log", 0, 1);
  r.finish();
  c.fits(g, d.shape, d.strides[0], d.offsets[0]);
  c.fits(y, d.shape, d.strides[1], d.offsets[1]);
  c.fits(out, d.shape, d.strides[2], d.offsets[2]);
  if (c.ok())
    softmax_backward(d.shape, {g.p, d.offsets[0], d.strides[0]}, {y.p, d.offsets[1], d.strides[1]},
                     {out.p, d.offsets[2], d.strides[2]}, static_cast<int>(axis), log != 0);
  return;
}

// Window descriptor: [N, C, xStr×4, kh, kw, sh, sw, ph, pw, dh, dw, H, W, oh, ow, colStr×6, xOff, colOff]
struct WindowCall {
  long N, C, xs[4], cs[6], xo, co;
  Window g;
  std::vector<long> image_shape() const { return {N, C, g.H, g.W}; }
  std::vector<long> image_strides() const { return {xs[0], xs[1], xs[2], xs[3]}; }
  std::vector<long> cols_shape() const { return {N, C, g.kh, g.kw, g.oh, g.ow}; }
  std::vector<long> cols_strides() const { return {cs[0], cs[1], cs[2], cs[3], cs[4], cs[5]}; }
};

WindowCall window_desc(Reader& r) {
  WindowCall w{};
  w.N = r.integer("N", 0, kMaxDim);
  w.C = r.integer("C", 0, kMaxDim);
  for (long& s : w.xs) s = r.integer("an image stride");
  auto pos = [&](const char* what) { return r.integer(what, 1, kMaxDim); };
  auto nonneg = [&](const char* what) { return r.integer(what, 0, kMaxDim); };
  w.g.kh = pos("kernel height");
  w.g.kw = pos("kernel width");
  w.g.sh = pos("stride height");
  w.g.sw = pos("stride width");
  w.g.ph = nonneg("padding height");
  w.g.pw = nonneg("padding width");
  w.g.dh = pos("dilation height");
  w.g.dw = pos("dilation width");
  w.g.H = nonneg("input height");
  w.g.W = nonneg("input width");
  w.g.oh = nonneg("output height");
  w.g.ow = nonneg("output width");
  for (long& s : w.cs) s = r.integer("a column stride");
  w.xo = r.integer("the image offset");
  w.co = r.integer("the column offset");
  return w;
}

// im2col(x, cols, desc, padValue)
void Im2col(Call& c) {
  auto x = c.floats(0, "x");
  auto cols = c.floats(1, "cols");
  Reader r = c.descriptor(2, "desc");
  WindowCall w = window_desc(r);
  r.finish();
  const float pad = static_cast<float>(c.number(3, "padValue"));
  // The kernel reads only image rows in [0, H) and columns in [0, W): the views bound every access.
  c.fits(x, w.image_shape(), w.image_strides(), w.xo);
  c.fits(cols, w.cols_shape(), w.cols_strides(), w.co);
  if (c.ok()) im2col(x.p + w.xo, w.xs, w.N, w.C, w.g, pad, cols.p + w.co, w.cs);
  return;
}

// col2im(cols, x, desc): adds into x
void Col2im(Call& c) {
  auto cols = c.floats(0, "cols");
  auto x = c.floats(1, "x");
  Reader r = c.descriptor(2, "desc");
  WindowCall w = window_desc(r);
  r.finish();
  c.fits(x, w.image_shape(), w.image_strides(), w.xo);
  c.fits(cols, w.cols_shape(), w.cols_strides(), w.co);
  if (c.ok()) col2im(cols.p + w.co, w.cs, w.N, w.C, w.g, x.p + w.xo, w.xs);
  return;
}

// maxPool2d(x, out, idx, desc, extra[outStr×4, idxStr×4, outOff, idxOff]) with the window
// descriptor of im2col (its cols strides unused) — out and idx are [N, C, oh, ow].
void MaxPool2d(Call& c) {
  auto x = c.floats(0, "x");
  auto out = c.floats(1, "out");
  auto idx = c.ints(2, "indices");
  Reader r = c.descriptor(3, "desc");
  WindowCall w = window_desc(r);
  r.finish();
  Reader e = c.descriptor(4, "extra");
  std::vector<long> os = e.integers(4, "an output stride"), is = e.integers(4, "an index stride");
  const long oo = e.integer("the output offset"), io = e.integer("the index offset");
  e.finish();
  const std::vector<long> out_shape = {w.N, w.C, w.g.oh, w.g.ow};
  c.fits(x, w.image_shape(), w.image_strides(), w.xo);
  c.fits(out, out_shape, os, oo);
  c.fits(idx, out_shape, is, io);
  if (c.ok()) max_pool2d(x.p + w.xo, w.xs, w.N, w.C, w.g, out.p + oo, os.data(), idx.p + io, is.data());
  return;
}

// depthwiseConv2d(x, weight, out, desc, extra[Cout, wStr×3, wOff, outStr×4, outOff]) with the window
// descriptor of im2col (its cols strides unused): weight [Cout, kh, kw], out [N, Cout, oh, ow].
void DepthwiseConv2d(Call& c) {
  auto x = c.floats(0, "x");
  auto wt = c.floats(1, "weight");
  auto out = c.floats(2, "out");
  Reader r = c.descriptor(3, "desc");
  WindowCall w = window_desc(r);
  r.finish();
  Reader e = c.descriptor(4, "extra");
  const long cout = e.integer("the output channels", 0, kMaxDim);
  std::vector<long> ws = e.integers(3, "a weight stride");
  const long wo = e.integer("the weight offset");
  std::vector<long> os = e.integers(4, "an output stride");
  const long oo = e.integer("the output offset");
  e.finish();
  if (w.C == 0 || cout % w.C != 0) c.fail("the output channels must be a multiple of the input channels");
  c.fits(x, w.image_shape(), w.image_strides(), w.xo);
  c.fits(wt, {cout, w.g.kh, w.g.kw}, ws, wo);
  c.fits(out, {w.N, cout, w.g.oh, w.g.ow}, os, oo);
  if (c.ok()) depthwise_conv2d(x.p + w.xo, w.xs, w.N, w.C, w.g, wt.p + wo, ws.data(), cout, out.p + oo, os.data());
  return;
}

// What conv2d and conv2dBackward read and check alike: the window descriptor, then from extra the
// output channels and the weight offset; x must fit its buffer and the weight be [Cout, C·kh·kw].
struct ConvCall {
  WindowCall w;
  long cout, wo, K, P;
};

ConvCall conv_call(Call& c, const Buffer<float>& x, const Buffer<float>& wt, size_t desc_arg, Reader& e) {
  Reader r = c.descriptor(desc_arg, "desc");
  ConvCall v{window_desc(r), 0, 0, 0, 0};
  r.finish();
  v.cout = e.integer("the output channels", 0, kMaxDim);
  v.wo = e.integer("the weight offset");
  v.K = v.w.C * v.w.g.kh * v.w.g.kw;
  v.P = v.w.g.oh * v.w.g.ow;
  // The GEMM takes int dimensions, and one image's columns are held in memory at once.
  if (v.K > INT_MAX || v.P > INT_MAX || v.K * v.P > INT_MAX)
    c.fail("one image's unfolded columns must have fewer than 2^31 elements");
  c.fits(x, v.w.image_shape(), v.w.image_strides(), v.w.xo);
  c.fits_rows(wt, v.wo, v.cout, v.K, v.K);
  return v;
}

// conv2d(x, weight, bias|null, out, desc, extra[Cout, wOff, biasOff, outOff]) with the window
// descriptor of im2col (its cols strides unused): weight contiguous [Cout, C·kh·kw], bias [Cout],
// out contiguous [N, Cout, oh, ow].
void Conv2d(Call& c) {
  auto x = c.floats(0, "x");
  auto wt = c.floats(1, "weight");
  auto bias = c.optional_floats(2, "bias");
  auto out = c.floats(3, "out");
  Reader e = c.descriptor(5, "extra");
  const ConvCall v = conv_call(c, x, wt, 4, e);
  const long bo = e.integer("the bias offset");
  const long oo = e.integer("the output offset");
  e.finish();
  if (bias.p) c.fits_range(bias, bo, v.cout);
  c.fits(out, {v.w.N, v.cout, v.w.g.oh, v.w.g.ow}, {v.cout * v.P, v.P, v.w.g.ow, 1}, oo);
  if (c.ok())
    conv2d(x.p + v.w.xo, v.w.xs, v.w.N, v.w.C, v.w.g, wt.p + v.wo, v.cout, bias.p ? bias.p + bo : nullptr, out.p + oo);
  return;
}

// conv2dBackward(x, weight, grad, dx|null, dw|null, desc, extra[Cout, wOff, gradOff, dxOff, dwOff])
// with conv2d's window descriptor: grad contiguous [N, Cout, oh, ow], dx contiguous [N, C, H, W] and
// dw contiguous [Cout, C·kh·kw], both overwritten.
void Conv2dBackward(Call& c) {
  auto x = c.floats(0, "x");
  auto wt = c.floats(1, "weight");
  auto grad = c.floats(2, "grad");
  auto dx = c.optional_floats(3, "dx");
  auto dw = c.optional_floats(4, "dw");
  Reader e = c.descriptor(6, "extra");
  const ConvCall v = conv_call(c, x, wt, 5, e);
  const long go = e.integer("the gradient offset");
  const long xo = e.integer("the dx offset");
  const long dwo = e.integer("the dw offset");
  e.finish();
  const WindowCall& w = v.w;
  c.fits(grad, {w.N, v.cout, w.g.oh, w.g.ow}, {v.cout * v.P, v.P, w.g.ow, 1}, go);
  if (dx.p) c.fits(dx, {w.N, w.C, w.g.H, w.g.W}, {w.C * w.g.H * w.g.W, w.g.H * w.g.W, w.g.W, 1}, xo);
  if (dw.p) c.fits_rows(dw, dwo, v.cout, v.K, v.K);
  if (c.ok())
    conv2d_backward(x.p + w.xo, w.xs, w.N, w.C, w.g, wt.p + v.wo, v.cout, grad.p + go, dx.p ? dx.p + xo : nullptr,
                    dw.p ? dw.p + dwo : nullptr);
  return;
}

// gather(x, index, out, desc[rank, shape, xStr (0 on the axis), idxStr, outStr, xOff, idxOff, outOff, axisLen,
// axisStride])
void Gather(Call& c) {
  auto x = c.floats(0, "x");
  auto idx = c.ints(1, "index");
  auto out = c.floats(2, "out");
  Reader r = c.descriptor(3, "desc");
  auto d = described<3>(r);
  const long len = r.integer("axis length", 0, kMaxDim), step = r.integer("axis stride");
  r.finish();
  c.fits(x, d.shape, d.strides[0], d.offsets[0], len, step);
  c.fits(out, d.shape, d.strides[2], d.offsets[2]);
  c.indices_in_range(idx, d.shape, d.strides[1], d.offsets[1], len);
  if (c.ok())
    gather(d.shape, x.p, d.offsets[0], d.strides[0], len, step, {idx.p, d.offsets[1], d.strides[1]}, out.p,
           d.offsets[2], d.strides[2]);
  return;
}

// scatter(add, out, index, src, desc[rank, shape, outStr (0 on the axis), idxStr, srcStr, outOff, idxOff, srcOff,
// axisLen, axisStride])
void Scatter(Call& c) {
  const bool add = c.boolean(0, "add");
  auto out = c.floats(1, "out");
  auto idx = c.ints(2, "index");
  auto src = c.floats(3, "src");
  Reader r = c.descriptor(4, "desc");
  auto d = described<3>(r);
  const long len = r.integer("axis length", 0, kMaxDim), step = r.integer("axis stride");
  r.finish();
  c.fits(out, d.shape, d.strides[0], d.offsets[0], len, step);
  c.fits(src, d.shape, d.strides[2], d.offsets[2]);
  c.indices_in_range(idx, d.shape, d.strides[1], d.offsets[1], len);
  if (c.ok())
    scatter(add, d.shape, out.p, d.offsets[0], d.strides[0], step, {idx.p, d.offsets[1], d.strides[1]}, src.p,
            d.offsets[2], d.strides[2]);
  return;
}

// argReduce(isMax, x, out, desc[rank, outerShape, xStr, outStr, xOff, outOff, len, step])
void ArgReduce(Call& c) {
  const bool is_max = c.boolean(0, "isMax");
  auto x = c.floats(1, "x");
  auto out = c.ints(2, "out");
  Reader r = c.descriptor(3, "desc");
  auto d = described<2>(r);
  const long len = r.integer("axis length", 0, kMaxDim), step = r.integer("axis stride");
  r.finish();
  long outer = 1;
  for (long s : d.shape) outer = s == 0 ? 0 : outer;
  // The kernel reads each line's first element, so a line must have one.
  c.check(len > 0 || outer == 0, "cannot reduce an empty axis");
  c.fits(x, d.shape, d.strides[0], d.offsets[0], len, step);
  c.fits(out, d.shape, d.strides[1], d.offsets[1]);
  if (c.ok())
    arg_reduce(is_max, d.shape, x.p, d.offsets[0], d.strides[0], len, step, out.p, d.offsets[1], d.strides[1]);
  return;
}

// lstmCell(gates, c, out, act, desc[N, H, gOff, gRs, cOff, cRs, oOff, oRs, aOff, aRs]):
// gates and act are N × 4H, c is N × H, out is N × 2H (h then c), rows of unit stride.
void LstmCell(Call& c) {
  auto g = c.floats(0, "gates");
  auto cp = c.floats(1, "c");
  auto out = c.floats(2, "out");
  auto act = c.floats(3, "act");
  Reader r = c.descriptor(4, "desc");
  const long N = r.integer("N", 0, kMaxDim), H = r.integer("H", 0, kMaxDim / 4);
  const long go = r.integer("offset"), gs = r.integer("row stride"), co = r.integer("offset"),
             cs = r.integer("row stride");
  const long oo = r.integer("offset"), os = r.integer("row stride"), ao = r.integer("offset"),
             as = r.integer("row stride");
  r.finish();
  c.fits_rows(g, go, N, gs, 4 * H);
  c.fits_rows(cp, co, N, cs, H);
  c.fits_rows(out, oo, N, os, 2 * H);
  c.fits_rows(act, ao, N, as, 4 * H);
  if (c.ok()) lstm_cell(N, H, g.p + go, gs, cp.p + co, cs, out.p + oo, os, act.p + ao, as);
  return;
}

// lstmCellBackward(dOut, act, c, out, dGates, dC, desc[N, H, then (offset, row stride) of each of the six])
void LstmCellBackward(Call& c) {
  Buffer<float> b[6] = {c.floats(0, "dOut"), c.floats(1, "act"),    c.floats(2, "c"),
                        c.floats(3, "out"),  c.floats(4, "dGates"), c.floats(5, "dC")};
  Reader r = c.descriptor(6, "desc");
  const long N = r.integer("N", 0, kMaxDim), H = r.integer("H", 0, kMaxDim / 4);
  long o[6], s[6];
  for (int k = 0; k < 6; k++) {
    o[k] = r.integer("offset");
    s[k] = r.integer("row stride");
  }
  r.finish();
  const long width[6] = {2 * H, 4 * H, H, 2 * H, 4 * H, H};
  for (int k = 0; k < 6; k++) c.fits_rows(b[k], o[k], N, s[k], width[k]);
  if (c.ok())
    lstm_cell_backward(N, H, b[0].p + o[0], s[0], b[1].p + o[1], s[1], b[2].p + o[2], s[2], b[3].p + o[3], s[3],
                       b[4].p + o[4], s[4], b[5].p + o[5], s[5]);
  return;
}

// A pointer `offset` into an optional buffer, or null.
template <typename T>
T* at(const Buffer<T>& b, long offset) {
  return b.p ? b.p + offset : nullptr;
}

// layerNorm(x, w|null, b|null, out, mean, rstd, desc[R, D, xOff, xRs, wOff, bOff, oOff, oRs, meanOff, rstdOff, eps])
void LayerNorm(Call& c) {
  auto x = c.floats(0, "x");
  auto w = c.optional_floats(1, "weight");
  auto b = c.optional_floats(2, "bias");
  auto out = c.floats(3, "out");
  auto mean = c.floats(4, "mean");
  auto rstd = c.floats(5, "rstd");
  Reader r = c.descriptor(6, "desc");
  const long R = r.integer("R", 0, kMaxDim), D = r.integer("D", 0, kMaxDim);
  const long xo = r.integer("offset"), xrs = r.integer("row stride"), wo = r.integer("offset"),
             bo = r.integer("offset");
  const long oo = r.integer("offset"), ors = r.integer("row stride"), mo = r.integer("offset"),
             ro = r.integer("offset");
  const float eps = static_cast<float>(r.real("eps"));
  r.finish();
  c.fits_rows(x, xo, R, xrs, D);
  if (w.p) c.fits_range(w, wo, D);
  if (b.p) c.fits_range(b, bo, D);
  c.fits_rows(out, oo, R, ors, D);
  c.fits_range(mean, mo, R);
  c.fits_range(rstd, ro, R);
  if (c.ok()) layer_norm(R, D, x.p + xo, xrs, at(w, wo), at(b, bo), eps, out.p + oo, ors, mean.p + mo, rstd.p + ro);
  return;
}

// The arguments both normalisation backwards take: (g, x, mean, rstd, w|null, dx, dw|null, db|null, desc).
struct NormGradArgs {
  Buffer<float> g, x, mean, rstd, w, dx, dw, db;
};

NormGradArgs norm_grad_args(Call& c) {
  return {c.floats(0, "g"),
          c.floats(1, "x"),
          c.floats(2, "mean"),
          c.floats(3, "rstd"),
          c.optional_floats(4, "weight"),
          c.floats(5, "dx"),
          c.optional_floats(6, "dWeight"),
          c.optional_floats(7, "dBias")};
}

// layerNormBackward(g, x, mean, rstd, w|null, dx, dw|null, db|null,
//   desc[R, D, gOff, gRs, xOff, xRs, meanOff, rstdOff, wOff, dxOff, dxRs, dwOff, dbOff])
void LayerNormBackward(Call& c) {
  NormGradArgs a = norm_grad_args(c);
  Reader r = c.descriptor(8, "desc");
  const long R = r.integer("R", 0, kMaxDim), D = r.integer("D", 0, kMaxDim);
  long v[11];
  for (long& x : v) x = r.integer("an offset or stride");
  r.finish();
  c.fits_rows(a.g, v[0], R, v[1], D);
  c.fits_rows(a.x, v[2], R, v[3], D);
  c.fits_range(a.mean, v[4], R);
  c.fits_range(a.rstd, v[5], R);
  if (a.w.p) c.fits_range(a.w, v[6], D);
  c.fits_rows(a.dx, v[7], R, v[8], D);
  if (a.dw.p) c.fits_range(a.dw, v[9], D);
  if (a.db.p) c.fits_range(a.db, v[10], D);
  if (c.ok())
    layer_norm_backward(R, D, a.g.p + v[0], v[1], a.x.p + v[2], v[3], a.mean.p + v[4], a.rstd.p + v[5], at(a.w, v[6]),
                        a.dx.p + v[7], v[8], at(a.dw, v[9]), at(a.db, v[10]));
  return;
}

// N × C × S elements, checked against 2^53 before anything is multiplied out.
long plane_count(Call& c, long N, long C, long S) {
  const __int128 n = static_cast<__int128>(N) * C * S;
  c.check(n <= static_cast<__int128>(kMaxDescriptorInt), "N × C × S is too large");
  return c.ok() ? static_cast<long>(n) : 0;
}

// batchNorm(x, w|null, b|null, out, mean, var, rstd, desc[N, C, S, xOff, wOff, bOff, oOff, meanOff, varOff, rstdOff,
// eps]); x and out are contiguous N × C × S.
void BatchNorm(Call& c) {
  auto x = c.floats(0, "x");
  auto w = c.optional_floats(1, "weight");
  auto b = c.optional_floats(2, "bias");
  auto out = c.floats(3, "out");
  auto mean = c.floats(4, "mean");
  auto var = c.floats(5, "var");
  auto rstd = c.floats(6, "rstd");
  Reader r = c.descriptor(7, "desc");
  const long N = r.integer("N", 0, kMaxDim), C = r.integer("C", 0, kMaxDim), S = r.integer("S", 0, kMaxDim);
  long o[7];
  for (long& x : o) x = r.integer("an offset");
  const float eps = static_cast<float>(r.real("eps"));
  r.finish();
  const long n = plane_count(c, N, C, S);
  c.fits_range(x, o[0], n);
  if (w.p) c.fits_range(w, o[1], C);
  if (b.p) c.fits_range(b, o[2], C);
  c.fits_range(out, o[3], n);
  c.fits_range(mean, o[4], C);
  c.fits_range(var, o[5], C);
  c.fits_range(rstd, o[6], C);
  if (c.ok())
    batch_norm(N, C, S, x.p + o[0], at(w, o[1]), at(b, o[2]), eps, out.p + o[3], mean.p + o[4], var.p + o[5],
               rstd.p + o[6]);
  return;
}

// batchNormBackward(g, x, mean, rstd, w|null, dx, dw|null, db|null,
//   desc[N, C, S, gOff, xOff, meanOff, rstdOff, wOff, dxOff, dwOff, dbOff])
void BatchNormBackward(Call& c) {
  NormGradArgs a = norm_grad_args(c);
  Reader r = c.descriptor(8, "desc");
  const long N = r.integer("N", 0, kMaxDim), C = r.integer("C", 0, kMaxDim), S = r.integer("S", 0, kMaxDim);
  long o[8];
  for (long& x : o) x = r.integer("an offset");
  r.finish();
  const long n = plane_count(c, N, C, S);
  c.fits_range(a.g, o[0], n);
  c.fits_range(a.x, o[1], n);
  c.fits_range(a.mean, o[2], C);
  c.fits_range(a.rstd, o[3], C);
  if (a.w.p) c.fits_range(a.w, o[4], C);
  c.fits_range(a.dx, o[5], n);
  if (a.dw.p) c.fits_range(a.dw, o[6], C);
  if (a.db.p) c.fits_range(a.db, o[7], C);
  if (c.ok())
    batch_norm_backward(N, C, S, a.g.p + o[0], a.x.p + o[1], a.mean.p + o[2], a.rstd.p + o[3], at(a.w, o[4]),
                        a.dx.p + o[5], at(a.dw, o[6]), at(a.db, o[7]));
  return;
}

// sgdStep(p, g, buf|null, desc[n, pOff, gOff, bufOff, lr, momentum, dampening, weightDecay, nesterov, firstStep])
void SgdStep(Call& c) {
  auto p = c.floats(0, "param");
  auto g = c.floats(1, "grad");
  auto buf = c.optional_floats(2, "buffer");
  Reader r = c.descriptor(3, "desc");
  const long n = r.integer("n", 0, static_cast<long>(kMaxDescriptorInt));
  const long po = r.integer("offset"), go = r.integer("offset"), bo = r.integer("offset");
  SgdParams o{};
  o.lr = static_cast<float>(r.real("lr"));
  o.momentum = static_cast<float>(r.real("momentum"));
  o.dampening = static_cast<float>(r.real("dampening"));
  o.weight_decay = static_cast<float>(r.real("weightDecay"));
  o.nesterov = r.integer("nesterov", 0, 1) != 0;
  o.first_step = r.integer("firstStep", 0, 1) != 0;
  r.finish();
  c.fits_range(p, po, n);
  c.fits_range(g, go, n);
  if (buf.p) c.fits_range(buf, bo, n);
  if (c.ok()) sgd_step(n, p.p + po, g.p + go, at(buf, bo), o);
  return;
}

// adamStep(p, g, m, v, vmax|null, desc[n, pOff, gOff, mOff, vOff, vmaxOff, lr, beta1, beta2, eps, weightDecay, step,
// decoupled])
void AdamStepFn(Call& c) {
  auto p = c.floats(0, "param");
  auto g = c.floats(1, "grad");
  auto m = c.floats(2, "m");
  auto v = c.floats(3, "v");
  auto vmax = c.optional_floats(4, "vmax");
  Reader r = c.descriptor(5, "desc");
  const long n = r.integer("n", 0, static_cast<long>(kMaxDescriptorInt));
  long o[5];
  for (long& x : o) x = r.integer("an offset");
  AdamParams a{};
  a.lr = static_cast<float>(r.real("lr"));
  a.beta1 = static_cast<float>(r.real("beta1"));
  a.beta2 = static_cast<float>(r.real("beta2"));
  a.eps = static_cast<float>(r.real("eps"));
  a.weight_decay = static_cast<float>(r.real("weightDecay"));
  // A count, used only in beta^step: read as a double so that it is not capped by a 32-bit long.
  a.step = r.real("step");
  c.check(a.step >= 1 && a.step == std::floor(a.step) && a.step <= 9007199254740992.0,
          "desc: step must be an integer in [1, 2^53], got " + std::to_string(a.step));
  a.decoupled = r.integer("decoupled", 0, 1) != 0;
  r.finish();
  c.fits_range(p, o[0], n);
  c.fits_range(g, o[1], n);
  c.fits_range(m, o[2], n);
  c.fits_range(v, o[3], n);
  if (vmax.p) c.fits_range(vmax, o[4], n);
  if (c.ok()) adam_step(n, p.p + o[0], g.p + o[1], m.p + o[2], v.p + o[3], at(vmax, o[4]), a);
  return;
}

}  // namespace

const Binding kBindings[] = {
    {"setNumThreads", 1, 1, SetNumThreads},
    {"forceIsa", 1, 1, ForceIsa},
    {"matmul", 5, 7, Matmul},
    {"compare", 5, 5, Compare},
    {"unary", 6, 6, Unary},
    {"binary", 5, 5, Binary},
    {"copy", 3, 3, Copy},
    {"reduce", 4, 4, Reduce},
    {"softmax", 3, 3, Softmax},
    {"softmaxBackward", 4, 4, SoftmaxBackward},
    {"im2col", 4, 4, Im2col},
    {"col2im", 3, 3, Col2im},
    {"maxPool2d", 5, 5, MaxPool2d},
    {"depthwiseConv2d", 5, 5, DepthwiseConv2d},
    {"conv2d", 6, 6, Conv2d},
    {"conv2dBackward", 7, 7, Conv2dBackward},
    {"gather", 4, 4, Gather},
    {"scatter", 5, 5, Scatter},
    {"argReduce", 4, 4, ArgReduce},
    {"lstmCell", 5, 5, LstmCell},
    {"lstmCellBackward", 7, 7, LstmCellBackward},
    {"layerNorm", 7, 7, LayerNorm},
    {"layerNormBackward", 9, 9, LayerNormBackward},
    {"batchNorm", 8, 8, BatchNorm},
    {"batchNormBackward", 9, 9, BatchNormBackward},
    {"sgdStep", 4, 4, SgdStep},
    {"adamStep", 6, 6, AdamStepFn},
};
const size_t kBindingCount = sizeof kBindings / sizeof kBindings[0];

}  // namespace axon
