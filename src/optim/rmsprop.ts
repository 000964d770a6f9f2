import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, buffer, type ParamGroup, type ParamState } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

/** RMSprop (Hinton), optionally centered and with momentum, PyTorch's formulas. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(
    params: ConstructorParameters<typeof Optimizer<RMSpropOptions>>[0],
    options: Partial<RMSpropOptions> = {},
  ) {
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, ...options });
  }

  protected override validate(g: RMSpropOptions): void {
    super.validate(g);
    if (!(g.alpha >= 0)) throw new ValueError(`RMSprop: invalid alpha ${g.alpha}`);
    if (!(g.momentum >= 0)) throw new ValueError(`RMSprop: invalid momentum ${g.momentum}`);
  }

  protected update(p: Tensor, grad: Tensor, s: ParamState, g: ParamGroup<RMSpropOptions>): void {
    s['step'] = ((s['step'] as number | undefined) ?? 0) + 1;
    const gr = g.weightDecay !== 0 ? grad.add(p.mul(g.weightDecay)) : grad;
    const sq = buffer(s, 'square_avg', p);
    sq.mul_(g.alpha).add_(gr.mul(gr), { alpha: 1 - g.alpha });
    let avg: Tensor;
    if (g.centered) {
      const ga = buffer(s, 'grad_avg', p);
      ga.mul_(g.alpha).add_(gr, { alpha: 1 - g.alpha });
      avg = sq.sub(ga.mul(ga)).sqrt().add(g.eps);
    } else avg = sq.sqrt().add(g.eps);
    if (g.momentum > 0) {
      const buf = buffer(s, 'momentum_buffer', p);
      buf.mul_(g.momentum).add_(gr.div(avg));
      p.add_(buf, { alpha: -g.lr });
    } else p.add_(gr.div(avg), { alpha: -g.lr });
  }
}
