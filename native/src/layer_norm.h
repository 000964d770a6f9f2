#pragma once

namespace axon {

// Rows of x [R, D] (row stride xs); w, b may be null; mean and rstd are written per row.
void layer_norm(long R, long D, const float* x, long xs, const float* w, const float* b, float eps, float* out, long os,
                float* mean, float* rstd);
// dx [R, D]; dw and db (may be null) are summed over rows.
void layer_norm_backward(long R, long D, const float* g, long gs, const float* x, long xs, const float* mean,
                         const float* rstd, const float* w, float* dx, long ds, float* dw, float* db);

}  // namespace axon
