import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, buffer, type ParamGroup, type ParamState } from './optimizer.js';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
}

/** Adagrad (Duchi et al.), PyTorch's formulas. */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(
    params: ConstructorParameters<typeof Optimizer<AdagradOptions>>[0],
    options: Partial<AdagradOptions> = {},
  ) {
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, ...options });
  }

  protected override validate(g: AdagradOptions): void {
    super.validate(g);
    if (!(g.lrDecay >= 0) || !(g.initialAccumulatorValue >= 0))
      throw new ValueError('Adagrad: lrDecay and initialAccumulatorValue must be non-negative');
  }

  protected update(p: Tensor, grad: Tensor, s: ParamState, g: ParamGroup<AdagradOptions>): void {
    const step = ((s['step'] as number | undefined) ?? 0) + 1;
    s['step'] = step;
    const gr = g.weightDecay !== 0 ? grad.add(p.mul(g.weightDecay)) : grad;
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    const sum = buffer(s, 'sum', p, g.initialAccumulatorValue);
    sum.add_(gr.mul(gr));
    p.add_(gr.div(sum.sqrt().add(g.eps)), { alpha: -clr });
  }
}
