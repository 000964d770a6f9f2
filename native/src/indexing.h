// Gather, scatter and arg-reductions on float32 data with int32 indices (strided views).
#pragma once
#include <vector>

namespace axon {

struct IndexView {
  const int* p;
  long offset;
  std::vector<long> strides;
};

// out[.., i, ..] = x[.., index[.., i, ..], ..] along axis over index's shape. The caller (the op
// layer) has checked that every index is in range.
void gather(const std::vector<long>& shape, const float* x, long x_off, const std::vector<long>& x_strides,
            long axis_len, long axis_stride, IndexView index, float* out, long out_off,
            const std::vector<long>& out_strides);

// out[.., index[.., i, ..], ..] (= or +=) src[.., i, ..] over index's shape.
void scatter(bool add, const std::vector<long>& shape, float* out, long out_off, const std::vector<long>& out_strides,
             long axis_stride, IndexView index, const float* src, long src_off, const std::vector<long>& src_strides);

// Index of the first max (or min) along an axis; NaN wins, as in PyTorch.
void arg_reduce(bool is_max, const std::vector<long>& outer_shape, const float* x, long x_off,
                const std::vector<long>& x_strides, long len, long step, int* out, long out_off,
                const std::vector<long>& out_strides);

}  // namespace axon
