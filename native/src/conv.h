// Dense 2-D convolution (groups = 1) straight into [N, Cout, oh, ow], one image at a time.
#pragma once

#include "window.h"

namespace axon {

// out[n, o, p] = bias[o] + Σ_k w[o, k] · cols_n[k, p], where cols_n is image n unfolded (zero
// padding) into [C·kh·kw, oh·ow]. x strides: 4 values for [N, C, H, W]; w is contiguous
// [Cout, C·kh·kw]; bias (nullable) contiguous [Cout]; out contiguous [N, Cout, oh, ow].
void conv2d(const float* x, const long* xs, long N, long C, const Window& g, const float* w, long Cout,
            const float* bias, float* out);

}  // namespace axon
