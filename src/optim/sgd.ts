import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { keep } from '../tensor/scope.js';
import { getBackend as backend } from '../backend/index.js';
import { Optimizer, bump, fusable, type ParamGroup, type ParamState } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

/** Stochastic gradient descent with momentum, Nesterov momentum, dampening and weight decay (PyTorch's formulas). */
export class SGD extends Optimizer<SGDOptions> {
  constructor(
    params: ConstructorParameters<typeof Optimizer<SGDOptions>>[0],
    options: Partial<SGDOptions> & { lr: number },
  ) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...options });
  }

  protected override validate(g: SGDOptions): void {
    super.validate(g);
    if (g.momentum < 0) throw new ValueError(`SGD: invalid momentum ${g.momentum}`);
    if (g.weightDecay < 0) throw new ValueError(`SGD: invalid weightDecay ${g.weightDecay}`);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0))
      throw new ValueError('SGD: Nesterov momentum requires a momentum and zero dampening');
  }

  protected update(p: Tensor, grad: Tensor, s: ParamState, g: ParamGroup<SGDOptions>): void {
    const kernel = backend().sgdStep;
    if (kernel && fusable(p, grad)) {
      let buf = s['momentum_buffer'] as Tensor | undefined;
      const firstStep = buf === undefined;
      if (g.momentum !== 0 && !buf) {
        buf = p.zerosLike();
        s['momentum_buffer'] = buf;
      }
      kernel.call(backend(), p, grad, g.momentum !== 0 ? buf! : null, { ...g, firstStep });
      bump(p, buf);
      return;
    }
    let d = g.weightDecay !== 0 ? grad.add(p.mul(g.weightDecay)) : grad;
    if (g.momentum !== 0) {
      let buf = s['momentum_buffer'] as Tensor | undefined;
      if (!buf) {
        buf = keep(d.clone()); // state outlives the step, and any ax.tidy around it
        s['momentum_buffer'] = buf;
      } else {
        buf.mul_(g.momentum).add_(d, { alpha: 1 - g.dampening });
      }
      d = g.nesterov ? d.add(buf.mul(g.momentum)) : buf;
    }
    p.add_(d, { alpha: -g.lr });
  }
}
