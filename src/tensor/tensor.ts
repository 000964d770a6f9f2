import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import type { Node } from '../autograd/node.js';
import { type DType, type TypedArray, arrayDType, isFloating } from './dtype.js';
import { type Shape, isContiguous, numel } from './shape.js';
import { formatTensor } from './format.js';

const ARRAY_DTYPES = new Map<unknown, DType>([
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [Int32Array, 'int32'],
  [Uint8Array, 'bool'],
]);

/**
 * The memory a tensor and its views share. `version` counts in-place writes so that autograd can
 * tell when a tensor saved for backward was modified after it was saved.
 */
export class Storage {
  version = 0;
  /** The element type of `data`, found once (every tensor over this storage must have it). */
  readonly dtype: DType;
  constructor(readonly data: TypedArray) {
    const ctor = (data as { constructor?: unknown } | null)?.constructor;
    // Exact constructors first (the hot path); subclasses such as Node's Buffer by instanceof.
    const dtype = ctor === Float32Array ? 'float32' : (ARRAY_DTYPES.get(ctor) ?? arrayDType(data));
    if (dtype === undefined)
      throw new ValueError(
        `Storage: expected a Float32Array, Float64Array, Int32Array or Uint8Array, got ${data === null ? 'null' : ((data as object)?.constructor?.name ?? typeof data)}`,
      );
    this.dtype = dtype;
  }
}

/**
 * Checks that a layout (shape, strides, offset) addresses only elements of a buffer of `length`:
 * every tensor is made through here, so no kernel is ever handed a view that reaches outside its
 * storage.
 */
function checkLayout(length: number, shape: Shape, strides: readonly number[], offset: number): void {
  // The fast path of every op: plain arithmetic, no allocation. Anything odd goes to layoutError.
  const r = shape.length;
  let lo = offset,
    hi = offset;
  let ok = r === strides.length && offset >= 0 && offset === Math.floor(offset);
  for (let d = 0; d < r && ok; d++) {
    const n = shape[d]!,
      s = strides[d]!;
    ok = n >= 0 && n === Math.floor(n) && s === Math.floor(s);
    if (n === 0 && ok) return; // an empty view addresses nothing
    const span = (n - 1) * s;
    if (span < 0) lo += span;
    else hi += span;
  }
  if (!ok || lo < 0 || !(hi < length)) layoutError(length, shape, strides, offset, lo, hi);
}

function layoutError(
  length: number,
  shape: Shape,
  strides: readonly number[],
  offset: number,
  lo: number,
  hi: number,
): never {
  if (shape.length !== strides.length) {
    throw new ValueError(
      `Tensor: shape ${fmtShape(shape)} has ${shape.length} dims but strides [${strides.join(', ')}] has ${strides.length}`,
    );
  }
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new ValueError(`Tensor: offset must be a non-negative integer, got ${offset}`);
  if (!shape.every((n) => Number.isSafeInteger(n) && n >= 0))
    throw new ValueError(`Tensor: invalid shape ${fmtShape(shape)}: sizes must be non-negative integers`);
  if (!strides.every((s) => Number.isSafeInteger(s)))
    throw new ValueError(`Tensor: invalid strides [${strides.join(', ')}]: strides must be integers`);
  throw new ValueError(
    `Tensor: shape ${fmtShape(shape)}, strides [${strides.join(', ')}] and offset ${offset} reach elements ${lo} to ${hi}, but the storage holds ${length}`,
  );
}

/**
 * An n-dimensional array: storage + shape + strides + offset + dtype, plus autograd state.
 * Operations are methods added by `ops/` (see ops/methods.ts); this file holds only the data model.
 */
export class Tensor {
  readonly data: TypedArray;
  /** Set by autograd on the outputs of recorded ops; null for leaves. */
  gradFn: Node | null = null;
  private _grad: Tensor | null = null;
  /** Set by retainGrad() on a non-leaf so that backward() keeps its gradient. */
  retainsGrad = false;
  private _requiresGrad = false;

  constructor(
    readonly storage: Storage,
    readonly shape: Shape,
    readonly strides: readonly number[],
    readonly offset: number,
    readonly dtype: DType,
  ) {
    this.data = storage.data;
    checkLayout(storage.data.length, shape, strides, offset);
    if (storage.dtype !== dtype) {
      throw new DTypeError(`Tensor: dtype ${dtype} does not match the storage's ${storage.data.constructor.name}`);
    }
  }

  /** Accumulated gradient of a leaf after backward(). Must have this tensor's shape and dtype (as PyTorch checks). */
  get grad(): Tensor | null {
    return this._grad;
  }

  set grad(value: Tensor | null) {
    if (value !== null) {
      if (!(value instanceof Tensor)) throw new ValueError(`grad: expected a Tensor or null, got ${typeof value}`);
      if (value.shape.length !== this.shape.length || value.shape.some((s, i) => s !== this.shape[i])) {
        throw new ShapeError(
          `grad: the assigned gradient has shape ${fmtShape(value.shape)} but the tensor has shape ${fmtShape(this.shape)}`,
        );
      }
      if (value.dtype !== this.dtype)
        throw new DTypeError(
          `grad: the assigned gradient has dtype ${value.dtype} but the tensor has dtype ${this.dtype}`,
        );
    }
    this._grad = value;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (value && !isFloating(this.dtype)) {
      throw new DTypeError(`requiresGrad: only floating-point tensors can require gradients, got dtype ${this.dtype}`);
    }
    if (!value && this.gradFn !== null) {
      throw new ValueError('requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach() instead');
    }
    this._requiresGrad = value;
  }

  /** Sets requiresGrad and returns this tensor, like PyTorch's requires_grad_(). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** A leaf is a tensor created by the user, not by a recorded operation. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Asks backward() to keep this non-leaf tensor's gradient in `.grad`. */
  retainGrad(): this {
    if (!this.requiresGrad)
      throw new ValueError("retainGrad: can't retain the gradient of a tensor that does not require grad");
    this.retainsGrad = true;
    if (this.gradFn) this.gradFn.retained = this;
    return this;
  }

  /** Hooks run by backward() once this leaf's gradient for the pass is fully accumulated. */
  postAccumulateGradHooks: ((t: Tensor) => void)[] | null = null;

  /**
   * Runs `hook(this)` after every backward() pass has accumulated all of its gradient into this
   * leaf's `.grad` (PyTorch's register_post_accumulate_grad_hook): how DistributedDataParallel
   * starts summing a bucket of gradients while the rest of backward still runs.
   */
  registerPostAccumulateGradHook(hook: (t: Tensor) => void): { remove(): void } {
    if (typeof hook !== 'function')
      throw new ValueError(`registerPostAccumulateGradHook: expected a function, got ${typeof hook}`);
    if (!this.isLeaf || !this.requiresGrad)
      throw new ValueError(
        'registerPostAccumulateGradHook: only a leaf tensor that requires grad accumulates a gradient',
      );
    const hooks = (this.postAccumulateGradHooks ??= []);
    hooks.push(hook);
    return {
      remove: () => {
        const i = hooks.indexOf(hook);
        if (i >= 0) hooks.splice(i, 1);
      },
    };
  }

  /**
   * Replaces this tensor's data with another's, keeping the object (PyTorch's `param.data = t`):
   * how a module changes the dtype of its parameters in place. Not recorded by autograd.
   */
  setData(other: Tensor): this {
    if (!(other instanceof Tensor))
      throw new ValueError(`setData: expected a Tensor, got ${other === null ? 'null' : typeof other}`);
    const self = this as { -readonly [K in 'storage' | 'data' | 'shape' | 'strides' | 'offset' | 'dtype']: Tensor[K] };
    self.storage = other.storage;
    self.data = other.storage.data;
    self.shape = other.shape;
    self.strides = other.strides;
    self.offset = other.offset;
    self.dtype = other.dtype;
    this.grad = null;
    return this;
  }

  /** How many times the shared storage was written in place. */
  get version(): number {
    return this.storage.version;
  }

  get ndim(): number {
    return this.shape.length;
  }

  dim(): number {
    return this.shape.length;
  }

  get numel(): number {
    return numel(this.shape);
  }

  /** The size of one dim (negative counts from the end), or the whole shape. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return [...this.shape];
    const r = this.shape.length;
    if (!Number.isInteger(dim) || dim < -r || dim >= r)
      throw new ValueError(`size: dim ${dim} is out of range for a tensor of shape ${fmtShape(this.shape)}`);
    return this.shape[dim < 0 ? dim + r : dim]!;
  }

  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** The value of a one-element tensor as a JS number (or boolean for bool tensors). */
  item(): number {
    if (this.numel !== 1)
      throw new ValueError(
        `item: only a tensor with one element can be converted to a number, got shape ${fmtShape(this.shape)}`,
      );
    return this.data[this.offset]!;
  }

  /** A fresh contiguous typed array holding the elements in row-major order. */
  toTypedArray(): TypedArray {
    const n = this.numel;
    const out = new (this.data.constructor as new (n: number) => TypedArray)(n);
    if (this.isContiguous()) {
      out.set(this.data.subarray(this.offset, this.offset + n));
      return out;
    }
    let i = 0;
    this.forEachOffset((o) => {
      out[i++] = this.data[o]!;
    });
    return out;
  }

  /**
   * Nested JS arrays (numbers; booleans for bool tensors); a number for a 0-d tensor. Typed `any`
   * like PyTorch's tolist(), since the depth depends on the runtime shape.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  toArray(): any {
    const conv = this.dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
    const build = (d: number, off: number): unknown => {
      if (d === this.shape.length) return conv(this.data[off]!);
      const out = new Array(this.shape[d]);
      for (let i = 0; i < this.shape[d]!; i++) out[i] = build(d + 1, off + i * this.strides[d]!);
      return out;
    };
    return build(0, this.offset);
  }

  /** Calls fn with the storage offset of every element, in row-major order. */
  /** Whether every element is a finite number (true for integer and bool tensors). */
  allFinite(): boolean {
    if (this.dtype !== 'float32' && this.dtype !== 'float64') return true;
    let ok = true;
    this.forEachOffset((o) => {
      if (ok && !Number.isFinite(this.data[o]!)) ok = false;
    });
    return ok;
  }

  forEachOffset(fn: (offset: number) => void): void {
    if (typeof fn !== 'function') throw new ValueError(`forEachOffset: expected a function, got ${typeof fn}`);
    const shape = this.shape,
      strides = this.strides;
    const walk = (d: number, off: number): void => {
      if (d === shape.length) {
        fn(off);
        return;
      }
      for (let i = 0; i < shape[d]!; i++) walk(d + 1, off + i * strides[d]!);
    };
    walk(0, this.offset);
  }

  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
