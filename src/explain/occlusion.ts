// Occlusion (Zeiler & Fergus 2014, Captum's Occlusion): slide a window over the input, replace what
// it covers with the baseline, and credit each covered element with the drop of the explained output,
// averaged over the windows that covered it.
import { noGrad } from '../autograd/grad-mode.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  type Forward,
  type TargetOptions,
  baselineLike,
  checkInputs,
  outputsOf,
  targetIndices,
  tileTargets,
} from './target.js';

export interface OcclusionOptions extends TargetOptions {
  /** The window's size on every axis but the batch axis, e.g. [1, 4, 4] for [N, 1, 28, 28] images. */
  window: readonly number[];
  /** Step between windows: one number or one per axis (default 1). */
  stride?: number | readonly number[];
  /** What an occluded element becomes: a number, one sample or a batch (default 0). */
  baseline?: number | Tensor;
  /** Occluded copies per forward pass, in samples (default 256). */
  batchSize?: number;
}

/** The flat offsets (within one sample) of every window; windows at the far edge are cut short, as Captum's. */
function windows(dims: number[], size: number[], stride: number[]): Int32Array[] {
  const starts = dims.map((d, i) => {
    const count = Math.ceil((d - size[i]!) / stride[i]!) + 1;
    return Array.from({ length: count }, (_, k) => k * stride[i]!);
  });
  const strides = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const out: Int32Array[] = [];
  const corner = new Array<number>(dims.length).fill(0);
  const visit = (axis: number) => {
    if (axis === dims.length) {
      const ends = corner.map((c, i) => Math.min(c + size[i]!, dims[i]!));
      const offsets: number[] = [];
      const walk = (a: number, base: number) => {
        if (a === dims.length) return void offsets.push(base);
        for (let v = corner[a]!; v < ends[a]!; v++) walk(a + 1, base + v * strides[a]!);
      };
      walk(0, 0);
      out.push(Int32Array.from(offsets));
      return;
    }
    for (const s of starts[axis]!) {
      corner[axis] = s;
      visit(axis + 1);
    }
  };
  visit(0);
  return out;
}

export function occlusion(model: Forward, inputs: Tensor, options: OcclusionOptions): Tensor {
  if (options === null || typeof options !== 'object')
    throw new ValueError('explain.occlusion: options { window, stride?, baseline?, target? } are required');
  const op = 'explain.occlusion';
  const x = checkInputs(op, inputs).detach().contiguous();
  const N = x.shape[0]!,
    dims = x.shape.slice(1);
  const size = options?.window ? [...options.window] : [];
  if (size.length !== dims.length || !size.every((w, i) => Number.isInteger(w) && w >= 1 && w <= dims[i]!))
    throw new ShapeError(
      `${op}: window ${JSON.stringify(options?.window)} must give a size between 1 and the axis length for each axis of one sample ${fmtShape(dims)}`,
    );
  const stride =
    typeof options.stride === 'object'
      ? [...options.stride]
      : dims.map(() => (options.stride as number | undefined) ?? 1);
  if (stride.length !== dims.length || !stride.every((s) => Number.isInteger(s) && s >= 1))
    throw new ValueError(
      `${op}: stride must be a positive integer or one per axis, got ${JSON.stringify(options.stride)}`,
    );
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ValueError(`${op}: batchSize must be an integer ≥ 1, got ${batchSize}`);
  const targets = targetIndices(op, options.target, N);
  const per = x.numel / N;
  const data = x.toTypedArray(),
    base = baselineLike(op, options.baseline, x).toTypedArray();
  const wins = windows(dims, size, stride);
  const total = new Float64Array(x.numel),
    count = new Float64Array(per);
  for (const w of wins) for (const o of w) count[o]!++;

  return noGrad(() => {
    const original = outputsOf(op, model, x, targets).toTypedArray();
    const perPass = Math.max(1, Math.floor(batchSize / N));
    for (let first = 0; first < wins.length; first += perPass) {
      const group = wins.slice(first, first + perPass);
      const batch = new (data.constructor as Float32ArrayConstructor)(group.length * x.numel);
      group.forEach((w, g) => {
        batch.set(data, g * x.numel);
        for (let n = 0; n < N; n++) {
          const at = g * x.numel + n * per;
          for (const o of w) batch[at + o] = base[n * per + o]!;
        }
      });
      const occluded = outputsOf(
        op,
        model,
        fromTypedArray(batch, [group.length * N, ...dims]),
        tileTargets(targets, group.length),
      );
      const out = occluded.toTypedArray();
      group.forEach((w, g) => {
        for (let n = 0; n < N; n++) {
          const drop = original[n]! - out[g * N + n]!;
          for (const o of w) total[n * per + o]! += drop;
        }
      });
    }
    for (let i = 0; i < total.length; i++) total[i]! /= count[i % per]!;
    return fromTypedArray(x.dtype === 'float64' ? total : Float32Array.from(total), x.shape);
  });
}
