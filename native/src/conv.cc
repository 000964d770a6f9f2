#include "conv.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "conv_columns.h"
#include "conv_direct.h"
#include "gemm.h"
#include "threadpool.h"

namespace axon {

// Convolution as GEMMs over tiles of the batch: unfolding one tile keeps its columns in cache where
// the whole batch's [K, N·P] matrix would be written to memory and read back (150 MB for the first
// stage of a ResNet-18 at batch 64), and each tile's product lands straight in its place in the
// output. A tile is a band of output rows of one image, sized so that its columns (and in the
// backward pass the GEMM's output) stay in L2; deep layers with few positions (4×4 at the end of a
// ResNet) instead put several images side by side, so that the GEMM is not mostly tile edges.
namespace {

constexpr long kMinColumns = 256;         // GEMM columns per tile, at least (when the batch has them)
constexpr long kTileFloats = 160 * 1024;  // one tile's unfolded columns, at most (640 KB) past that minimum

// Images [n0, n0 + G) and their output rows [y0, y0 + rows) (all rows when G > 1).
struct Tile {
  long n0, G, y0, rows;
};

struct Tiling {
  long group, groups, rows, bands;  // images per group, groups; rows per band, bands per group
  long tiles() const { return groups * bands; }
  Tile tile(long i, long N, long oh) const {
    const long q = i / bands, b = i % bands;
    const long n0 = q * group, y0 = b * rows;
    return {n0, std::min(group, N - n0), y0, std::min(rows, oh - y0)};
  }
};

// Columns packed straight from the image (packed) are never stored whole, so whole images.
Tiling tiling(long N, long K, const Window& g, bool packed) {
  const long P = g.oh * g.ow;
  const long G = std::max(1L, std::min(N, (kMinColumns + P - 1) / P));
  if (G > 1 || packed) return {G, (N + G - 1) / G, g.oh, 1};
  const long fit = kTileFloats / std::max(1L, K * g.ow);
  const long rows = std::min(g.oh, std::max({1L, fit, (kMinColumns + g.ow - 1) / g.ow}));
  return {1, N, rows, (g.oh + rows - 1) / rows};
}

// The windows of output rows [y0, y0 + rows): the same geometry, started y0 rows down (the
// kernels bound every input row, so a padding that goes negative is only an offset).
Window band(const Window& g, long y0, long rows) {
  Window b = g;
  b.oh = rows;
  b.ph = g.ph - y0 * g.sh;
  return b;
}

// Column strides of a tile's [K, G·rows·ow] matrix: image i's columns start at i·rows·ow.
void tile_strides(const Window& b, long G, long* cs) {
  const long P = b.oh * b.ow, GP = G * P;
  const long s[6] = {P, b.kh * b.kw * GP, b.kw * GP, GP, b.ow, 1};
  std::copy(s, s + 6, cs);
}

// Runs fn(tile index, slot) over every tile, whole images per thread when there are enough of them
// (slot = the thread; the nested im2col and GEMMs then run inline), else in order with every
// thread inside each GEMM (slot -1). An image's bands never go to two threads, so the backward
// pass's additions into one image's gradient never race.
template <typename Fn>
void for_tiles(const Tiling& t, Fn fn) {
  const int threads = num_threads();
  if (threads > 1 && t.groups >= 2 * threads) {
    parallel_for(threads, [&](int th) {
      for (long q = t.groups * th / threads; q < t.groups * (th + 1) / threads; q++)
        for (long b = 0; b < t.bands; b++) fn(q * t.bands + b, th);
    });
  } else {
    for (long i = 0; i < t.tiles(); i++) fn(i, -1);
  }
}

// A thread's reusable buffers: 0 unfolded columns, 1 a group's product, 2 a group's gradient.
std::vector<float>& scratch(int which, long floats) {
  static thread_local std::vector<float> bufs[3];
  bufs[which].resize(static_cast<size_t>(floats));
  return bufs[which];
}

// The tile's columns unfolded into a thread's scratch buffer: [K, cols_n], image i's from i·rows·ow.
const float* unfold(const float* xt, const long* xs, const Tile& tl, long C, const Window& g) {
  const Window b = band(g, tl.y0, tl.rows);
  long cs[6];
  tile_strides(b, tl.G, cs);
  float* cols = scratch(0, C * g.kh * g.kw * tl.G * tl.rows * g.ow).data();
  im2col(xt, xs, tl.G, C, b, 0.f, cols, cs);
  return cols;
}

// Whether a product with this many output channels packs its columns straight from the image:
// where the vector packing exists, and not for GEMMs with a few rows, which read an unfolded B in
// place rather than pack it (gemm.cc's small_m).
bool packs_columns(long Cout) { return ConvColumns::vectorised() && Cout > 8; }

}  // namespace

void conv2d(const float* x, const long* xs, long N, long C, const Window& g, const float* w, long Cout,
            const float* bias, float* out) {
  const long P = g.oh * g.ow, K = C * g.kh * g.kw;
  if (N == 0 || P == 0 || Cout == 0) return;
  if (conv2d_single_channel(x, xs, N, C, g, w, Cout, bias, out)) return;
  const bool packed = packs_columns(Cout);
  const Tiling t = tiling(N, K, g, packed);
  // The weights are packed once for all tiles.
  const std::unique_ptr<PackedA> wp(packed ? new PackedA(static_cast<int>(Cout), static_cast<int>(K), {w, K, 1})
                                           : nullptr);
  for_tiles(t, [&](long i, int) {
    const Tile tl = t.tile(i, N, g.oh);
    const long cols_n = tl.G * tl.rows * g.ow;
    const float* xt = x + tl.n0 * xs[0];
    // The GEMM: out_tile (=|+=) w · cols, cols packed from the image or unfolded first.
    auto product = [&](Mat o, bool acc) {
      if (packed) {
        const ConvColumns cols(xt, xs, tl.G, C, g, tl.y0, tl.rows);
        sgemm(static_cast<int>(cols_n), *wp, cols.columns(), o, acc);
        return;
      }
      sgemm(static_cast<int>(Cout), static_cast<int>(cols_n), static_cast<int>(K), {w, K, 1},
            {unfold(xt, xs, tl, C, g), cols_n, 1}, o, acc);
    };
    if (tl.G == 1) {
      // Straight into the band's place in the output (rows P apart), onto its bias.
      float* o = out + tl.n0 * Cout * P + tl.y0 * g.ow;
      for (long c = 0; c < Cout; c++) std::fill(o + c * P, o + c * P + cols_n, bias ? bias[c] : 0.f);
      product({o, P, 1}, true);
      return;
    }
    // [Cout, G·P]: image j's block starts j·P columns in.
    float* prod = scratch(1, Cout * cols_n).data();
    product({prod, cols_n, 1}, false);
    for (long j = 0; j < tl.G; j++)
      for (long c = 0; c < Cout; c++) {
        const float* src = prod + c * cols_n + j * P;
        float* dst = out + ((tl.n0 + j) * Cout + c) * P;
        const float bc = bias ? bias[c] : 0.f;
        for (long p = 0; p < P; p++) dst[p] = src[p] + bc;
      }
  });
}

namespace {

// With stride 1 the input gradient is itself a convolution: of the output gradient with the
// kernels flipped and their channel roles swapped, padded by dilation·(k − 1) − padding. The
// forward kernel runs that faster than Wᵀ·grad folded back (its GEMM's inner dimension is the
// input channels, 576 for a 3×3 layer of 64, where Wᵀ·grad's is the 64 output channels) when the
// input has enough channels to fill the GEMM's rows: measured, a 3×3 layer of 64 channels on 32×32
// 75 → 50 ms, but LeNet's 6 → 16 channels 1.8 → 2.8 ms. False when not taken (few input channels,
// a stride, a padding past the kernel's reach).
bool input_gradient_as_convolution(long N, long C, const Window& g, const float* w, long Cout, const float* grad,
                                   float* dx) {
  const long ph = g.dh * (g.kh - 1) - g.ph, pw = g.dw * (g.kw - 1) - g.pw;
  if (C < 32 || g.sh != 1 || g.sw != 1 || ph < 0 || pw < 0) return false;
  const long taps = g.kh * g.kw;
  std::vector<float> flipped(static_cast<size_t>(C * Cout * taps));
  for (long o = 0; o < Cout; o++)
    for (long c = 0; c < C; c++)
      for (long t = 0; t < taps; t++) flipped[(c * Cout + o) * taps + (taps - 1 - t)] = w[(o * C + c) * taps + t];
  const Window back{g.kh, g.kw, 1, 1, ph, pw, g.dh, g.dw, g.oh, g.ow, g.H, g.W};
  const long gs[4] = {Cout * g.oh * g.ow, g.oh * g.ow, g.ow, 1};
  conv2d(grad, gs, N, Cout, back, flipped.data(), C, nullptr, dx);
  return true;
}

}  // namespace

namespace {

// The tile's output gradient as [Cout, cols_n]: a band of one image is a block of grad with rows P
// apart; several images are gathered side by side.
ConstMat tile_gradient(const float* grad, const Tile& tl, long Cout, const Window& g) {
  const long P = g.oh * g.ow, cols_n = tl.G * tl.rows * g.ow;
  if (tl.G == 1) return {grad + tl.n0 * Cout * P + tl.y0 * g.ow, P, 1};
  float* gather = scratch(2, Cout * cols_n).data();
  for (long j = 0; j < tl.G; j++)
    for (long c = 0; c < Cout; c++)
      std::memcpy(gather + c * cols_n + j * P, grad + ((tl.n0 + j) * Cout + c) * P, P * sizeof(float));
  return {gather, cols_n, 1};
}

// dw = Σ gg · colsᵀ over the tiles: [Cout, cols_n] × [cols_n, K] each.
void weight_gradient(const float* x, const long* xs, long N, long C, const Window& g, long Cout, const float* grad,
                     float* dw) {
  const long K = C * g.kh * g.kw;
  const bool packed = packs_columns(Cout);
  const Tiling t = tiling(N, K, g, packed);
  const int threads = num_threads();
  // Threads that take whole images sum their weight gradients apart; the sums are added at the end.
  const bool per_thread = threads > 1 && t.groups >= 2 * threads;
  std::vector<std::vector<float>> partial(per_thread ? threads - 1 : 0);
  for (auto& p : partial) p.assign(static_cast<size_t>(Cout * K), 0.f);
  for_tiles(t, [&](long i, int slot) {
    const Tile tl = t.tile(i, N, g.oh);
    const long cols_n = tl.G * tl.rows * g.ow;
    const ConstMat gg = tile_gradient(grad, tl, Cout, g);
    const float* xt = x + tl.n0 * xs[0];
    const Mat target{slot > 0 ? partial[slot - 1].data() : dw, K, 1};
    const int M = static_cast<int>(Cout), Nn = static_cast<int>(K), Kk = static_cast<int>(cols_n);
    if (packed) {
      sgemm(M, Nn, Kk, gg, ConvColumns(xt, xs, tl.G, C, g, tl.y0, tl.rows).transposed(), target, true);
      return;
    }
    sgemm(M, Nn, Kk, gg, {unfold(xt, xs, tl, C, g), 1, cols_n}, target, true);
  });
  for (const auto& p : partial)
    for (long i = 0; i < Cout * K; i++) dw[i] += p[i];
}

// dx = the columns Wᵀ · gg ([K, Cout] × [Cout, cols_n]) of each tile folded back into its images
// (col2im adds), in bands whose columns stay in cache.
void input_gradient(long N, long C, const Window& g, const float* w, long Cout, const float* grad, float* dx) {
  const long K = C * g.kh * g.kw;
  const Tiling t = tiling(N, K, g, false);
  const long ds[4] = {C * g.H * g.W, g.H * g.W, g.W, 1};
  for_tiles(t, [&](long i, int) {
    const Tile tl = t.tile(i, N, g.oh);
    const Window b = band(g, tl.y0, tl.rows);
    const long cols_n = tl.G * tl.rows * g.ow;
    long cs[6];
    tile_strides(b, tl.G, cs);
    float* cols = scratch(0, K * cols_n).data();
    sgemm(static_cast<int>(K), static_cast<int>(cols_n), static_cast<int>(Cout), {w, 1, K},
          tile_gradient(grad, tl, Cout, g), {cols, cols_n, 1}, false);
    col2im(cols, cs, tl.G, C, b, dx + tl.n0 * ds[0], ds);
  });
}

}  // namespace

void conv2d_backward(const float* x, const long* xs, long N, long C, const Window& g, const float* w, long Cout,
                     const float* grad, float* dx, float* dw) {
  const long P = g.oh * g.ow, K = C * g.kh * g.kw;
  if (dw) std::fill(dw, dw + Cout * K, 0.f);
  if (dx) std::fill(dx, dx + N * C * g.H * g.W, 0.f);
  if (N == 0 || P == 0 || Cout == 0) return;
  if (dw) weight_gradient(x, xs, N, C, g, Cout, grad, dw);
  if (dx && !input_gradient_as_convolution(N, C, g, w, Cout, grad, dx)) input_gradient(N, C, g, w, Cout, grad, dx);
}

}  // namespace axon
