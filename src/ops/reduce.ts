import type { ReduceOp } from '../backend/index.js';
import { noGrad } from '../autograd/grad-mode.js';
import { record } from '../autograd/record.js';
import { DTypeError, ValueError, fmtShape } from '../errors.js';
import { type DType, isFloating } from '../tensor/dtype.js';
import { normalizeDim, normalizeDims, numel } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { maximum, minimum, where } from './binary.js';
import { gather } from './indexing.js';
import { backend, empty, restride } from './util.js';
import { expand, reshape } from './views.js';

export interface ReduceOptions {
  keepdim?: boolean;
}

type Dims = number | readonly number[] | undefined;

/** The reduced dims (an empty list means all, as in PyTorch) and the kept shape with 1s there. */
function plan(op: string, x: Tensor, dim: Dims) {
  const dims = normalizeDims(op, Array.isArray(dim) && dim.length === 0 ? undefined : dim, x.ndim);
  const kept = x.shape.map((s, d) => (dims.includes(d) ? 1 : s));
  const squeezed = x.shape.filter((_, d) => !dims.includes(d));
  return { dims, kept, squeezed };
}

function runReduce(kernel: ReduceOp, x: Tensor, kept: number[], dtype: DType): Tensor {
  const out = empty(kept, dtype);
  backend().reduce(kernel, x, out);
  return out;
}

/** Drops the reduced dims of a freshly made keepdim result (a view of fresh memory, no graph). */
function finish(out: Tensor, keepdim: boolean, squeezed: number[]): Tensor {
  return keepdim ? out : restride(out, squeezed, contiguous(squeezed), 0);
}

function contiguous(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** The gradient of a reduction's output, put back on the input's shape (reduced dims expanded). */
function spread(g: Tensor, kept: number[], shape: readonly number[]): Tensor {
  return expand(reshape(g, kept), shape);
}

export function sum(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  const { kept, squeezed } = plan('sum', x, dim);
  const dtype = isFloating(x.dtype) ? x.dtype : 'int32';
  const out = finish(runReduce('sum', x, kept, dtype), options.keepdim ?? false, squeezed);
  return record('sum', out, [x], (g) => [spread(g, kept, x.shape)]);
}

export function mean(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  if (!isFloating(x.dtype))
    throw new DTypeError(`mean: expected a floating-point tensor, got dtype ${x.dtype}; convert with .float() first`);
  const { dims } = plan('mean', x, dim);
  const count = numel(dims.map((d) => x.shape[d]!));
  return sum(x, dim, options).div(count);
}

/** Largest values over one or several dims (PyTorch's amax); ties share the gradient equally. */
export function amax(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  return extreme('amax', x, dim, options);
}

/** Smallest values over one or several dims (PyTorch's amin); ties share the gradient equally. */
export function amin(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  return extreme('amin', x, dim, options);
}

/**
 * As PyTorch's torch.max: `max(x)` the largest element; `max(x, dim)` the largest values along one
 * dim and their int32 indices, `[values, indices]` (the first largest; NaN propagates), the gradient
 * going to the picked element; `max(x, other)` the elementwise maximum. amax reduces several dims.
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, options?: ReduceOptions): [Tensor, Tensor];
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dim?: number | Tensor, options: ReduceOptions = {}): Tensor | [Tensor, Tensor] {
  return extremeAlong('max', x, dim, options);
}

/** As PyTorch's torch.min: the smallest element, `[values, indices]` along dim, or the elementwise minimum. */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, options?: ReduceOptions): [Tensor, Tensor];
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dim?: number | Tensor, options: ReduceOptions = {}): Tensor | [Tensor, Tensor] {
  return extremeAlong('min', x, dim, options);
}

function extremeAlong(
  op: 'max' | 'min',
  x: Tensor,
  dim: number | Tensor | undefined,
  options: ReduceOptions,
): Tensor | [Tensor, Tensor] {
  if (dim === undefined) return extreme(op, x, undefined, {});
  if (dim instanceof Tensor) return op === 'max' ? maximum(x, dim) : minimum(x, dim);
  if (typeof dim !== 'number' || !Number.isInteger(dim))
    throw new ValueError(
      `${op}: dim must be one integer (${op}(x, dim) gives [values, indices], as PyTorch's); for several dims use a${op}(x, dims)`,
    );
  const keepdim = options.keepdim ?? false;
  if (x.ndim === 0) {
    normalizeDim(op, dim, 1);
    return [x.clone(), x.zerosLike().int()];
  }
  const d = normalizeDim(op, dim, x.ndim);
  if (x.shape[d] === 0)
    throw new ValueError(`${op}: cannot reduce over a dim of size 0 (input shape ${fmtShape(x.shape)}, dim ${d})`);
  const indices = argExtreme(op === 'max' ? 'argmax' : 'argmin', x, d, { keepdim: true });
  const values = gather(x, d, indices);
  return keepdim ? [values, indices] : [values.squeeze(d), indices.squeeze(d)];
}

function extreme(name: 'max' | 'min' | 'amax' | 'amin', x: Tensor, dim: Dims, options: ReduceOptions): Tensor {
  const op = name === 'amax' ? 'max' : name === 'amin' ? 'min' : name;
  const { dims, kept, squeezed } = plan(name, x, dim);
  if (dims.some((d) => x.shape[d] === 0) || (x.ndim === 0 && x.numel === 0)) {
    throw new ValueError(
      `${name}: cannot reduce over a dim of size 0 (input shape ${fmtShape(x.shape)}); the result would have no identity`,
    );
  }
  const keptOut = runReduce(op, x, kept, x.dtype);
  const out = finish(keptOut, options.keepdim ?? false, squeezed);
  return record(
    name,
    out,
    [x],
    (g) => {
      const mask = x.eq(keptOut).to(g.dtype);
      const count = mask.sum(dims, { keepdim: true });
      return [spread(g, kept, x.shape).mul(mask).div(count)];
    },
    [x],
  );
}

export function prod(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  const { dims, kept, squeezed } = plan('prod', x, dim);
  const dtype = isFloating(x.dtype) ? x.dtype : 'int32';
  const keptOut = runReduce('prod', x, kept, dtype);
  const out = finish(keptOut, options.keepdim ?? false, squeezed);
  return record(
    'prod',
    out,
    [x],
    (g) => {
      // d prod / d x_i = product of the others; computed without dividing by zero.
      const isZero = x.eq(0);
      const zeros = isZero.to('int32').sum(dims, { keepdim: true });
      const prodNonZero = where(isZero, 1, x).prod(dims, { keepdim: true });
      const total = prod(x, dims, { keepdim: true }); // recomputed so that double backward sees x
      const others = where(
        zeros.eq(0),
        total.div(where(isZero, 1, x)),
        where(zeros.eq(1).logicalAnd(isZero), prodNonZero, 0),
      );
      return [spread(g, kept, x.shape).mul(others)];
    },
    [x],
  );
}

/** Index of the first largest value along dim, or in the flattened tensor when dim is omitted. */
export function argmax(x: Tensor, dim?: number, options: ReduceOptions = {}): Tensor {
  return argExtreme('argmax', x, dim, options);
}

export function argmin(x: Tensor, dim?: number, options: ReduceOptions = {}): Tensor {
  return argExtreme('argmin', x, dim, options);
}

function argExtreme(op: 'argmax' | 'argmin', x: Tensor, dim: number | undefined, options: ReduceOptions): Tensor {
  if (dim === undefined) {
    if (x.numel === 0) throw new ValueError(`${op}: cannot take ${op} of an empty tensor (shape ${fmtShape(x.shape)})`);
    const flat = reshape(x.detach(), [x.numel]);
    const out = argExtreme(op, flat, 0, {});
    return options.keepdim
      ? reshape(
          out,
          x.shape.map(() => 1),
        )
      : out;
  }
  const d = normalizeDim(op, dim, x.ndim);
  if (x.ndim > 0 && x.shape[d] === 0)
    throw new ValueError(`${op}: cannot reduce over dim ${dim} of size 0 (input shape ${fmtShape(x.shape)})`);
  const axisView = x.ndim === 0 ? reshape(x.detach(), [1]) : x;
  const outShape = axisView.shape.filter((_, i) => i !== d);
  const out = empty(outShape, 'int32');
  backend().argReduce(op, axisView, d, out);
  if (!options.keepdim || x.ndim === 0) return out;
  return reshape(
    out,
    x.shape.map((s, i) => (i === d ? 1 : s)),
  );
}

export interface VarOptions extends ReduceOptions {
  /** Subtracted from the count in the denominator: 1 (default) is the unbiased estimate. */
  correction?: number;
  /** PyTorch's older flag: false means correction 0. */
  unbiased?: boolean;
}

export function variance(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  if (!isFloating(x.dtype)) throw new DTypeError(`var: expected a floating-point tensor, got dtype ${x.dtype}`);
  const { dims } = plan('var', x, dim);
  const correction = options.correction ?? (options.unbiased === false ? 0 : 1);
  const n = numel(dims.map((d) => x.shape[d]!));
  const centered = x.sub(mean(x, dims, { keepdim: true }));
  return sum(centered.mul(centered), dims, options).div(Math.max(n - correction, 0));
}

export function std(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  return variance(x, dim, options).sqrt();
}

/** log(sum(exp(x))) over dims, computed stably by shifting by the max. */
export function logsumexp(x: Tensor, dim?: Dims, options: ReduceOptions = {}): Tensor {
  const { dims } = plan('logsumexp', x, dim);
  if (!isFloating(x.dtype)) x = x.to('float32');
  const m = noGrad(() => {
    const raw = amax(x, dims, { keepdim: true });
    return where(raw.abs().eq(Infinity), 0, raw); // all -inf (or inf) rows: no shift
  });
  const out = x.sub(m).exp().sum(dims, { keepdim: true }).log().add(m);
  return options.keepdim
    ? out
    : reshape(
        out,
        out.shape.filter((_, i) => !dims.includes(i)),
      );
}

/**
 * Vector p-norm over dims (all by default): p a positive number, Infinity, or 'fro' (= 2).
 * The gradient at a zero norm is zero rather than NaN, as in PyTorch.
 */
export function norm(x: Tensor, p: number | 'fro' = 2, dim?: Dims, options: ReduceOptions = {}): Tensor {
  if (!isFloating(x.dtype)) throw new DTypeError(`norm: expected a floating-point tensor, got dtype ${x.dtype}`);
  const order = p === 'fro' ? 2 : p;
  if (typeof order !== 'number' || !(order > 0))
    throw new ValueError(`norm: p must be a positive number, Infinity or 'fro', got ${p}`);
  const { dims, kept, squeezed } = plan('norm', x, dim);
  const keptOut = noGrad(() => {
    const a = x.abs();
    if (order === Infinity) return amax(a, dims, { keepdim: true });
    if (order === 1) return sum(a, dims, { keepdim: true });
    if (order === 2) return sum(a.mul(a), dims, { keepdim: true }).sqrt();
    return sum(a.pow(order), dims, { keepdim: true }).pow(1 / order);
  });
  const out = finish(keptOut.detach(), options.keepdim ?? false, squeezed);
  return record(
    'norm',
    out,
    [x],
    (g) => {
      const ge = spread(g, kept, x.shape);
      const n = norm(x, order, dims, { keepdim: true }); // recomputed so that double backward sees x
      if (order === Infinity) {
        const mask = x.abs().eq(n).to(g.dtype);
        return [
          ge
            .mul(x.sign())
            .mul(mask)
            .div(mask.sum(dims, { keepdim: true })),
        ];
      }
      if (order === 1) return [ge.mul(x.sign())];
      const scale = order === 2 ? x : x.sign().mul(x.abs().pow(order - 1));
      const denom = order === 2 ? n : n.pow(order - 1);
      return [where(n.eq(0), 0, ge.mul(scale).div(where(n.eq(0), 1, denom)))];
    },
    [x],
  );
}
