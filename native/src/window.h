// im2col and its adjoint col2im for [N, C, H, W] images (convolution and pooling go through these).
#pragma once

namespace axon {

struct Window {
  long kh, kw, sh, sw, ph, pw, dh, dw, H, W, oh, ow;
};

// x strides: 4 values for [N, C, H, W]; cols strides: 6 values for [N, C, kh, kw, oh, ow].
void im2col(const float* x, const long* xs, long N, long C, const Window& g, float pad, float* cols, const long* cs);
void col2im(const float* cols, const long* cs, long N, long C, const Window& g, float* x, const long* xs);

// Max over each window with the flat index (row·W + col) of the first maximum; NaN wins.
void max_pool2d(const float* x, const long* xs, long N, long C, const Window& g, float* out, const long* os, int* idx,
                const long* is);

// Depthwise convolution (zero padding): out[n, o] = Σ_ij w[o, i, j] · x[n, o / m, row_i, col_j] with
// m = Cout / C output channels per input channel; w strides: 3 values for [Cout, kh, kw].
void depthwise_conv2d(const float* x, const long* xs, long N, long C, const Window& g, const float* w, const long* ws,
                      long Cout, float* out, const long* os);

}  // namespace axon
