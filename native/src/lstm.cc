// Fused LSTM cell, forward and backward, on rows with unit inner stride (see src/backend/js/lstm.ts).
#include "lstm.h"

#include <cmath>

#include <algorithm>
#include <vector>

#include "threadpool.h"
#include "vmath.h"

namespace axon {
namespace {

template <typename F>
void rows(long N, long H, F&& f) {
  const int parts = N * H < (1 << 15) ? 1 : static_cast<int>(std::min<long>(num_threads(), N));
  parallel_for(parts, [&](int t) {
    for (long n = N * t / parts; n < N * (t + 1) / parts; n++) f(n);
  });
}

}  // namespace

void lstm_cell(long N, long H, const float* gates, long gs, const float* c, long cs, float* out, long os, float* act,
               long as) {
  rows(N, H, [&](long n) {
    const float* g0 = gates + n * gs;
    const float* c0 = c + n * cs;
    float* o0 = out + n * os;
    float* a0 = act + n * as;
    // The activations in whole vectorised passes: i, f (σ), g (tanh), o (σ), then tanh(c').
    sigmoid_array(g0, a0, 2 * H);
    tanh_array(g0 + 2 * H, a0 + 2 * H, H);
    sigmoid_array(g0 + 3 * H, a0 + 3 * H, H);
    for (long j = 0; j < H; j++) o0[H + j] = a0[H + j] * c0[j] + a0[j] * a0[2 * H + j];
    tanh_array(o0 + H, o0, H);
    for (long j = 0; j < H; j++) o0[j] *= a0[3 * H + j];
  });
}

// The cell: i = σ(aᵢ), f = σ(a_f), g = tanh(a_g), o = σ(a_o) from the gate pre-activations a;
// c' = f·c + i·g; h = o·tanh(c'). Given dh and dc' (the two halves of dOut), with t = tanh(c'):
//   dc' += dh·o·(1 − t²)            (h depends on c' through tanh)
//   daᵢ = dc'·g·i(1 − i)            (σ' = σ(1 − σ))
//   da_f = dc'·c·f(1 − f)
//   da_g = dc'·i·(1 − g²)           (tanh' = 1 − tanh²)
//   da_o = dh·t·o(1 − o)
//   dc  = dc'·f                     (the gradient flowing to the previous cell state)
void lstm_cell_backward(long N, long H, const float* dout, long ds, const float* act, long as, const float* c, long cs,
                        const float* out, long os, float* dgates, long gs, float* dc_prev, long es) {
  rows(N, H, [&](long n) {
    const float* d0 = dout + n * ds;
    const float* a0 = act + n * as;
    const float* c0 = c + n * cs;
    const float* o0 = out + n * os;
    float* g0 = dgates + n * gs;
    float* e0 = dc_prev + n * es;
    // tanh(c') for the row, vectorised, in a thread's buffer.
    static thread_local std::vector<float> t;
    t.resize(static_cast<size_t>(H));
    tanh_array(o0 + H, t.data(), H);
    for (long j = 0; j < H; j++) {
      const float i = a0[j], f = a0[H + j], g = a0[2 * H + j], o = a0[3 * H + j];
      const float tc = t[j];
      const float dh = d0[j];
      const float dc = d0[H + j] + dh * o * (1 - tc * tc);
      g0[j] = dc * g * i * (1 - i);
      g0[H + j] = dc * c0[j] * f * (1 - f);
      g0[2 * H + j] = dc * i * (1 - g * g);
      g0[3 * H + j] = dh * tc * o * (1 - o);
      e0[j] = dc * f;
    }
  });
}

}  // namespace axon
