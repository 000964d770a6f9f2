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

void sgd_step(long n, float* p, const float* g, float* buf, const SgdParams& o) {
  chunks(n, [&](long i0, long i1) {
    for (long i = i0; i < i1; i++) {
      float d = g[i];
      if (o.weight_decay != 0) d += o.weight_decay * p[i];
      if (buf && o.momentum != 0) {
        const float m = o.first_step ? d : o.momentum * buf[i] + (1 - o.dampening) * d;
        buf[i] = m;
        d = o.nesterov ? d + o.momentum * m : m;
      }
      p[i] -= o.lr * d;
    }
  });
}

void adam_step(long n, float* p, const float* g, float* m, float* v, float* vmax, const AdamParams& o) {
  const float c1 = 1 - std::pow(o.beta1, static_cast<float>(o.step));
  const float c2 = std::sqrt(1 - std::pow(o.beta2, static_cast<float>(o.step)));
  const float step_size = o.lr / c1;
  chunks(n, [&](long i0, long i1) {
    for (long i = i0; i < i1; i++) {
      float gi = g[i];
      if (o.weight_decay != 0) {
        if (o.decoupled)
          p[i] *= 1 - o.lr * o.weight_decay;
        else
          gi += o.weight_decay * p[i];
      }
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * gi;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi;
      float second = v[i];
      if (vmax) {
        vmax[i] = std::max(vmax[i], second);
        second = vmax[i];
      }
      p[i] -= step_size * (m[i] / (std::sqrt(second) / c2 + o.eps));
    }
  });
}

}  // namespace axon
