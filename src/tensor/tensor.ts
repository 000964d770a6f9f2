import { AutogradError, BackendError, DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import type { Node } from '../autograd/node.js';
import { type DType, type TypedArray, arrayDType, isFloating } from './dtype.js';
import { type Shape, isContiguous, numel } from './shape.js';
import { giveArray } from './array-pool.js';
import { formatTensor } from './format.js';
import { keepGradient } from './scope.js';

const ARRAY_DTYPES = new Map<unknown, DType>([
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [Int32Array, 'int32'],
  [Uint8Array, 'bool'],
]);

/**
 * Memory a device backend (WebGPU) owns for a storage: the tensor layer only knows how to read it
 * back. The backend keeps the rest (its buffer, its pool) on the object it hands out.
 */
export interface DeviceMemory {
  /** The backend that owns it, for messages. */
  readonly backend: string;
  /** Every element, after the kernels queued so far have run. */
  read(): Promise<TypedArray>;
  /** Frees the memory now (dispose, tidy) instead of when the storage is garbage-collected. */
  release(): void;
}

/**
 * The memory a tensor and its views share. `version` counts in-place writes so that autograd can
 * tell when a tensor saved for backward was modified after it was saved.
 *
 * On a device backend the values may live in host memory (a typed array), in device memory, or in
 * both. `hostCurrent`/`deviceCurrent` say which copies hold the latest values (at least one does):
 * a kernel on the device marks the host copy stale (`wroteOnDevice`), and handing out the host
 * array for writing (`data`) marks the device copy stale, so the backend uploads it again before
 * its next use. CPU backends only ever see host storages.
 */
export class Storage {
  private static created = 0;
  /** How many storages were made before this one: the autograd engine tells its own by it. */
  readonly serial = Storage.created++;
  /** The serial the next storage will get. */
  static nextSerial(): number {
    return Storage.created;
  }
  version = 0;
  /** The element type of `data`, found once (every tensor over this storage must have it). */
  readonly dtype: DType;
  /** Elements held. */
  readonly length: number;
  private host: TypedArray | null;
  /** The device backend's copy, once one was made (by `onDevice` or by the backend's first use). */
  device: DeviceMemory | null = null;
  /** Whether `device` holds the latest values. */
  deviceCurrent = false;
  /** A gradient `ax.tidy` left to `.grad`: freed when `.grad` lets go of it (see scope.ts). */
  freedWithGrad = false;
  /**
   * Whether an op or a factory allocated the host array for this storage alone (src/ops/util.ts,
   * src/tensor/create.ts), so that freeing the storage may give it back for reuse (to the array pool,
   * or to the wasm module's memory it came from); arrays a user handed in (`ax.fromTypedArray(array)`) never go.
   */
  ownsArray = false;

  /** Host memory; or, for a device backend's kernel outputs, only its memory (`Storage.onDevice`). */
  constructor(data: TypedArray);
  constructor(data: null, device: DeviceMemory, dtype: DType, length: number);
  constructor(data: TypedArray | null, device?: DeviceMemory, dtype?: DType, length?: number) {
    if (data === null && device !== undefined) {
      this.dtype = dtype!;
      this.length = length!;
      this.host = null;
      this.device = device;
      this.deviceCurrent = true;
      return;
    }
    const ctor = (data as { constructor?: unknown } | null)?.constructor;
    // Exact constructors first (the hot path); subclasses such as Node's Buffer by instanceof.
    const found = ctor === Float32Array ? 'float32' : (ARRAY_DTYPES.get(ctor) ?? arrayDType(data));
    if (found === undefined)
      throw new ValueError(
        `Storage: expected a Float32Array, Float64Array, Int32Array or Uint8Array, got ${data === null ? 'null' : ((data as object)?.constructor?.name ?? typeof data)}`,
      );
    this.dtype = found;
    this.length = data!.length;
    this.host = data;
  }

  /** A storage whose only copy is in a device backend's memory (a kernel output there). */
  static onDevice(memory: DeviceMemory, dtype: DType, length: number): Storage {
    return new Storage(null, memory, dtype, length);
  }

  /**
   * The host array, for reading and writing: the device copy (if any) counts as stale from here on.
   * Throws when only the device holds the values; they must be read with `await t.dataAsync()`.
   */
  get data(): TypedArray {
    const h = this.host ?? this.deviceOnly('data');
    if (this.device !== null) this.deviceCurrent = false; // CPU storages never have a device copy
    return h;
  }

  /** Whether the host array holds the latest values (so the synchronous accessors work). */
  get hostCurrent(): boolean {
    return this.host !== null;
  }

  /** The host array for reading only (the device copy stays current). Throws like `data`. */
  readHost(what: string): TypedArray {
    return this.host ?? this.deviceOnly(what);
  }

  /**
   * The host array when it holds the latest values, else null: for checks of values that a device
   * backend cannot make synchronously (index ranges, probabilities), which then skip.
   */
  peekHost(): TypedArray | null {
    return this.host;
  }

  /** For the device backend: a kernel wrote the device copy, so the host copy is stale. */
  wroteOnDevice(): void {
    this.host = null;
    this.deviceCurrent = true;
  }

  /** The values, read back from the device when only it holds them (then the host copy is current too). */
  async read(): Promise<TypedArray> {
    if (this.host !== null) return this.host;
    if (this.device === null) this.deviceOnly('dataAsync');
    const values = await this.device.read();
    // A kernel may have written while the read was under way; then the device stays the only copy.
    if (this.deviceCurrent && this.host === null) this.host = values;
    return values;
  }

  /**
   * Frees the memory now (`t.dispose()`, `ax.tidy`); every later use of the storage throws. Device
   * memory goes back to its backend; a host array an op or factory allocated goes to the array pool,
   * where the next allocation it can hold takes it (a fresh array costs page faults, in Chromium ~10 µs
   * a page), or back to the wasm module's memory it came from. Other host arrays are left to the
   * garbage collector.
   */
  dispose(): void {
    this.device?.release();
    if (this.host !== null && this.ownsArray) giveArray(this.dtype, this.host);
    this.device = null;
    this.deviceCurrent = false;
    this.host = null;
    this.disposed = true;
  }

  /** Frees the device copy when the host one holds the latest values too (else keeps it). */
  releaseDeviceCopy(): void {
    if (this.host === null || this.device === null) return;
    this.device.release();
    this.device = null;
    this.deviceCurrent = false;
  }

  private disposed = false;
  private recycled = false;

  /**
   * Gives the host array to the array pool for the next allocation it can hold, and leaves this
   * storage empty (every later use throws). Only for an owner that knows no tensor can reach this
   * storage any more: the autograd engine, for the gradients it made and used up itself.
   */
  recycle(): void {
    // (arrays too small for the pool, or past its bound, are left to the collector as they are)
    if (this.host === null || this.device !== null || !giveArray(this.dtype, this.host)) return;
    this.host = null;
    this.recycled = true;
  }

  private deviceOnly(what: string): never {
    if (this.recycled)
      throw new AutogradError(`${what}: internal error: this tensor's memory was recycled by the autograd engine`);
    if (this.disposed) throw new BackendError(`${what}: this tensor was disposed (by dispose() or ax.tidy)`);
    throw new BackendError(
      `${what}: this tensor's values are in ${this.device?.backend ?? 'device'} memory; read them with \`await t.dataAsync()\`, \`await t.toArrayAsync()\` or \`await t.itemAsync()\``,
    );
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
    checkLayout(storage.length, shape, strides, offset);
    if (storage.dtype !== dtype) {
      throw new DTypeError(`Tensor: dtype ${dtype} does not match the storage's dtype ${storage.dtype}`);
    }
  }

  /**
   * The storage's host array (shared with every view of it; this tensor's elements are at
   * offset + Σ index·stride). On a device backend, throws when the values are only in device memory:
   * read them with `await t.dataAsync()`.
   */
  get data(): TypedArray {
    return this.storage.data;
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
    if (value !== null) keepGradient(value);
    const old = this._grad;
    this._grad = value;
    if (old !== null && old.storage.freedWithGrad && old.storage !== value?.storage) old.storage.dispose();
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
    const self = this as { -readonly [K in 'storage' | 'shape' | 'strides' | 'offset' | 'dtype']: Tensor[K] };
    self.storage = other.storage;
    self.shape = other.shape;
    self.strides = other.strides;
    self.offset = other.offset;
    self.dtype = other.dtype;
    this.grad = null;
    return this;
  }

  /**
   * Frees this tensor's memory now, shared with every view of it, instead of when the garbage
   * collector finds it unreachable; any later use of the tensor or its views throws. On WebGPU the
   * buffer goes back to the backend's pool; on CPU backends an array an op allocated goes to the
   * array pool for reuse (so a typed array taken from it with `t.data` must not be kept).
   */
  dispose(): void {
    this.storage.dispose();
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
    return this.storage.readHost('item')[this.offset]!;
  }

  /** A fresh contiguous typed array holding the elements in row-major order. */
  toTypedArray(): TypedArray {
    return gatherValues(this, this.storage.readHost('toTypedArray'));
  }

  /**
   * Nested JS arrays (numbers; booleans for bool tensors); a number for a 0-d tensor. Typed `any`
   * like PyTorch's tolist(), since the depth depends on the runtime shape.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  toArray(): any {
    return nest(this, this.storage.readHost('toArray'));
  }

  /**
   * `toTypedArray()` on any backend: waits for a device backend's kernels and reads its memory
   * (WebGPU); on the CPU it resolves at once. After it, the synchronous accessors work until the
   * next kernel writes this tensor's storage.
   */
  async dataAsync(): Promise<TypedArray> {
    return gatherValues(this, await this.storage.read());
  }

  /** `toArray()` on any backend (see dataAsync). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async toArrayAsync(): Promise<any> {
    return nest(this, await this.storage.read());
  }

  /** `item()` on any backend (see dataAsync). */
  async itemAsync(): Promise<number> {
    if (this.numel !== 1)
      throw new ValueError(
        `itemAsync: only a tensor with one element can be converted to a number, got shape ${fmtShape(this.shape)}`,
      );
    return (await this.storage.read())[this.offset]!;
  }

  /** Calls fn with the storage offset of every element, in row-major order. */
  /** Whether every element is a finite number (true for integer and bool tensors). */
  allFinite(): boolean {
    if (this.dtype !== 'float32' && this.dtype !== 'float64') return true;
    let ok = true;
    const data = this.storage.readHost('allFinite');
    this.forEachOffset((o) => {
      if (ok && !Number.isFinite(data[o]!)) ok = false;
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

/** t's elements in row-major order, read from `data` (its storage's values), in a fresh array. */
function gatherValues(t: Tensor, data: TypedArray): TypedArray {
  const n = t.numel;
  const out = new (data.constructor as new (n: number) => TypedArray)(n);
  if (t.isContiguous()) {
    out.set(data.subarray(t.offset, t.offset + n));
    return out;
  }
  let i = 0;
  t.forEachOffset((o) => {
    out[i++] = data[o]!;
  });
  return out;
}

/** t's elements as nested arrays, read from `data` (its storage's values). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function nest(t: Tensor, data: TypedArray): any {
  const conv = t.dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
  const build = (d: number, off: number): unknown => {
    if (d === t.shape.length) return conv(data[off]!);
    const out = new Array(t.shape[d]);
    for (let i = 0; i < t.shape[d]!; i++) out[i] = build(d + 1, off + i * t.strides[d]!);
    return out;
  };
  return build(0, t.offset);
}
