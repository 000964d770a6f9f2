import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { getBackend as backend } from '../backend/index.js';
import { Optimizer, buffer, bump, fusable, type ParamGroup, type ParamState } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}

type Params = ConstructorParameters<typeof Optimizer<AdamOptions>>[0];

/** The checks every Adam-family optimizer makes: betas in [0, 1), eps and weightDecay ≥ 0. */
export function checkBetas(name: string, g: { betas: [number, number]; eps: number; weightDecay: number }): void {
  const [b1, b2] = g.betas;
  if (!(b1 >= 0 && b1 < 1) || !(b2 >= 0 && b2 < 1))
    throw new ValueError(`${name}: invalid betas [${g.betas.join(', ')}], each must be in [0, 1)`);
  if (!(g.eps >= 0)) throw new ValueError(`${name}: invalid eps ${g.eps}`);
  if (!(g.weightDecay >= 0)) throw new ValueError(`${name}: invalid weightDecay ${g.weightDecay}`);
}

/** Adam's running first and second moments, updated in place with gradient gr: [exp_avg, exp_avg_sq]. */
export function updateMoments(s: ParamState, p: Tensor, gr: Tensor, b1: number, b2: number): [Tensor, Tensor] {
  const m = buffer(s, 'exp_avg', p),
    v = buffer(s, 'exp_avg_sq', p);
  m.mul_(b1).add_(gr, { alpha: 1 - b1 });
  v.mul_(b2).add_(gr.mul(gr), { alpha: 1 - b2 });
  return [m, v];
}

/**
 * Adam (Kingma & Ba) with PyTorch's formulas; weightDecay adds L2 to the gradient. AdamW decays
 * the weights directly instead ("decoupled"), which is what most training recipes want.
 */
export class Adam extends Optimizer<AdamOptions> {
  protected readonly decoupled: boolean = false;

  constructor(params: Params, options: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, ...options });
  }

  protected override validate(g: AdamOptions): void {
    super.validate(g);
    checkBetas(this.constructor.name, g);
  }

  protected update(p: Tensor, grad: Tensor, s: ParamState, g: ParamGroup<AdamOptions>): void {
    const [b1, b2] = g.betas;
    const step = ((s['step'] as number | undefined) ?? 0) + 1;
    s['step'] = step;
    const kernel = backend().adamStep;
    if (kernel && fusable(p, grad)) {
      const m = buffer(s, 'exp_avg', p),
        v = buffer(s, 'exp_avg_sq', p);
      const vmax = g.amsgrad ? buffer(s, 'max_exp_avg_sq', p) : null;
      kernel.call(backend(), p, grad, m, v, vmax, {
        lr: g.lr,
        beta1: b1,
        beta2: b2,
        eps: g.eps,
        weightDecay: g.weightDecay,
        step,
        decoupled: this.decoupled,
      });
      bump(p, m, v, vmax);
      return;
    }
    let gr = grad;
    if (g.weightDecay !== 0) {
      if (this.decoupled) p.mul_(1 - g.lr * g.weightDecay);
      else gr = gr.add(p.mul(g.weightDecay));
    }
    const [m, v] = updateMoments(s, p, gr, b1, b2);
    const c1 = 1 - b1 ** step,
      c2 = 1 - b2 ** step;
    let second = v;
    if (g.amsgrad) {
      const vmax = buffer(s, 'max_exp_avg_sq', p);
      vmax.copy_(vmax.maximum(v));
      second = vmax;
    }
    const denom = second.sqrt().div(Math.sqrt(c2)).add(g.eps);
    p.add_(m.div(denom), { alpha: -g.lr / c1 });
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter); weightDecay defaults to 0.01 as in PyTorch. */
export class AdamW extends Adam {
  protected override readonly decoupled = true;

  constructor(params: Params, options: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 0.01, ...options });
  }
}
