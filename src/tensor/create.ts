import { optionsArg, show } from '../check.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { type DType, type TypedArray, allocArray, checkDType, dtypeOfArray } from './dtype.js';
import { Generator, defaultGenerator } from './random.js';
import { checkShape, contiguousStrides, numel } from './shape.js';
import { Storage, Tensor } from './tensor.js';

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

/** Nested arrays of numbers or booleans, any depth. */
export type NestedArray = number | boolean | readonly NestedArray[];

type ShapeArg = number | readonly number[];

function shapeOf(op: string, s: ShapeArg): number[] {
  return checkShape(op, typeof s === 'number' ? [s] : s);
}

/**
 * A tensor over `data`. `owned`: the factory allocated the array for it alone, so `dispose()` may
 * give it back for reuse (to the array pool, or to the wasm module's memory it came from); an
 * array a user handed in (`fromTypedArray`) is never taken.
 */
function make(data: TypedArray, shape: readonly number[], options: CreateOptions = {}, owned = true): Tensor {
  const storage = new Storage(data);
  storage.ownsArray = owned;
  const t = new Tensor(storage, shape, contiguousStrides(shape), 0, dtypeOfArray(data));
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

function alloc(op: string, shape: readonly number[], options: CreateOptions, fallback: DType = 'float32'): TypedArray {
  return allocArray(checkDType(op, options.dtype ?? fallback), numel(shape), op);
}

/**
 * Values stored into int32 must be finite and in range: a typed array would silently wrap 3e9 to
 * -1294967296 and turn NaN into 0. Fractions truncate toward zero, as in PyTorch.
 */
function checkInt32(op: string, values: ArrayLike<number | boolean>): void {
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (!(v >= -2147483648 && v < 2147483648))
      throw new ValueError(`${op}: value ${v} at flat index ${i} does not fit dtype int32 (range -2^31 to 2^31 - 1)`);
  }
}

/**
 * A tensor from nested arrays, a typed array or a scalar. JS numbers become float32 unless a dtype
 * is given; booleans become bool; a typed array keeps its own dtype. `shape` reshapes the data.
 */
export function tensor(
  data: NestedArray | TypedArray,
  options: CreateOptions & { shape?: readonly number[] } = {},
): Tensor {
  if (ArrayBuffer.isView(data)) {
    const src = data as TypedArray;
    const shape = options.shape ? checkShape('tensor', options.shape) : [src.length];
    if (numel(shape) !== src.length)
      throw new ShapeError(
        `tensor: shape ${fmtShape(shape)} holds ${numel(shape)} elements but the typed array has ${src.length}`,
      );
    const dtype = options.dtype ?? dtypeOfArray(src);
    const out = allocArray(checkDType('tensor', dtype), src.length);
    if (out instanceof Int32Array && !(src instanceof Int32Array) && !(src instanceof Uint8Array))
      checkInt32('tensor', src);
    if (dtype === 'bool') for (let i = 0; i < src.length; i++) out[i] = src[i] ? 1 : 0;
    else out.set(src);
    return make(out, shape, options);
  }
  const shape: number[] = [];
  let level: NestedArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = (level as readonly NestedArray[])[0] as NestedArray;
    if (level === undefined) break;
  }
  const flat: (number | boolean)[] = [];
  const walk = (v: NestedArray, d: number, path: string): void => {
    if (d === shape.length) {
      if (Array.isArray(v))
        throw new ShapeError(
          `tensor: ragged nested array: element ${path || 'at the top'} is an array but shape ${fmtShape(shape)} expects a scalar there`,
        );
      if (typeof v !== 'number' && typeof v !== 'boolean')
        throw new ValueError(`tensor: element ${path} is ${typeof v}; expected a number or boolean`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      throw new ShapeError(
        `tensor: ragged nested array: element ${path || 'at the top'} has ${Array.isArray(v) ? `length ${v.length}` : 'no array'} where ${shape[d]} was expected (shape ${fmtShape(shape)})`,
      );
    }
    // An index loop, not forEach: forEach skips the holes of a sparse array ([1, , 3]).
    for (let i = 0; i < v.length; i++) {
      const item = (v as readonly NestedArray[])[i];
      if (item === undefined)
        throw new ValueError(`tensor: element ${path}[${i}] is missing (a hole or undefined in the nested array)`);
      walk(item, d + 1, `${path}[${i}]`);
    }
  };
  walk(data, 0, '');
  if (options.shape) {
    const requested = checkShape('tensor', options.shape);
    if (numel(requested) !== flat.length)
      throw new ShapeError(
        `tensor: shape ${fmtShape(requested)} holds ${numel(requested)} elements but the data has ${flat.length}`,
      );
    shape.splice(0, shape.length, ...requested);
  }
  const inferred: DType = flat.length > 0 && flat.every((v) => typeof v === 'boolean') ? 'bool' : 'float32';
  const out = alloc('tensor', shape, options, inferred);
  const bool = out instanceof Uint8Array;
  if (out instanceof Int32Array) checkInt32('tensor', flat);
  flat.forEach((v, i) => {
    out[i] = bool ? (v ? 1 : 0) : Number(v);
  });
  return make(out, shape, options);
}

/** Wraps a typed array without copying (its dtype follows the array type). */
export function fromTypedArray(
  data: TypedArray,
  shape: readonly number[] = [data.length],
  options: { requiresGrad?: boolean } = {},
): Tensor {
  checkShape('fromTypedArray', shape);
  if (numel(shape) !== data.length)
    throw new ShapeError(
      `fromTypedArray: shape ${fmtShape(shape)} holds ${numel(shape)} elements but the array has ${data.length}`,
    );
  return make(data, shape, options, false);
}

export function full(shape: ShapeArg, value: number | boolean, options: CreateOptions = {}): Tensor {
  const s = shapeOf('full', shape);
  const fallback: DType = typeof value === 'boolean' ? 'bool' : 'float32';
  const data = alloc('full', s, options, fallback);
  data.fill(Number(value));
  return make(data, s, options);
}

/**
 * The (shape, options) of a creation function called either as PyTorch does with sizes —
 * `zeros(2, 3)` — or with a shape and options — `zeros([2, 3], { dtype })`. Anything else (a
 * shape followed by a number, options that are not an object) is a ValueError.
 */
function sizesOrShape<O extends object>(op: string, args: readonly unknown[]): [ShapeArg, O] {
  if (args.length > 1 && args.every((a) => typeof a === 'number')) return [args as number[], {} as O];
  if (args.length > 2)
    throw new ValueError(
      `${op}: expected sizes (${op}(2, 3)) or a shape and options (${op}([2, 3], { dtype })), got ${args.length} arguments`,
    );
  const [shape, options] = args;
  if (typeof shape !== 'number' && !Array.isArray(shape))
    throw new ValueError(`${op}: the shape must be an array of sizes or a size, got ${show(shape)}`);
  return [shape as ShapeArg, optionsArg(op, options as O | undefined)];
}

export function zeros(shape: ShapeArg, options?: CreateOptions): Tensor;
export function zeros(...sizes: number[]): Tensor;
export function zeros(...args: unknown[]): Tensor {
  const [shape, options] = sizesOrShape<CreateOptions>('zeros', args);
  return full(shape, 0, options);
}

export function ones(shape: ShapeArg, options?: CreateOptions): Tensor;
export function ones(...sizes: number[]): Tensor;
export function ones(...args: unknown[]): Tensor {
  const [shape, options] = sizesOrShape<CreateOptions>('ones', args);
  return full(shape, 1, options);
}

/** Values from start to end (exclusive) by step; int32 when all arguments are integers, else float32. */
export function arange(startOrEnd: number, end?: number, step = 1, options: CreateOptions = {}): Tensor {
  const start = end === undefined ? 0 : startOrEnd;
  const stop = end === undefined ? startOrEnd : end;
  if (step === 0 || !Number.isFinite(step))
    throw new ValueError(`arange: step must be a non-zero finite number, got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(stop))
    throw new ValueError(`arange: start and end must be finite, got ${start} and ${stop}`);
  if ((stop - start) * step < 0) throw new ValueError(`arange: step ${step} never gets from ${start} to ${stop}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const ints = [start, stop, step].every(Number.isInteger);
  const data = alloc('arange', [n], options, ints ? 'int32' : 'float32');
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return make(data, [n], options);
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, options: CreateOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new ValueError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const data = alloc('linspace', [steps], options);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill from both ends so the last value is exactly `end`, as PyTorch does.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) data[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return make(data, [steps], options);
}

/** The identity matrix (n × m, m defaults to n). */
export function eye(n: number, m = n, options: CreateOptions = {}): Tensor {
  const s = checkShape('eye', [n, m]);
  const data = alloc('eye', s, options);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return make(data, s, options);
}

/** Uniform on [0, 1). */
export function rand(shape: ShapeArg, options?: RandomOptions): Tensor;
export function rand(...sizes: number[]): Tensor;
export function rand(...args: unknown[]): Tensor {
  const [shape, options] = sizesOrShape<RandomOptions>('rand', args);
  const s = shapeOf('rand', shape);
  const g = options.generator ?? defaultGenerator;
  const data = alloc('rand', s, options);
  for (let i = 0; i < data.length; i++) data[i] = g.random();
  return make(data, s, options);
}

/**
 * Dropout's mask in one pass: `scale` where a uniform draw is ≥ p (kept), else 0. One 32-bit
 * draw per element (a keep probability resolved to 2⁻³²), without intermediate tensors.
 */
export function dropoutMask(shape: ShapeArg, p: number, scale: number, options: RandomOptions = {}): Tensor {
  const s = shapeOf('dropoutMask', shape);
  const g = options.generator ?? defaultGenerator;
  const data = alloc('dropoutMask', s, options);
  const threshold = p * 4294967296;
  for (let i = 0; i < data.length; i++) data[i] = g.nextUint32() >= threshold ? scale : 0;
  return make(data, s, options);
}

/** Standard normal. */
export function randn(shape: ShapeArg, options?: RandomOptions): Tensor;
export function randn(...sizes: number[]): Tensor;
export function randn(...args: unknown[]): Tensor {
  const [shape, options] = sizesOrShape<RandomOptions>('randn', args);
  const s = shapeOf('randn', shape);
  const g = options.generator ?? defaultGenerator;
  const data = alloc('randn', s, options);
  for (let i = 0; i < data.length; i++) data[i] = g.normal();
  return make(data, s, options);
}

/** Uniform integers in [low, high), int32. */
export function randint(low: number, high: number, shape: ShapeArg, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low)
    throw new ValueError(`randint: expected integers low < high, got low=${low}, high=${high}`);
  const s = shapeOf('randint', shape);
  const g = options.generator ?? defaultGenerator;
  const data = alloc('randint', s, options, 'int32');
  for (let i = 0; i < data.length; i++) data[i] = g.integer(low, high);
  return make(data, s, options);
}

/** A random permutation of 0..n-1, int32. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`randperm: n must be a non-negative integer, got ${n}`);
  const g = options.generator ?? defaultGenerator;
  const data = alloc('randperm', [n], options, 'int32');
  for (let i = 0; i < n; i++) data[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    const tmp = data[i]!;
    data[i] = data[j]!;
    data[j] = tmp;
  }
  return make(data, [n], options);
}

// `*Like` creators take shape and dtype from an existing tensor.
const like = (t: Tensor, options: CreateOptions) => ({ ...options, dtype: options.dtype ?? t.dtype });
export const zerosLike = (t: Tensor, options: CreateOptions = {}) => zeros(t.shape, like(t, options));
export const onesLike = (t: Tensor, options: CreateOptions = {}) => ones(t.shape, like(t, options));
export const fullLike = (t: Tensor, value: number, options: CreateOptions = {}) =>
  full(t.shape, value, like(t, options));
export const randLike = (t: Tensor, options: RandomOptions = {}) => rand(t.shape, like(t, options));
export const randnLike = (t: Tensor, options: RandomOptions = {}) => randn(t.shape, like(t, options));
