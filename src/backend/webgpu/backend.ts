/**
 * The WebGPU backend: the Backend interface over GpuKernels, with tensors whose values live in GPU
 * memory between ops. Kernel outputs are allocated on the GPU (`allocate`); tensors made on the host
 * (`ax.tensor`, data loaders, parameters' initial values) are uploaded on their first use and
 * re-uploaded only when host code took their array for writing (see Storage). Reading values back
 * is asynchronous (`await t.dataAsync()`), so ops that need values on the host (index checks, data
 * dependent shapes) take them from host copies when there are any and skip checks otherwise.
 *
 * Types: float32 (f32), int32 (i32) and bool (u32) tensors; float64 is refused (WGSL has no f64).
 * Fused kernels it lacks (LSTM cell, layer/batch norm, pooling) run on the ops' composite fallbacks.
 */
import { BackendError, DTypeError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import { contiguousStrides, isContiguous, numel } from '../../tensor/shape.js';
import { recordAllocation, recordUpload } from '../../tensor/scope.js';
import { Storage, Tensor } from '../../tensor/tensor.js';
import type { AdamStep, Backend, BinaryOp, ReduceOp, SgdStep, UnaryOp, View, WindowGeometry } from '../backend.js';
import type { GpuType } from './elementwise.js';
import { type GpuKernels, type GpuView } from './kernels.js';
import { BufferPool, GpuMemory, type GpuMemoryStats } from './memory.js';

const TYPES: Partial<Record<DType, GpuType>> = { float32: 'f32', int32: 'i32', bool: 'u32' };

function gpuType(dtype: DType, op: string): GpuType {
  const t = TYPES[dtype];
  if (!t)
    throw new DTypeError(
      `webgpu.${op}: ${dtype} tensors are not supported on the GPU (WGSL has no 64-bit floats); use float32`,
    );
  return t;
}

function storageOf(v: View, op: string): Storage {
  if (v instanceof Tensor) return v.storage;
  throw new BackendError(`webgpu.${op}: expected a tensor view (the WebGPU backend finds GPU memory through it)`);
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  private readonly pool: BufferPool;

  constructor(readonly kernels: GpuKernels) {
    this.pool = new BufferPool(kernels);
  }

  /** What the buffer pool holds: live and pooled buffers and bytes, buffers ever created. */
  memory(): GpuMemoryStats {
    return this.pool.snapshot();
  }

  allocate(dtype: DType, n: number): Storage {
    const memory = this.pool.take(gpuType(dtype, 'allocate'), n, true);
    const s = Storage.onDevice(memory, dtype, n);
    this.pool.track(s, memory);
    recordAllocation(s);
    return s;
  }

  /** The storage's GPU buffer holding its latest values (uploading the host copy when it is newer). */
  private buffer(s: Storage, op: string): GPUBuffer {
    let memory = s.device as GpuMemory | null;
    if (memory?.buffer && s.deviceCurrent) return memory.buffer;
    const host = s.readHost(`webgpu.${op}`);
    if (!memory?.buffer) {
      memory = this.pool.take(gpuType(s.dtype, op), s.length, false);
      s.device = memory;
      this.pool.track(s, memory);
      recordUpload(s);
    }
    this.kernels.write(memory.buffer!, host as Float32Array | Int32Array | Uint8Array);
    s.deviceCurrent = true;
    return memory.buffer!;
  }

  private view(v: View, op: string): GpuView {
    const s = storageOf(v, op);
    return {
      buffer: this.buffer(s, op),
      shape: v.shape,
      strides: v.strides,
      offset: v.offset,
      type: gpuType(s.dtype, op),
    };
  }

  /**
   * Runs a kernel reading `inputs` and writing `outputs` (GPU views in that order). WebGPU refuses a
   * buffer bound for reading and for writing in one call, so an input sharing an output's storage
   * is read from a copy. The outputs' host copies are stale afterwards.
   */
  private launch(
    op: string,
    inputs: (View | null)[],
    outputs: View[],
    kernel: (...views: (GpuView | null)[]) => void,
  ): void {
    const outViews = outputs.map((o) => this.view(o, op));
    const written = new Set(outViews.map((o) => o.buffer));
    const scratch: GpuMemory[] = [];
    const inViews = inputs.map((v) => {
      if (v === null) return null;
      const g = this.view(v, op);
      if (!written.has(g.buffer)) return g;
      const s = storageOf(v, op);
      const copy = this.pool.scratch(g.type!, s.length);
      this.kernels.copyBuffer(g.buffer, copy.buffer!, s.length);
      scratch.push(copy);
      return { ...g, buffer: copy.buffer! };
    });
    kernel(...inViews, ...outViews);
    for (const c of scratch) c.release(); // queued work keeps using it before any later reuse
    for (const o of outputs) storageOf(o, op).wroteOnDevice();
  }

  copy(x: View, out: View): void {
    this.launch('copy', [x], [out], (a, o) => this.kernels.copy(a!, o!));
  }

  fill(out: View, value: number): void {
    this.launch('fill', [], [out], (o) => this.kernels.fill(o!, value));
  }

  unary(op: UnaryOp, x: View, out: View, p0 = 0, p1 = 0): void {
    this.launch(op, [x], [out], (a, o) => this.kernels.unary(op, a!, o!, p0, p1));
  }

  binary(op: BinaryOp, a: View, b: View, out: View): void {
    this.launch(op, [a, b], [out], (x, y, o) => this.kernels.binary(op, x!, y!, o!));
  }

  where(cond: View, a: View, b: View, out: View): void {
    this.launch('where', [cond, a, b], [out], (c, x, y, o) => this.kernels.where(c!, x!, y!, o!));
  }

  /** A float32 copy of an integer or bool view, for the kernels that compute in f32 only. */
  private asFloat(v: View, op: string): View {
    if (storageOf(v, op).dtype === 'float32') return v;
    const out = this.fresh(v.shape, 'float32');
    this.copy(v, out);
    return out;
  }

  reduce(op: ReduceOp, x: View, out: View): void {
    const outFloat = storageOf(out, op).dtype === 'float32';
    const target = outFloat ? out : this.fresh(out.shape, 'float32');
    this.launch(op, [this.asFloat(x, op)], [target], (a, o) => this.kernels.reduceDims(op, a!, o!));
    if (!outFloat) this.copy(target, out);
  }

  argReduce(op: 'argmax' | 'argmin', x: View, axis: number, out: View): void {
    this.launch(op, [this.asFloat(x, op)], [out], (a, o) => this.kernels.argReduce(op, a!, axis, o!));
  }

  matmul(a: View, b: View, out: View, accumulate = false): void {
    this.floatOnly('matmul', a, b, out);
    this.launch('matmul', [a, b], [out], (x, y, o) => this.kernels.matmul(x!, y!, o!, accumulate));
  }

  gather(x: View, axis: number, index: View, out: View): void {
    this.launch('gather', [x, index], [out], (a, i, o) => this.kernels.gather(a!, axis, i!, o!));
  }

  scatter(mode: 'assign' | 'add', out: View, axis: number, index: View, src: View): void {
    this.launch('scatter', [index, src], [out], (i, s, o) => this.kernels.scatter(mode, o!, axis, i!, s!));
  }

  im2col(x: View, geometry: WindowGeometry, padValue: number, out: View): void {
    this.floatOnly('im2col', x, out);
    this.launch('im2col', [x], [out], (a, o) => this.kernels.im2col(a!, geometry, padValue, o!));
  }

  col2im(cols: View, geometry: WindowGeometry, out: View): void {
    this.floatOnly('col2im', cols, out);
    this.launch('col2im', [cols], [out], (c, o) => this.kernels.col2im(c!, geometry, o!));
  }

  softmax(x: View, axis: number, out: View, log: boolean): void {
    this.floatOnly('softmax', x, out);
    this.launch('softmax', [x], [out], (a, o) => this.kernels.softmax(a!, axis, o!, log));
  }

  sgdStep(param: View, grad: View, buffer: View | null, o: SgdStep): void {
    this.floatOnly('sgdStep', param, grad);
    const outs = buffer ? [param, buffer] : [param];
    this.launch('sgdStep', [grad], outs, (g, p, b) => this.kernels.sgdStep(p!, g!, b ?? null, o));
  }

  adamStep(param: View, grad: View, m: View, v: View, vmax: View | null, o: AdamStep): void {
    this.floatOnly('adamStep', param, grad);
    const outs = vmax ? [param, m, v, vmax] : [param, m, v];
    this.launch('adamStep', [grad], outs, (g, p, mm, vv, vm) => this.kernels.adamStep(p!, g!, mm!, vv!, vm ?? null, o));
  }

  layerNorm(x: View, weight: View | null, bias: View | null, eps: number, out: View, mean: View, rstd: View): void {
    this.floatOnly('layerNorm', x, out);
    const variance = this.fresh(mean.shape, 'float32');
    this.launch('layerNorm', [this.dense(x), weight, bias], [out, mean, variance, rstd], (xv, w, b, o, m, v, r) =>
      this.kernels.normalize(xv!, w, b, eps, o!, [m!, v!, r!], true),
    );
  }

  layerNormBackward(
    g: View,
    x: View,
    mean: View,
    rstd: View,
    weight: View | null,
    dx: View,
    dWeight: View | null,
    dBias: View | null,
  ): void {
    this.normBackward('layerNormBackward', true, g, x, mean, rstd, weight, dx, dWeight, dBias);
  }

  batchNorm(
    x: View,
    weight: View | null,
    bias: View | null,
    eps: number,
    out: View,
    mean: View,
    variance: View,
    rstd: View,
  ): void {
    this.floatOnly('batchNorm', x, out);
    this.launch('batchNorm', [this.dense(x), weight, bias], [out, mean, variance, rstd], (xv, w, b, o, m, v, r) =>
      this.kernels.normalize(xv!, w, b, eps, o!, [m!, v!, r!], false),
    );
  }

  batchNormBackward(
    g: View,
    x: View,
    mean: View,
    rstd: View,
    weight: View | null,
    dx: View,
    dWeight: View | null,
    dBias: View | null,
  ): void {
    this.normBackward('batchNormBackward', false, g, x, mean, rstd, weight, dx, dWeight, dBias);
  }

  /** Layer or batch norm's gradient (GpuKernels.normalizeBackward): dx, and dWeight/dBias when given. */
  private normBackward(
    op: string,
    layer: boolean,
    g: View,
    x: View,
    mean: View,
    rstd: View,
    weight: View | null,
    dx: View,
    dWeight: View | null,
    dBias: View | null,
  ): void {
    this.floatOnly(op, g, x, dx);
    const outs = [dx, dWeight, dBias].filter((v): v is View => v !== null);
    this.launch(op, [this.dense(g), this.dense(x), mean, rstd, weight], outs, (gv, xv, m, r, w, d, ...rest) =>
      this.kernels.normalizeBackward(
        gv!,
        xv!,
        m!,
        r!,
        w,
        d!,
        dWeight ? rest[0]! : null,
        dBias ? rest.at(-1)! : null,
        layer,
      ),
    );
  }

  maxPool2d(x: View, geometry: WindowGeometry, out: View, indices: View): void {
    this.floatOnly('maxPool2d', x, out);
    this.launch('maxPool2d', [x], [out, indices], (xv, o, i) => this.kernels.maxPool2d(xv!, geometry, o!, i!));
  }

  /** v itself when its elements are in row-major order from its offset, else a contiguous copy. */
  private dense(v: View): View {
    if (isContiguous(v.shape, v.strides)) return v;
    const t = this.fresh(v.shape, storageOf(v, 'copy').dtype);
    this.copy(v, t);
    return t;
  }

  /** A fresh contiguous tensor in GPU memory. */
  private fresh(shape: readonly number[], dtype: DType): Tensor {
    return new Tensor(this.allocate(dtype, numel(shape)), shape, contiguousStrides(shape), 0, dtype);
  }

  private floatOnly(op: string, ...views: View[]): void {
    for (const v of views) {
      const dtype = storageOf(v, op).dtype;
      if (dtype !== 'float32') throw new DTypeError(`webgpu.${op}: expected float32 tensors, got ${dtype}`);
    }
  }
}
