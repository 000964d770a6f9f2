// Adam's relatives with PyTorch's (1.13) update rules: Adamax (infinity norm), NAdam (Nesterov
// momentum with the momentum-decay schedule), RAdam (variance rectification in the first steps).
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkBetas, updateMoments } from './adam.js';
import { Optimizer, buffer, type ParamGroup, type ParamState } from './optimizer.js';

interface BetaOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

type Params = ConstructorParameters<typeof Optimizer<BetaOptions>>[0];

/** The step count after this step, and the gradient with L2 weight decay added. */
function begin(p: Tensor, grad: Tensor, s: ParamState, weightDecay: number): [number, Tensor] {
  const step = ((s['step'] as number | undefined) ?? 0) + 1;
  s['step'] = step;
  return [step, weightDecay !== 0 ? grad.add(p.mul(weightDecay)) : grad];
}

export type AdamaxOptions = BetaOptions;

/** Adamax: Adam with the infinity norm of past gradients in place of the second moment. */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: Params, options: Partial<AdamaxOptions> = {}) {
    super(params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...options });
  }
  protected override validate(g: AdamaxOptions): void {
    super.validate(g);
    checkBetas('Adamax', g);
  }
  protected update(p: Tensor, grad: Tensor, s: ParamState, g: ParamGroup<AdamaxOptions>): void {
    const [b1, b2] = g.betas;
    const [step, gr] = begin(p, grad, s, g.weightDecay);
    const m = buffer(s, 'exp_avg', p),
      u = buffer(s, 'exp_inf', p);
    m.mul_(b1).add_(gr, { alpha: 1 - b1 });
    u.copy_(u.mul(b2).maximum(gr.abs().add(g.eps)));
    p.add_(m.div(u), { alpha: -g.lr / (1 - b1 ** step) });
  }
}

export interface NAdamOptions extends BetaOptions {
  /** How fast the momentum coefficient approaches beta1 (default 4e-3). */
  momentumDecay: number;
}

/** NAdam (Dozat): Adam with Nesterov momentum, the momentum coefficient warming up over steps. */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: ConstructorParameters<typeof Optimizer<NAdamOptions>>[0], options: Partial<NAdamOptions> = {}) {
    super(params, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, ...options });
  }
  protected override validate(g: NAdamOptions): void {
    super.validate(g);
    checkBetas('NAdam', g);
    if (!(g.momentumDecay >= 0)) throw new ValueError(`NAdam: invalid momentumDecay ${g.momentumDecay}`);
  }
  protected update(p: Tensor, grad: Tensor, s: ParamState, g: ParamGroup<NAdamOptions>): void {
    const [b1, b2] = g.betas;
    const [step, gr] = begin(p, grad, s, g.weightDecay);
    const mu = b1 * (1 - 0.5 * 0.96 ** (step * g.momentumDecay)),
      muNext = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * g.momentumDecay));
    const muProduct = ((s['mu_product'] as number | undefined) ?? 1) * mu;
    s['mu_product'] = muProduct;
    const [m, v] = updateMoments(s, p, gr, b1, b2);
    const denom = v
      .div(1 - b2 ** step)
      .sqrt()
      .add(g.eps);
    p.add_(gr.div(denom), { alpha: (-g.lr * (1 - mu)) / (1 - muProduct) });
    p.add_(m.div(denom), { alpha: (-g.lr * muNext) / (1 - muProduct * muNext) });
  }
}

export type RAdamOptions = BetaOptions;

/** RAdam (Liu et al.): Adam whose adaptive step is switched on only once its variance is tractable. */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: Params, options: Partial<RAdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...options });
  }
  protected override validate(g: RAdamOptions): void {
    super.validate(g);
    checkBetas('RAdam', g);
  }
  protected update(p: Tensor, grad: Tensor, s: ParamState, g: ParamGroup<RAdamOptions>): void {
    const [b1, b2] = g.betas;
    const [step, gr] = begin(p, grad, s, g.weightDecay);
    const [m, v] = updateMoments(s, p, gr, b1, b2);
    const c1 = 1 - b1 ** step,
      c2 = 1 - b2 ** step;
    const rhoInf = 2 / (1 - b2) - 1;
    const rho = rhoInf - (2 * step * b2 ** step) / c2;
    if (rho > 5) {
      const rect = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
      p.add_(m.div(v.sqrt().add(g.eps)), { alpha: (-g.lr * rect * Math.sqrt(c2)) / c1 });
    } else p.add_(m, { alpha: -g.lr / c1 });
  }
}

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
}

/** Adadelta (Zeiler): steps scaled by the ratio of running RMS of updates and of gradients. */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(
    params: ConstructorParameters<typeof Optimizer<AdadeltaOptions>>[0],
    options: Partial<AdadeltaOptions> = {},
  ) {
    super(params, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, ...options });
  }
  protected override validate(g: AdadeltaOptions): void {
    super.validate(g);
    if (!(g.rho >= 0 && g.rho <= 1)) throw new ValueError(`Adadelta: invalid rho ${g.rho}, must be in [0, 1]`);
    if (!(g.eps >= 0) || !(g.weightDecay >= 0))
      throw new ValueError('Adadelta: eps and weightDecay must be non-negative');
  }
  protected update(p: Tensor, grad: Tensor, s: ParamState, g: ParamGroup<AdadeltaOptions>): void {
    const [, gr] = begin(p, grad, s, g.weightDecay);
    const sq = buffer(s, 'square_avg', p),
      acc = buffer(s, 'acc_delta', p);
    sq.mul_(g.rho).add_(gr.mul(gr), { alpha: 1 - g.rho });
    const delta = acc.add(g.eps).sqrt().div(sq.add(g.eps).sqrt()).mul(gr);
    acc.mul_(g.rho).add_(delta.mul(delta), { alpha: 1 - g.rho });
    p.add_(delta, { alpha: -g.lr });
  }
}
