import { DTypeError, IndexError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { where } from '../../ops/binary.js';
import { arange } from '../../tensor/create.js';
import { shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Reduction } from './args.js';

export type { Reduction };

export interface LossOptions {
  reduction?: Reduction;
}

function reduce(op: string, loss: Tensor, reduction: Reduction = 'mean'): Tensor {
  switch (reduction) {
    case 'none':
      return loss;
    case 'sum':
      return loss.sum();
    case 'mean':
      return loss.mean();
    default:
      throw new ValueError(`${op}: reduction must be 'none', 'mean' or 'sum', got '${reduction as string}'`);
  }
}

function sameShape(op: string, input: Tensor, target: Tensor): void {
  if (!shapesEqual(input.shape, target.shape)) {
    throw new ShapeError(
      `${op}: target shape ${fmtShape(target.shape)} must match input shape ${fmtShape(input.shape)}`,
    );
  }
}

export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  sameShape('mseLoss', input, target);
  return reduce('mseLoss', input.sub(target).square(), options.reduction);
}

export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  sameShape('l1Loss', input, target);
  return reduce('l1Loss', input.sub(target).abs(), options.reduction);
}

/** Quadratic below beta, linear above (divided by beta in the quadratic part, as PyTorch). */
export function smoothL1Loss(input: Tensor, target: Tensor, options: LossOptions & { beta?: number } = {}): Tensor {
  sameShape('smoothL1Loss', input, target);
  const beta = options.beta ?? 1;
  if (beta < 0) throw new ValueError(`smoothL1Loss: beta must be non-negative, got ${beta}`);
  const d = input.sub(target).abs();
  const loss = beta === 0 ? d : where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta));
  return reduce('smoothL1Loss', loss, options.reduction);
}

export function huberLoss(input: Tensor, target: Tensor, options: LossOptions & { delta?: number } = {}): Tensor {
  sameShape('huberLoss', input, target);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new ValueError(`huberLoss: delta must be positive, got ${delta}`);
  const d = input.sub(target).abs();
  return reduce('huberLoss', where(d.le(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta)), options.reduction);
}

/** Binary cross-entropy on probabilities; log terms are clamped at -100 as in PyTorch. */
export function binaryCrossEntropy(
  input: Tensor,
  target: Tensor,
  options: LossOptions & { weight?: Tensor | null } = {},
): Tensor {
  sameShape('binaryCrossEntropy', input, target);
  let bad = false;
  const values = input.storage.peekHost(); // null in device memory: not checked there
  if (values)
    input.forEachOffset((o) => {
      const v = values[o]!;
      if (!(v >= 0 && v <= 1)) bad = true;
    });
  if (bad)
    throw new ValueError(
      'binaryCrossEntropy: input values must be probabilities in [0, 1]; use binaryCrossEntropyWithLogits for raw scores',
    );
  const logP = input.log().clamp(-100);
  const log1mP = input.rsub(1).log().clamp(-100);
  let loss = target.mul(logP).add(target.rsub(1).mul(log1mP)).neg();
  if (options.weight) loss = loss.mul(options.weight);
  return reduce('binaryCrossEntropy', loss, options.reduction);
}

/** Sigmoid + binary cross-entropy in one stable expression; posWeight weighs the positive class. */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: LossOptions & { weight?: Tensor | null; posWeight?: Tensor | null } = {},
): Tensor {
  sameShape('binaryCrossEntropyWithLogits', input, target);
  // (1 - t)·x + (1 + (pw - 1)·t)·(log(1 + exp(-|x|)) + max(-x, 0))
  const softTerm = input.abs().neg().exp().log1p().add(input.neg().clamp(0));
  const logWeight = options.posWeight ? options.posWeight.sub(1).mul(target).add(1) : null;
  let loss = target
    .rsub(1)
    .mul(input)
    .add(logWeight ? logWeight.mul(softTerm) : softTerm);
  if (options.weight) loss = loss.mul(options.weight);
  return reduce('binaryCrossEntropyWithLogits', loss, options.reduction);
}

export interface NllOptions extends LossOptions {
  /** Per-class weights [C]. */
  weight?: Tensor | null;
  /** Targets equal to this are skipped (and not counted in the mean). */
  ignoreIndex?: number;
}

/** Checks class-index targets [N, ...] against input [N, C, ...] (or [C] with a 0-d target). */
function checkIndexTarget(op: string, input: Tensor, target: Tensor, ignoreIndex: number): void {
  if (target.dtype !== 'int32')
    throw new DTypeError(`${op}: class-index targets must be int32, got dtype ${target.dtype}`);
  const expected = input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  if (!shapesEqual(target.shape, expected))
    throw new ShapeError(
      `${op}: expected target shape ${fmtShape(expected)} for input ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`,
    );
  const C = input.shape[input.ndim === 1 ? 0 : 1]!;
  const values = target.storage.peekHost(); // null in device memory: not checked there
  if (values)
    target.forEachOffset((o) => {
      const v = values[o]!;
      if (v !== ignoreIndex && (v < 0 || v >= C))
        throw new IndexError(`${op}: target ${v} is out of bounds for ${C} classes`);
    });
}

/** Moves the class dim last and flattens: [N, C, d...] → [M, C], target → [M]. */
function flatClasses(input: Tensor, target: Tensor): [Tensor, Tensor] {
  if (input.ndim === 1) return [input.unsqueeze(0), target.reshape(1)];
  const C = input.shape[1]!;
  const moved = input.ndim > 2 ? input.permute([0, ...input.shape.map((_, i) => i).slice(2), 1]) : input;
  return [moved.reshape(-1, C), target.reshape(-1)];
}

/** Negative log-likelihood of log-probabilities input [N, C, ...] at class indices target [N, ...]. */
export function nllLoss(input: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  const ignoreIndex = options.ignoreIndex ?? -100;
  checkIndexTarget('nllLoss', input, target, ignoreIndex);
  const [logp, t] = flatClasses(input, target);
  const valid = t.ne(ignoreIndex);
  const safeT = where(valid, t, 0);
  const picked = logp.gather(1, safeT.unsqueeze(1)).squeeze(1).neg();
  const w = options.weight ? options.weight.indexSelect(0, safeT).mul(valid) : valid.to(logp.dtype);
  const loss = picked.mul(w);
  const reduction = options.reduction ?? 'mean';
  if (reduction === 'none') return loss.reshape(target.shape);
  if (reduction === 'sum') return loss.sum();
  if (reduction === 'mean') return loss.sum().div(w.sum());
  return reduce('nllLoss', loss, reduction);
}

export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the target with the uniform distribution: (1 - ε)·target + ε/C. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of raw scores input [N, C, ...] (or [C]) against class indices (int32 [N, ...])
 * or class probabilities (same shape as input), PyTorch's semantics for weights, ignoreIndex and
 * label smoothing.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ValueError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[classDim]!;
  if (options.weight && (options.weight.ndim !== 1 || options.weight.shape[0] !== C)) {
    throw new ShapeError(`crossEntropy: weight must have shape [${C}], got ${fmtShape(options.weight.shape)}`);
  }
  const logp = input.logSoftmax(classDim);
  const reduction = options.reduction ?? 'mean';
  const wShape = input.shape.map((s, i) => (i === classDim ? s : 1));
  if (target.dtype !== 'int32') {
    // Class probabilities — or, the first thing a PyTorch user writes, float class indices.
    const indexShape = input.shape.filter((_, i) => i !== classDim);
    if (!shapesEqual(input.shape, target.shape) && shapesEqual(target.shape, indexShape)) {
      throw new DTypeError(
        `crossEntropy: a target of shape ${fmtShape(target.shape)} holds class indices, which must be an int32 tensor ` +
          `(got ${target.dtype}); make one with ax.tensor([...], { dtype: 'int32' }) or target.to('int32'). ` +
          `A float target must be class probabilities of the input's shape ${fmtShape(input.shape)}`,
      );
    }
    sameShape('crossEntropy', input, target);
    const t = eps > 0 ? target.mul(1 - eps).add(eps / C) : target;
    let prod = logp.mul(t);
    if (options.weight) prod = prod.mul(options.weight.reshape(wShape));
    const loss = prod.sum(classDim).neg();
    if (reduction === 'mean') return loss.sum().div(input.ndim === 1 ? 1 : loss.numel);
    return reduce('crossEntropy', loss, reduction);
  }
  const nll = nllLoss(logp, target, { ...options, reduction });
  if (eps === 0) return nll;
  const ignoreIndex = options.ignoreIndex ?? -100;
  const weighted = options.weight ? logp.mul(options.weight.reshape(wShape)) : logp;
  const ignored = target.eq(ignoreIndex);
  const smooth = where(ignored, 0, weighted.sum(classDim).neg());
  let smoothReduced: Tensor;
  if (reduction === 'none') smoothReduced = smooth;
  else if (reduction === 'sum') smoothReduced = smooth.sum();
  else {
    const denom = options.weight
      ? options.weight
          .indexSelect(0, where(ignored, 0, target).reshape(-1))
          .mul(ignored.logicalNot().reshape(-1))
          .sum()
      : ignored.logicalNot().to(logp.dtype).sum();
    smoothReduced = smooth.sum().div(denom);
  }
  return nll.mul(1 - eps).add(smoothReduced.mul(eps / C));
}

/** Hinge embedding loss for targets ±1: x where t = 1, max(0, margin - x) where t = -1. */
export function hingeEmbeddingLoss(
  input: Tensor,
  target: Tensor,
  options: LossOptions & { margin?: number } = {},
): Tensor {
  sameShape('hingeEmbeddingLoss', input, target);
  const margin = options.margin ?? 1;
  const loss = where(target.eq(1), input, 0).add(where(target.eq(-1), input.rsub(margin).clamp(0), 0));
  return reduce('hingeEmbeddingLoss', loss, options.reduction);
}

/** Multi-class hinge loss: Σ_{j≠y} max(0, margin - x_y + x_j)^p / C, input [N, C], target int32 [N]. */
export function multiMarginLoss(
  input: Tensor,
  target: Tensor,
  options: LossOptions & { p?: 1 | 2; margin?: number; weight?: Tensor | null } = {},
): Tensor {
  const p = options.p ?? 1,
    margin = options.margin ?? 1;
  if (p !== 1 && p !== 2) throw new ValueError(`multiMarginLoss: p must be 1 or 2, got ${p}`);
  const x = input.ndim === 1 ? input.unsqueeze(0) : input;
  const t = target.ndim === 0 ? target.reshape(1) : target;
  if (x.ndim !== 2) throw new ShapeError(`multiMarginLoss: expected input [N, C] or [C], got ${fmtShape(input.shape)}`);
  checkIndexTarget('multiMarginLoss', x, t, -Infinity);
  const C = x.shape[1]!;
  const xy = x.gather(1, t.unsqueeze(1));
  let m = x.sub(xy).add(margin).clamp(0);
  if (p === 2) m = m.square();
  if (options.weight) m = m.mul(options.weight.indexSelect(0, t).unsqueeze(1));
  const notTarget = t.unsqueeze(1).ne(arange(C).unsqueeze(0));
  const loss = m.mul(notTarget).sum(1).div(C);
  const out = input.ndim === 1 ? loss.reshape([]) : loss;
  return reduce('multiMarginLoss', out, options.reduction);
}

/**
 * KL divergence with input as log-probabilities: target·(log target - input) pointwise (0 where
 * target = 0). reduction 'batchmean' divides the sum by the batch size, the mathematically correct mean.
 */
export function klDiv(
  input: Tensor,
  target: Tensor,
  options: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {},
): Tensor {
  sameShape('klDiv', input, target);
  const loss = options.logTarget
    ? target.exp().mul(target.sub(input))
    : where(target.gt(0), target.mul(where(target.gt(0), target, 1).log().sub(input)), 0);
  if (options.reduction === 'batchmean') return loss.sum().div(input.ndim === 0 ? 1 : input.shape[0]!);
  return reduce('klDiv', loss, options.reduction ?? 'mean');
}

/** 1 - cos(x1, x2) for y = 1; max(0, cos(x1, x2) - margin) for y = -1. x1, x2 [N, D], y [N]. */
export function cosineEmbeddingLoss(
  x1: Tensor,
  x2: Tensor,
  target: Tensor,
  options: LossOptions & { margin?: number } = {},
): Tensor {
  sameShape('cosineEmbeddingLoss', x1, x2);
  const dim = x1.ndim - 1;
  const eps = 1e-12;
  const dot = x1.mul(x2).sum(dim);
  const cos = dot.div(x1.square().sum(dim).add(eps).mul(x2.square().sum(dim).add(eps)).sqrt());
  if (!shapesEqual(target.shape, cos.shape))
    throw new ShapeError(`cosineEmbeddingLoss: target shape ${fmtShape(target.shape)} must be ${fmtShape(cos.shape)}`);
  const margin = options.margin ?? 0;
  const loss = where(target.eq(1), cos.rsub(1), 0).add(where(target.eq(-1), cos.sub(margin).clamp(0), 0));
  return reduce('cosineEmbeddingLoss', loss, options.reduction);
}
