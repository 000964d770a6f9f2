import { noGrad } from '../autograd/grad-mode.js';
import { record } from '../autograd/record.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { Module } from '../nn/module.js';
import { BatchNormBase, type BatchNormOptions } from '../nn/modules/normalization.js';
import { cat, stack } from '../ops/combine.js';
import { fromTypedArray, zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ProcessGroup } from './process-group.js';
import { currentGroup } from './state.js';

/**
 * The sum of `t` over all ranks, differentiable: every rank's output depends on every rank's input,
 * so the gradient of each input is the sum of all ranks' output gradients (another all-reduce,
 * run by backward on every rank in the same order).
 */
export function allReduceWithGrad(group: ProcessGroup, t: Tensor): Tensor {
  const out = noGrad(() => group.allReduce(t.detach().clone()));
  return record('allReduce', out, [t], (g, needs) => [needs[0] ? noGrad(() => group.allReduce(g.clone())) : null]);
}

/**
 * Batch normalisation with statistics over the whole global batch (PyTorch's SyncBatchNorm): each
 * rank's per-channel count, mean and squared deviations are gathered and combined (Chan's parallel
 * formula, stable where E[x²] − E[x]² is not). Its state dict is BatchNorm's. In eval mode, or in
 * a group of one, it is plain BatchNorm.
 */
export class SyncBatchNorm extends BatchNormBase {
  private readonly explicitGroup: ProcessGroup | undefined;

  constructor(numFeatures: number, options: BatchNormOptions & { group?: ProcessGroup } = {}) {
    const { group, ...bn } = options;
    super(numFeatures, bn);
    this.explicitGroup = group;
  }

  protected checkRank(x: Tensor): void {
    if (x.ndim < 2) throw new ShapeError(`SyncBatchNorm: expected input [N, C, ...], got ${fmtShape(x.shape)}`);
  }

  override forward(x: Tensor): Tensor {
    const group = this.explicitGroup ?? currentGroup();
    if (!this.training || !group || group.worldSize === 1) return super.forward(x);
    this.checkRank(x);
    const C = x.shape[1]!;
    if (C !== this.numFeatures)
      throw new ShapeError(`SyncBatchNorm: expected ${this.numFeatures} channels, got input ${fmtShape(x.shape)}`);
    const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const n = x.numel / C;
    const mean = x.mean(dims);
    const bshape = x.shape.map((s, i) => (i === 1 ? s : 1));
    const m2 = x.sub(mean.reshape(bshape)).square().sum(dims);
    // Rank r's row of a [world, 2C + 1] table, summed over ranks: everyone gets every row.
    const row = cat([fromTypedArray(new Float32Array([n])).to(x.dtype), mean, m2]);
    const rows = [...Array(group.worldSize)].map((_, r) =>
      r === group.rank ? row : zeros([2 * C + 1], { dtype: x.dtype }),
    );
    const table = allReduceWithGrad(group, stack(rows));
    const counts = table.narrow(1, 0, 1),
      means = table.narrow(1, 1, C),
      m2s = table.narrow(1, 1 + C, C);
    const total = counts.sum().item();
    if (total <= 1)
      throw new ValueError(`SyncBatchNorm: expected more than 1 value per channel over all ranks, got ${total}`);
    const globalMean = means.mul(counts).sum(0).div(total);
    const variance = m2s.add(means.sub(globalMean).square().mul(counts)).sum(0).div(total);
    if (this.runningMean && this.runningVar)
      noGrad(() => {
        let m = this.options.momentum === undefined ? 0.1 : this.options.momentum;
        if (this.numBatchesTracked) {
          this.numBatchesTracked.add_(1);
          if (m === null) m = 1 / this.numBatchesTracked.item();
        }
        m ??= 0.1;
        this.runningMean!.mul_(1 - m).add_(globalMean.mul(m));
        this.runningVar!.mul_(1 - m).add_(variance.mul((m * total) / (total - 1)));
      });
    let y = x.sub(globalMean.reshape(bshape)).mul(
      variance
        .add(this.options.eps ?? 1e-5)
        .rsqrt()
        .reshape(bshape),
    );
    if (this.weight) y = y.mul(this.weight.reshape(bshape));
    if (this.bias) y = y.add(this.bias.reshape(bshape));
    return y;
  }

  /**
   * Replaces every BatchNorm1d/2d in `module` by a SyncBatchNorm with its weights and statistics
   * (PyTorch's convert_sync_batchnorm); returns the module (or the replacement, if it is one).
   */
  static convertSyncBatchnorm<M extends Module>(module: M, group?: ProcessGroup): M | SyncBatchNorm {
    if (module instanceof BatchNormBase && !(module instanceof SyncBatchNorm)) {
      const sync = new SyncBatchNorm(module.numFeatures, { ...module.options, group });
      noGrad(() => {
        for (const [key, t] of Object.entries(module.stateDict())) sync.stateDict()[key]!.copy_(t);
      });
      sync.train(module.training);
      return sync;
    }
    for (const [name, child] of [...module.namedChildren()]) {
      const converted = SyncBatchNorm.convertSyncBatchnorm(child, group);
      if (converted === child) continue;
      module.registerModule(name, converted);
      const fields = module as unknown as Record<string, unknown>;
      if (fields[name] === child) fields[name] = converted;
    }
    return module;
  }
}
