#pragma once

namespace axon {

// Batch norm with batch statistics over x [N, C, S] (contiguous): per channel mean, biased
// variance and rstd [C]; out = (x - mean)·rstd·w + b (w, b may be null).
void batch_norm(long N, long C, long S, const float* x, const float* w, const float* b, float eps, float* out,
                float* mean, float* var, float* rstd);
// dx [N, C, S]; dw and db [C] (may be null).
void batch_norm_backward(long N, long C, long S, const float* g, const float* x, const float* mean, const float* rstd,
                         const float* w, float* dx, float* dw, float* db);

}  // namespace axon
