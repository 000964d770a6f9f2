// Walks a shape over several strided operands, handing each innermost row to a callback, after
// merging dims that are contiguous in every operand (the C++ twin of src/backend/js/strided.ts).
#pragma once
#include <array>
#include <vector>

namespace axon {

template <int N, typename F>
void for_each_row(const std::vector<long>& shape, const std::array<const long*, N>& strides, std::array<long, N> offs, F&& row) {
  std::vector<long> dims;
  std::array<std::vector<long>, N> st;
  for (size_t d = 0; d < shape.size(); d++) {
    long size = shape[d];
    if (size == 0) return;
    if (size == 1) continue;
    bool merge = !dims.empty();
    for (int j = 0; j < N && merge; j++) merge = st[j].back() == strides[j][d] * size;
    if (merge) {
      dims.back() *= size;
      for (int j = 0; j < N; j++) st[j].back() = strides[j][d];
    } else {
      dims.push_back(size);
      for (int j = 0; j < N; j++) st[j].push_back(strides[j][d]);
    }
  }
  const int rank = static_cast<int>(dims.size());
  std::array<long, N> inner{};
  if (rank == 0) { row(offs, 1L, inner); return; }
  for (int j = 0; j < N; j++) inner[j] = st[j][rank - 1];
  const long n = dims[rank - 1];
  std::vector<long> counter(rank, 0);
  std::array<long, N> base = offs;
  for (;;) {
    row(base, n, inner);
    int d = rank - 2;
    for (; d >= 0; d--) {
      counter[d]++;
      for (int j = 0; j < N; j++) base[j] += st[j][d];
      if (counter[d] < dims[d]) break;
      for (int j = 0; j < N; j++) base[j] -= st[j][d] * dims[d];
      counter[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace axon
