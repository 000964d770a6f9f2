#pragma once

namespace axon {

struct SgdParams {
  float lr, momentum, dampening, weight_decay;
  bool nesterov, first_step;
};
struct AdamParams {
  float lr, beta1, beta2, eps, weight_decay;
  double step;
  bool decoupled;
};

void sgd_step(long n, float* p, const float* g, float* buf, const SgdParams& o);
void adam_step(long n, float* p, const float* g, float* m, float* v, float* vmax, const AdamParams& o);

}  // namespace axon
