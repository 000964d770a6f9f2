import { noGrad } from '../../autograd/grad-mode.js';
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { fusedBatchNorm } from '../../ops/batch-norm.js';
import { fusedLayerNorm } from '../../ops/layer-norm.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface BatchNormOptions {
  training?: boolean;
  /** Weight of the new batch in the running statistics; null means a cumulative average. */
  momentum?: number | null;
  eps?: number;
  /** Batches seen so far (a 0-d int32 buffer), needed for momentum null. */
  numBatchesTracked?: Tensor | null;
}

/**
 * Batch normalisation over every dim but the channel dim 1. In training mode it normalises with
 * the batch statistics and updates the running ones (unbiased variance, as PyTorch); in eval mode
 * it uses the running statistics.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  options: BatchNormOptions = {},
): Tensor {
  if (x.ndim < 2) throw new ShapeError(`batchNorm: expected input [N, C, ...], got ${fmtShape(x.shape)}`);
  const C = x.shape[1]!;
  for (const [name, t] of [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C))
      throw new ShapeError(
        `batchNorm: expected input with ${t.shape[0]} channels (${name} ${fmtShape(t.shape)}), got input ${fmtShape(x.shape)}`,
      );
  }
  const eps = options.eps ?? 1e-5;
  const training = options.training ?? true;
  const bshape = x.shape.map((s, i) => (i === 1 ? s : 1));
  if (training || !runningMean || !runningVar) {
    const count = x.numel / C;
    if (training && count <= 1)
      throw new ValueError(
        `batchNorm: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`,
      );
    const { y, mean, variance } = fusedBatchNorm(x, weight, bias, eps);
    if (training && runningMean && runningVar) {
      noGrad(() => {
        let m = options.momentum === undefined ? 0.1 : options.momentum;
        if (options.numBatchesTracked) {
          options.numBatchesTracked.add_(1);
          if (m === null) m = 1 / options.numBatchesTracked.item();
        }
        m ??= 0.1;
        const unbiased = variance.mul(count / (count - 1));
        runningMean.mul_(1 - m).add_(mean.mul(m));
        runningVar.mul_(1 - m).add_(unbiased.mul(m));
      });
    }
    return y;
  }
  // Evaluation: a per-channel affine map from the running statistics, x·scale + shift with
  // scale = weight/√(var + eps) and shift = bias − mean·scale computed on the C channels first, so
  // the input is read twice, not four times (still differentiable in x, weight and bias).
  let scale = runningVar.add(eps).rsqrt();
  if (weight) scale = scale.mul(weight);
  let shift = runningMean.mul(scale).neg();
  if (bias) shift = shift.add(bias);
  const y = x.mul(scale.reshape(bshape));
  // in place when no graph records it: one fresh array instead of two
  return y.requiresGrad ? y.add(shift.reshape(bshape)) : y.add_(shift.reshape(bshape));
}

/** Normalises over the trailing `normalizedShape` dims (biased variance), then scales and shifts. */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  if (k === 0 || x.ndim < k || tail.some((s, i) => s !== normalizedShape[i])) {
    throw new ShapeError(
      `layerNorm: expected input with trailing shape ${fmtShape(normalizedShape)}, got ${fmtShape(x.shape)}`,
    );
  }
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (t && (t.ndim !== k || t.shape.some((s, i) => s !== normalizedShape[i]))) {
      throw new ShapeError(`layerNorm: ${name} must have shape ${fmtShape(normalizedShape)}, got ${fmtShape(t.shape)}`);
    }
  }
  return fusedLayerNorm(
    x,
    normalizedShape.reduce((a, b) => a * b, 1),
    weight ?? null,
    bias ?? null,
    eps,
  );
}

/** Normalises groups of channels: x [N, C, ...] with C divisible by numGroups. */
export function groupNorm(
  x: Tensor,
  numGroups: number,
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  if (x.ndim < 2) throw new ShapeError(`groupNorm: expected input [N, C, ...], got ${fmtShape(x.shape)}`);
  const [N, C] = x.shape as [number, number];
  if (!Number.isInteger(numGroups) || numGroups <= 0 || C % numGroups !== 0) {
    throw new ShapeError(
      `groupNorm: expected the ${C} channels of input ${fmtShape(x.shape)} to divide into ${numGroups} groups`,
    );
  }
  const g = x.reshape(N, numGroups, -1);
  const mean = g.mean(2, { keepdim: true });
  const centered = g.sub(mean);
  const variance = centered.square().mean(2, { keepdim: true });
  let y = centered.mul(variance.add(eps).rsqrt()).reshape(x.shape);
  const bshape = x.shape.map((s, i) => (i === 1 ? s : 1));
  if (weight) y = y.mul(weight.reshape(bshape));
  if (bias) y = y.add(bias.reshape(bshape));
  return y;
}

/**
 * Instance normalisation: each sample's each channel normalised over its spatial positions
 * ([N, C, ...]), with an optional per-channel affine map — group normalisation with one channel per
 * group. Running statistics are not kept (PyTorch's default, track_running_stats=False).
 */
export function instanceNorm(
  x: Tensor,
  options: { weight?: Tensor | null; bias?: Tensor | null; eps?: number } = {},
): Tensor {
  if (x.ndim < 3) throw new ShapeError(`instanceNorm: expected [N, C, ...spatial], got ${fmtShape(x.shape)}`);
  return groupNorm(x, x.shape[1]!, options.weight ?? null, options.bias ?? null, options.eps ?? 1e-5);
}
