// What every attribution method shares: calling the model on a batch, choosing the output to explain
// (a class index per sample, or the model's one scalar per sample), and the gradient of that output
// with respect to the input.
import { grad } from '../autograd/engine.js';
import { enableGrad } from '../autograd/grad-mode.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { Module } from '../nn/module.js';
import { fromTypedArray, fullLike } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';

/** A differentiable model: a Module whose forward takes one batch, or a function of one batch. */
export type Forward = Module | ((x: Tensor) => Tensor);

/** The output to explain: one class index for every sample, one per sample, or none for [N] outputs. */
export type Target = number | readonly number[] | Tensor;

export interface TargetOptions {
  /** Class index (or one per sample) of a [N, C] output; leave out when the model returns [N] or [N, 1]. */
  target?: Target;
}

/** Runs the model on a batch and checks that it returns one tensor with the batch's first axis. */
export function callModel(op: string, model: Forward, x: Tensor): Tensor {
  if (!(model instanceof Module) && typeof model !== 'function')
    throw new ValueError(
      `${op}: model must be a Module or a function of one batch, got ${model === null ? 'null' : typeof model}`,
    );
  const out = model instanceof Module ? model.forward(x) : model(x);
  if (!(out instanceof Tensor))
    throw new ValueError(`${op}: the model must return one tensor per call, got ${typeof out}`);
  if (out.ndim === 0 || out.shape[0] !== x.shape[0])
    throw new ShapeError(
      `${op}: the model returned ${fmtShape(out.shape)} for a batch of ${x.shape[0]}; expected [N] or [N, C]`,
    );
  return out;
}

/** Checks the input batch: floating point, at least [N, ...], non-empty, finite. */
export function checkInputs(op: string, inputs: unknown): Tensor {
  if (!(inputs instanceof Tensor))
    throw new ValueError(`${op}: inputs must be a Tensor [N, ...], got ${typeof inputs}`);
  if (inputs.ndim < 1 || inputs.shape[0] === 0)
    throw new ShapeError(`${op}: inputs must be a batch [N, ...] with N ≥ 1, got ${fmtShape(inputs.shape)}`);
  if (!inputs.dtype.startsWith('float'))
    throw new ValueError(`${op}: inputs must be floating point to take gradients, got ${inputs.dtype}`);
  return inputs;
}

/** The class index of each of n samples, or null when the output has one value per sample. */
export function targetIndices(op: string, target: Target | undefined, n: number): number[] | null {
  if (target === undefined) return null;
  const list =
    typeof target === 'number'
      ? new Array<number>(n).fill(target)
      : target instanceof Tensor
        ? (target.flatten().toArray() as number[])
        : [...target];
  if (list.length !== n) throw new ShapeError(`${op}: ${list.length} targets for a batch of ${n}`);
  const bad = list.find((t) => !Number.isInteger(t) || t < 0);
  if (bad !== undefined) throw new ValueError(`${op}: targets must be class indices ≥ 0, got ${bad}`);
  return list;
}

/** The explained value of each sample, [N], from the model's output [N] or [N, C]. */
export function selectOutput(op: string, out: Tensor, targets: number[] | null): Tensor {
  if (targets === null) {
    if (out.ndim === 1) return out;
    if (out.ndim === 2 && out.shape[1] === 1) return out.squeeze(1);
    throw new ValueError(
      `${op}: the model returns ${fmtShape(out.shape)}; choose the output to explain with { target: classIndex }`,
    );
  }
  if (out.ndim !== 2) throw new ShapeError(`${op}: a target needs an output [N, C], got ${fmtShape(out.shape)}`);
  const C = out.shape[1]!;
  const over = targets.find((t) => t >= C);
  if (over !== undefined) throw new ValueError(`${op}: target ${over} is out of range for ${C} outputs`);
  return out.gather(1, fromTypedArray(Int32Array.from(targets), [targets.length, 1])).squeeze(1);
}

/** `targets` repeated `times` times, matching a batch that repeats the inputs that often. */
export function tileTargets(targets: number[] | null, times: number): number[] | null {
  return targets && Array.from({ length: times }, () => targets).flat();
}

/** The explained outputs [N] of a batch and their gradient with respect to it. */
export function gradientsOf(
  op: string,
  model: Forward,
  x: Tensor,
  targets: number[] | null,
): { grads: Tensor; outputs: Tensor } {
  return enableGrad(() => {
    const xi = x.detach().requiresGrad_();
    const y = selectOutput(op, callModel(op, model, xi), targets);
    const [g] = grad(y.sum(), xi);
    return { grads: g ?? xi.detach().zerosLike(), outputs: y.detach() };
  });
}

/** The explained outputs [N] without gradients. */
export function outputsOf(op: string, model: Forward, x: Tensor, targets: number[] | null): Tensor {
  return selectOutput(op, callModel(op, model, x), targets).detach();
}

/** A baseline given as a number, one sample [...] or a batch [N, ...], broadcast to the inputs' shape. */
export function baselineLike(op: string, baseline: number | Tensor | undefined, x: Tensor): Tensor {
  if (baseline === undefined || typeof baseline === 'number') {
    const v = baseline ?? 0;
    if (!Number.isFinite(v)) throw new ValueError(`${op}: baseline must be finite, got ${v}`);
    return fullLike(x, v);
  }
  if (!(baseline instanceof Tensor)) throw new ValueError(`${op}: baseline must be a number or a Tensor`);
  const b = baseline.ndim === x.ndim - 1 ? baseline.unsqueeze(0) : baseline;
  const fits = b.ndim === x.ndim && b.shape.every((d, i) => d === x.shape[i] || (i === 0 && d === 1));
  if (!fits)
    throw new ShapeError(
      `${op}: baseline ${fmtShape(baseline.shape)} does not fit inputs ${fmtShape(x.shape)} (give [N, ...], [1, ...] or one sample)`,
    );
  return b.detach().to(x.dtype).expand(x.shape).contiguous();
}

/** Sums every axis but the batch axis: [N, ...] → [N]. */
export function perSample(t: Tensor): Tensor {
  return t.reshape(t.shape[0]!, -1).sum(1);
}
