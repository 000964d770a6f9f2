// Walks a shape over several strided operands, handing each innermost row to a callback, after
// merging dims that are contiguous in every operand (the C++ twin of src/backend/js/strided.ts).
// parallel_rows does the same on the thread pool, splitting the outermost merged dim (or the only
// row) between threads when the work is large enough to pay for waking them.
#pragma once
#include <algorithm>
#include <array>
#include <vector>

#include "threadpool.h"

namespace axon {

template <int N>
struct Collapsed {
  std::vector<long> dims;
  std::array<std::vector<long>, N> st;
  bool empty = false;
};

template <int N>
Collapsed<N> collapse(const std::vector<long>& shape, const std::array<const long*, N>& strides) {
  Collapsed<N> c;
  for (size_t d = 0; d < shape.size(); d++) {
    long size = shape[d];
    if (size == 0) {
      c.empty = true;
      return c;
    }
    if (size == 1) continue;
    bool merge = !c.dims.empty();
    for (int j = 0; j < N && merge; j++) merge = c.st[j].back() == strides[j][d] * size;
    if (merge) {
      c.dims.back() *= size;
      for (int j = 0; j < N; j++) c.st[j].back() = strides[j][d];
    } else {
      c.dims.push_back(size);
      for (int j = 0; j < N; j++) c.st[j].push_back(strides[j][d]);
    }
  }
  return c;
}

// Rows [o0, o1) of the outermost merged dim (the whole shape when rank ≤ 1 and o0..o1 split the row).
template <int N, typename F>
void walk(const Collapsed<N>& c, std::array<long, N> offs, long o0, long o1, F&& row) {
  const int rank = static_cast<int>(c.dims.size());
  std::array<long, N> inner{};
  if (rank == 0) {
    row(offs, 1L, inner);
    return;
  }
  for (int j = 0; j < N; j++) inner[j] = c.st[j][rank - 1];
  if (rank == 1) {
    for (int j = 0; j < N; j++) offs[j] += o0 * inner[j];
    row(offs, o1 - o0, inner);
    return;
  }
  const long n = c.dims[rank - 1];
  std::vector<long> counter(rank - 1, 0);
  counter[0] = o0;
  std::array<long, N> base = offs;
  for (int j = 0; j < N; j++) base[j] += o0 * c.st[j][0];
  for (;;) {
    row(base, n, inner);
    int d = rank - 2;
    for (; d >= 0; d--) {
      counter[d]++;
      for (int j = 0; j < N; j++) base[j] += c.st[j][d];
      if (counter[d] < (d == 0 ? o1 : c.dims[d])) break;
      if (d == 0) return;
      for (int j = 0; j < N; j++) base[j] -= c.st[j][d] * c.dims[d];
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

template <int N, typename F>
void for_each_row(const std::vector<long>& shape, const std::array<const long*, N>& strides, std::array<long, N> offs,
                  F&& row) {
  Collapsed<N> c = collapse<N>(shape, strides);
  if (c.empty) return;
  walk<N>(c, offs, 0, c.dims.empty() ? 1 : c.dims[0], row);
}

// Elements below which one thread does the whole job.
constexpr long kParallelElements = 1 << 17;

template <int N, typename F>
void parallel_rows(const std::vector<long>& shape, const std::array<const long*, N>& strides, std::array<long, N> offs,
                   F&& row) {
  Collapsed<N> c = collapse<N>(shape, strides);
  if (c.empty) return;
  long total = 1;
  for (long d : c.dims) total *= d;
  const long outer = c.dims.empty() ? 1 : c.dims[0];
  const int parts = total < kParallelElements ? 1 : static_cast<int>(std::min<long>(num_threads(), outer));
  if (parts <= 1) {
    walk<N>(c, offs, 0, outer, row);
    return;
  }
  parallel_for(parts, [&](int t) { walk<N>(c, offs, outer * t / parts, outer * (t + 1) / parts, row); });
}

}  // namespace axon
