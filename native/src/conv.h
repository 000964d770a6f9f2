// Dense 2-D convolution (groups = 1) and its gradients, a few images at a time.
#pragma once

#include "window.h"

namespace axon {

// out[n, o, p] = bias[o] + Σ_k w[o, k] · cols_n[k, p], where cols_n is image n unfolded (zero
// padding) into [C·kh·kw, oh·ow]. x strides: 4 values for [N, C, H, W]; w is contiguous
// [Cout, C·kh·kw]; bias (nullable) contiguous [Cout]; out contiguous [N, Cout, oh, ow].
void conv2d(const float* x, const long* xs, long N, long C, const Window& g, const float* w, long Cout,
            const float* bias, float* out);

// The gradients of conv2d from grad (contiguous [N, Cout, oh, ow]): dx = the columns Wᵀ·grad_n
// folded back into image n (dx contiguous [N, C, H, W]), dw = Σ_n grad_n · cols_nᵀ (dw contiguous
// [Cout, C·kh·kw]); both overwritten, either may be null.
void conv2d_backward(const float* x, const long* xs, long N, long C, const Window& g, const float* w, long Cout,
                     const float* grad, float* dx, float* dw);

}  // namespace axon
