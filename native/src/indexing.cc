#include "indexing.h"

#include <array>

#include "strided.h"

namespace axon {

void gather(const std::vector<long>& shape, const float* x, long x_off, const std::vector<long>& x_strides,
            long /*axis_len*/, long axis_stride, IndexView index, float* out, long out_off,
            const std::vector<long>& out_strides) {
  // x_strides has 0 on the axis: the index supplies that coordinate.
  for_each_row<3>(shape, {index.strides.data(), x_strides.data(), out_strides.data()}, {index.offset, x_off, out_off},
                  [&](std::array<long, 3> o, long n, std::array<long, 3> s) {
                    const int* ip = index.p + o[0];
                    const float* xp = x + o[1];
                    float* op = out + o[2];
                    for (long i = 0; i < n; i++)
                      op[i * s[2]] = xp[i * s[1] + static_cast<long>(ip[i * s[0]]) * axis_stride];
                  });
}

void scatter(bool add, const std::vector<long>& shape, float* out, long out_off, const std::vector<long>& out_strides,
             long axis_stride, IndexView index, const float* src, long src_off, const std::vector<long>& src_strides) {
  for_each_row<3>(shape, {index.strides.data(), src_strides.data(), out_strides.data()},
                  {index.offset, src_off, out_off}, [&](std::array<long, 3> o, long n, std::array<long, 3> s) {
                    const int* ip = index.p + o[0];
                    const float* sp = src + o[1];
                    float* op = out + o[2];
                    if (add)
                      for (long i = 0; i < n; i++)
                        op[i * s[2] + static_cast<long>(ip[i * s[0]]) * axis_stride] += sp[i * s[1]];
                    else
                      for (long i = 0; i < n; i++)
                        op[i * s[2] + static_cast<long>(ip[i * s[0]]) * axis_stride] = sp[i * s[1]];
                  });
}

void arg_reduce(bool is_max, const std::vector<long>& outer_shape, const float* x, long x_off,
                const std::vector<long>& x_strides, long len, long step, int* out, long out_off,
                const std::vector<long>& out_strides) {
  parallel_rows<2>(outer_shape, {x_strides.data(), out_strides.data()}, {x_off, out_off},
                   [&](std::array<long, 2> o, long n, std::array<long, 2> s) {
                     for (long t = 0; t < n; t++) {
                       const float* xp = x + o[0] + t * s[0];
                       float best = xp[0];
                       int best_i = 0;
                       for (long j = 1; j < len && best == best; j++) {
                         const float v = xp[j * step];
                         if ((is_max ? v > best : v < best) || v != v) {
                           best = v;
                           best_i = static_cast<int>(j);
                         }
                       }
                       out[o[1] + t * s[1]] = best_i;
                     }
                   });
}

}  // namespace axon
