// Fused optimizer steps on contiguous float32 parameters (the rules of src/optim/*.ts).
#include "optim.h"

#include <algorithm>
#include <cmath>

#include "threadpool.h"

namespace axon {
namespace {

template <typename F>
void chunks(long n, F&& f) {
  const int parts = n < (1 << 17) ? 1 : num_threads();
  parallel_for(parts, [&](int t) { f(n * t / parts, n * (t + 1) / parts); });
}

}  // namespace

// The hyper-parameters are copied into locals inside each chunk: read through `o` they could alias
// the float arrays being written, so the compiler would reload them every element and not vectorise.
void sgd_step(long n, float* p, const float* g, float* buf, const SgdParams& o) {
  const SgdParams c = o;
  chunks(n, [c, p, g, buf](long i0, long i1) {
    const float lr = c.lr, wd = c.weight_decay, mom = c.momentum, keep = 1 - c.dampening;
    if (!buf || mom == 0) {
      for (long i = i0; i < i1; i++) p[i] -= lr * (wd != 0 ? g[i] + wd * p[i] : g[i]);
      return;
    }
    const bool first = c.first_step, nesterov = c.nesterov;
    for (long i = i0; i < i1; i++) {
      const float d = wd != 0 ? g[i] + wd * p[i] : g[i];  // (0 · an infinite weight would be NaN)
      const float m = first ? d : mom * buf[i] + keep * d;
      buf[i] = m;
      p[i] -= lr * (nesterov ? d + mom * m : m);
    }
  });
}

void adam_step(long n, float* p, const float* g, float* m, float* v, float* vmax, const AdamParams& o) {
  const AdamParams c = o;
  const float c1 = 1 - std::pow(c.beta1, static_cast<float>(c.step));
  const float c2 = std::sqrt(1 - std::pow(c.beta2, static_cast<float>(c.step)));
  chunks(n, [c, c1, c2, p, g, m, v, vmax](long i0, long i1) {
    const float step_size = c.lr / c1, b1 = c.beta1, b2 = c.beta2, eps = c.eps;
    // decoupled (AdamW) shrinks the weight; otherwise the decay joins the gradient
    const float shrink = c.decoupled ? 1 - c.lr * c.weight_decay : 1, wd = c.decoupled ? 0 : c.weight_decay;
    for (long i = i0; i < i1; i++) {
      const float gi = wd != 0 ? g[i] + wd * p[i] : g[i];
      const float mi = b1 * m[i] + (1 - b1) * gi;
      const float vi = b2 * v[i] + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      float second = vi;
      if (vmax) {
        second = std::max(vmax[i], vi);
        vmax[i] = second;
      }
      p[i] = p[i] * shrink - step_size * (mi / (std::sqrt(second) / c2 + eps));
    }
  });
}

}  // namespace axon
