// A direct convolution for images of one channel (a grayscale network's first layer), where the
// GEMM of conv.cc would have a depth of only kh·kw.
#pragma once

#include "window.h"

namespace axon {

// conv2d's contract (conv.h) for C = 1, stride 1, no dilation, unit column stride and a 3×3 or 5×5
// kernel, on CPUs with AVX-512; false (nothing written) otherwise. The first layer of the
// Fashion-MNIST CNN (1 → 32 channels, 3×3) took 19 µs an image as a GEMM of depth 9.
bool conv2d_single_channel(const float* x, const long* xs, long N, long C, const Window& g, const float* w, long Cout,
                           const float* bias, float* out);

}  // namespace axon
