// A convolution's unfolded image (im2col's columns) as a GEMM operand packed straight from the
// image: its values are never stored as a matrix, only in the GEMM's packed slivers.
#pragma once

#include <cstdint>
#include <vector>

#include "gemm.h"
#include "window.h"

namespace axon {

// The columns of G images' output rows [y0, y0 + rows): column j is output position (image
// j / (rows·ow), row y0 + …, col …) and row k is input tap (channel, ky, kx), so that
// cols[k][j] = x[image, c, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw], zero outside the image.
class ConvColumns {
 public:
  // x: the first of the G images; xs: its 4 strides; g: the layer's whole geometry.
  ConvColumns(const float* x, const long* xs, long G, long C, const Window& g, long y0, long rows);
  // Whether this CPU has the vector packing (AVX-512). Elsewhere (WebAssembly, older x86) im2col's
  // unfolded matrix and the GEMM's own packing are faster than the portable one-value-at-a-time path.
  static bool vectorised();
  long taps() const { return K_; }
  long positions() const { return P_; }
  // cols as B[K, positions] (the forward product W · cols).
  const PackedB& columns() const { return columns_; }
  // colsᵀ as B[positions, K] (the weight gradient grad · colsᵀ).
  const PackedB& transposed() const { return transposed_; }

 private:
  class View final : public PackedB {
   public:
    View(const ConvColumns* c, bool t) : c_(c), transposed_(t) {}
    void pack(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const override;

   private:
    const ConvColumns* c_;
    bool transposed_;
  };

  const float* x_;
  long K_;
  int window_;  // taps per channel (kh·kw): the tap tables repeat their rows and columns with this period
  long P_, H_, W_;
  bool wide_;  // an offset does not fit 32 bits: the scalar path with 64-bit offsets
  // Per position: the offset of its window's corner (which may lie in the padding) and its row and
  // column; per tap: its offset from the corner and its row and column within the window. Padded
  // to a multiple of 16 with entries whose row is out of range.
  std::vector<int64_t> base_, tap_off_;
  std::vector<int32_t> base32_, iy_, ix_, tap32_, ky_, kx_;
  View columns_, transposed_;

  float at(long position, long tap) const;
  void pack_portable(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst, bool transposed) const;
  void pack_columns(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const;
  void pack_transposed(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const;
  void pack_columns_avx512(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const;
  void pack_transposed_avx512(int pc, int kc, int jc, int nc, int j0, int j1, int NR, float* dst) const;
};

}  // namespace axon
