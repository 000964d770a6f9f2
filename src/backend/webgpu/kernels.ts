/**
 * WebGPU compute kernels over GPU buffers: elementwise ops with broadcasting, batched strided matmul,
 * row reductions and softmax (WGSL in wgsl.ts). Data stays in GPU buffers between calls; reading it
 * back is asynchronous (`read`). Views are described as on the CPU backends (shape, strides,
 * offsets in elements), so the tensor layer can hand them over without copies.
 *
 * This is the kernel layer of the WebGPU backend: tensors whose storage lives on the GPU (and the
 * asynchronous accessors that go with them) are the next step (see issue 17's notes).
 */
import { BackendError } from '../../errors.js';
import { numel } from '../../tensor/shape.js';
import type { AdamStep, SgdStep, WindowGeometry } from '../backend.js';
import { matmulOffsets } from '../js/strided.js';
import {
  COL2IM,
  IM2COL,
  MATMUL,
  MATMUL_SMALL_K,
  MAX_RANK,
  adamShader,
  argReduceShader,
  sgdShader,
  reduceDimsShader,
  reduceShader,
  softmaxShader,
} from './wgsl.js';
import {
  BINARY_WGSL,
  ELEMENT_PARAMS,
  type GpuType,
  UNARY_WGSL,
  copyShader,
  fillShader,
  gatherShader,
  mapShader,
  scatterShader,
  whereShader,
} from './elementwise.js';
import {
  BATCH_NORM_PARAMS_BACKWARD,
  LAYER_NORM_PARAMS_BACKWARD,
  MAX_POOL,
  NORM_BACKWARD,
  NORM_FORWARD,
  NORM_PARAMS,
} from './norm.js';

/** A view of a GPU buffer: shape, strides and offset in elements, and their type (default f32). */
export interface GpuView {
  buffer: GPUBuffer;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
  type?: GpuType;
}

const typeOf = (v: GpuView): GpuType => v.type ?? 'f32';

const REDUCE: Record<string, [string, string]> = {
  sum: ['0.0', 'x + y'],
  prod: ['1.0', 'x * y'],
  max: ['bitcast<f32>(0xff7fffffu)', 'max(x, y)'],
  min: ['bitcast<f32>(0x7f7fffffu)', 'min(x, y)'],
};

/** The adapter and device, or null where WebGPU is missing (Node without Dawn, most CI browsers). */
export async function requestGpuDevice(): Promise<GPUDevice | null> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter();
  return adapter ? adapter.requestDevice() : null;
}

/** Host values as the 4-byte words the shaders read: bool bytes widen to u32, the rest as they are. */
function toWords(
  data: Float32Array | Int32Array | Uint8Array,
): Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> {
  if (data instanceof Uint8Array) return Uint32Array.from(data);
  return data as Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer>;
}

/**
 * Products with K up to this use one invocation per output and no workgroup memory: with few
 * terms, staging tiles costs more than it saves (on SwiftShader a 3×3 convolution's products ran
 * 8× faster this way; at K = 576 the two kernels tie there, and real GPUs favour tiles for long sums).
 */
const SMALL_K = 32;

/** Commands recorded before a submit (see GpuKernels.flush). */
const DISPATCHES_PER_SUBMIT = 64;

export class GpuKernels {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  /** WebGPU reports invalid calls asynchronously: the first one since the last read. */
  private failure: string | null = null;

  constructor(readonly device: GPUDevice) {
    device.addEventListener('uncapturederror', (e) => {
      this.failure ??= (e as GPUUncapturedErrorEvent).error.message;
    });
  }

  /**
   * Commands are recorded into one encoder and submitted together (when DISPATCHES_PER_SUBMIT have
   * gathered, or before a read): a submit per kernel costs more than many small kernels. Uploads
   * go through the same encoder (a copy from a staging buffer), because queue.writeBuffer would
   * run before the commands still in the encoder, which may read the old contents. Buffers used by
   * recorded commands are destroyed only after their submit.
   */
  private encoder: GPUCommandEncoder | null = null;
  private recorded = 0;
  private afterSubmit: GPUBuffer[] = [];

  private commands(): GPUCommandEncoder {
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  /** Submits every recorded command. */
  flush(): void {
    if (this.encoder) {
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
      this.recorded = 0;
    }
    for (const b of this.afterSubmit) b.destroy();
    this.afterSubmit = [];
  }

  /** Destroys a buffer once the commands recorded so far (which may use it) are submitted. */
  retire(buffer: GPUBuffer): void {
    this.afterSubmit.push(buffer);
  }

  private recordedOne(): void {
    if (++this.recorded >= DISPATCHES_PER_SUBMIT) this.flush();
  }

  /** A buffer created holding `words` (its contents written at creation, outside the queue). */
  private staged(words: ArrayBufferView, usage: number): GPUBuffer {
    const buffer = this.device.createBuffer({ size: Math.max(4, words.byteLength), usage, mappedAtCreation: true });
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
    buffer.unmap();
    return buffer;
  }

  /** A storage buffer holding `data` (float32, or int32 / bool as i32 / u32). */
  upload(data: Float32Array | Int32Array | Uint8Array): GPUBuffer {
    const words = toWords(data);
    const buffer = this.empty(words.length);
    this.write(buffer, data);
    return buffer;
  }

  /** A zeroed storage buffer of `n` 4-byte elements. */
  empty(n: number): GPUBuffer {
    return this.device.createBuffer({
      size: Math.max(4, n * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }

  /** Writes host values into the first elements of a buffer, after the commands recorded so far. */
  write(buffer: GPUBuffer, data: Float32Array | Int32Array | Uint8Array): void {
    const words = toWords(data);
    if (words.byteLength === 0) return;
    const staging = this.staged(words, GPUBufferUsage.COPY_SRC);
    this.commands().copyBufferToBuffer(staging, 0, buffer, 0, words.byteLength);
    this.afterSubmit.push(staging);
    this.recordedOne();
  }

  /** Zeroes the first `n` elements of a buffer, after the commands recorded so far. */
  clear(buffer: GPUBuffer, n: number): void {
    this.commands().clearBuffer(buffer, 0, Math.max(4, n * 4));
    this.recordedOne();
  }

  /** Copies the first `n` elements of one buffer into another, after the commands recorded so far. */
  copyBuffer(from: GPUBuffer, to: GPUBuffer, n: number): void {
    this.commands().copyBufferToBuffer(from, 0, to, 0, Math.max(4, n * 4));
    this.recordedOne();
  }

  /**
   * The first `n` elements of a buffer (f32 → Float32Array, i32 → Int32Array, u32 → Uint8Array),
   * after every kernel queued so far has run. Rejects with a BackendError when the device reported
   * an invalid call since the last read (its results are void).
   */
  async read(buffer: GPUBuffer, n: number, type: GpuType = 'f32'): Promise<Float32Array> {
    const bytes = Math.max(4, n * 4);
    const staging = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.commands().copyBufferToBuffer(buffer, 0, staging, 0, bytes);
    this.flush();
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (e) {
      staging.destroy();
      throw new BackendError(`webgpu.read: ${this.failure ?? (e as Error).message}`);
    }
    const copy = staging.getMappedRange().slice(0, n * 4);
    staging.unmap();
    staging.destroy();
    // Errors are delivered as events; a queue round trip (the map above) lets them arrive first.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const failure = this.failure;
    this.failure = null;
    if (failure) throw new BackendError(`webgpu: a kernel call was invalid: ${failure}`);
    // Typed as Float32Array for the callers that only read floats; the tensor layer asks by type.
    if (type === 'i32') return new Int32Array(copy) as unknown as Float32Array;
    if (type === 'u32') return Uint8Array.from(new Uint32Array(copy)) as unknown as Float32Array;
    return new Float32Array(copy);
  }

  private pipeline(key: string, code: () => string): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code: code() });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** Runs `pipeline` with buffers[i] at binding i (null ones skipped) and `params` at `paramsAt`. */
  private run(
    pipeline: GPUComputePipeline,
    buffers: (GPUBuffer | null)[],
    params: Int32Array<ArrayBuffer>,
    groups: [number, number, number],
    paramsAt = 3,
  ): void {
    const paramBuffer = this.staged(params, GPUBufferUsage.STORAGE);
    const entries: GPUBindGroupEntry[] = [{ binding: paramsAt, resource: { buffer: paramBuffer } }];
    buffers.forEach((b, i) => b && entries.push({ binding: i, resource: { buffer: b } }));
    const bind = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = this.commands().beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(...groups);
    pass.end();
    this.afterSubmit.push(paramBuffer);
    this.recordedOne();
  }

  /** Workgroups for `n` invocations of 256: x up to 65 535, the rest in y. */
  private groups(n: number): [number, number, number] {
    const g = Math.max(1, Math.ceil(n / 256));
    return g <= 65535 ? [g, 1, 1] : [65535, Math.ceil(g / 65535), 1];
  }

  /** elementwise.ts's parameters: shape, up to four views (null: unused), p0, p1 and four extra ints. */
  private elementParams(
    shape: readonly number[],
    views: readonly (GpuView | null)[],
    p0 = 0,
    p1 = 0,
    extra: readonly number[] = [],
  ): Int32Array<ArrayBuffer> {
    if (shape.length > MAX_RANK) throw new BackendError(`webgpu: rank ${shape.length} is more than ${MAX_RANK}`);
    const p = new Int32Array(ELEMENT_PARAMS) as Int32Array<ArrayBuffer>;
    p[0] = shape.length;
    p[1] = numel(shape);
    p.set(new Int32Array(new Float32Array([p0, p1]).buffer), 2);
    p.set(extra, 4);
    shape.forEach((n, d) => (p[8 + d] = n));
    views.forEach((v, k) => {
      if (!v) return;
      v.strides.forEach((st, d) => (p[14 + 7 * k + d] = st));
      p[20 + 7 * k] = v.offset;
    });
    return p;
  }

  /** Runs an elementwise kernel over `shape` (buffers by binding; the parameters go to binding 7). */
  private map(key: string, code: () => string, buffers: (GPUBuffer | null)[], params: Int32Array<ArrayBuffer>): void {
    if (params[1] === 0) return;
    this.run(this.pipeline(key, code), buffers, params, this.groups(params[1]!), 7);
  }

  unary(op: string, x: GpuView, out: GpuView, p0 = 0, p1 = 0): void {
    const e = UNARY_WGSL[op as keyof typeof UNARY_WGSL];
    if (!e) throw new BackendError(`webgpu.unary: no kernel for '${op}'`);
    const types = [typeOf(x)] as const;
    this.map(
      `unary:${op}:${types}:${typeOf(out)}`,
      () => mapShader(e, types, typeOf(out)),
      [x.buffer, null, out.buffer],
      this.elementParams(out.shape, [x, null, out], p0, p1),
    );
  }

  /** a and b have out's shape (broadcast dims with stride 0). */
  binary(op: string, a: GpuView, b: GpuView, out: GpuView): void {
    const e = BINARY_WGSL[op as keyof typeof BINARY_WGSL];
    if (!e) throw new BackendError(`webgpu.binary: no kernel for '${op}'`);
    const types = [typeOf(a), typeOf(b)] as const;
    this.map(
      `binary:${op}:${types}:${typeOf(out)}`,
      () => mapShader(e, types, typeOf(out)),
      [a.buffer, b.buffer, out.buffer],
      this.elementParams(out.shape, [a, b, out]),
    );
  }

  /** out = x, converting between types (bool: nonzero is 1; int: truncation toward zero). */
  copy(x: GpuView, out: GpuView): void {
    const from = typeOf(x),
      to = typeOf(out);
    this.map(
      `copy:${from}:${to}`,
      () => copyShader(from, to),
      [x.buffer, null, out.buffer],
      this.elementParams(out.shape, [x, null, out]),
    );
  }

  fill(out: GpuView, value: number): void {
    const to = typeOf(out);
    this.map(
      `fill:${to}`,
      () => fillShader(to),
      [null, null, out.buffer],
      this.elementParams(out.shape, [null, null, out], value, 0, [to === 'f32' ? 0 : Number(value) | 0]),
    );
  }

  /** out = cond ? a : b (cond bool), all of out's shape. */
  where(cond: GpuView, a: GpuView, b: GpuView, out: GpuView): void {
    const t = typeOf(out);
    this.map(
      `where:${t}`,
      () => whereShader(t),
      [cond.buffer, a.buffer, out.buffer, b.buffer],
      this.elementParams(out.shape, [cond, a, out, b]),
    );
  }

  /** x's view with its `axis` stride replaced by 0; the stride and size go to extra ints. */
  private axisParams(x: GpuView, axis: number, index: GpuView, other: GpuView): Int32Array<ArrayBuffer> {
    const xs = { ...x, strides: x.strides.map((st, d) => (d === axis ? 0 : st)) };
    return this.elementParams(index.shape, [xs, index, other], 0, 0, [x.strides[axis]!, x.shape[axis]!]);
  }

  /** out[..i..] = x[.. index[..i..] on axis ..]; out has index's shape (index i32). */
  gather(x: GpuView, axis: number, index: GpuView, out: GpuView): void {
    const t = typeOf(x);
    this.map(
      `gather:${t}`,
      () => gatherShader(t),
      [x.buffer, index.buffer, out.buffer],
      this.axisParams(x, axis, index, out),
    );
  }

  /** In place: out[.. index[..i..] on axis ..] (= or +=) src[..i..] over index's shape. */
  scatter(mode: 'assign' | 'add', out: GpuView, axis: number, index: GpuView, src: GpuView): void {
    const t = typeOf(out);
    if (mode === 'add' && t === 'u32') throw new BackendError('webgpu.scatter: cannot add into a bool tensor');
    this.map(
      `scatter:${mode}:${t}`,
      () => scatterShader(t, mode === 'add'),
      [out.buffer, index.buffer, src.buffer],
      this.axisParams(out, axis, index, src),
    );
  }

  /**
   * out[..., i, j] (+)= Σ_k a[..., i, k] · b[..., k, j] over the leading (batch) dims of out, which
   * a and b have too (broadcast ones with stride 0).
   */
  matmul(a: GpuView, b: GpuView, out: GpuView, accumulate = false): void {
    const r = out.shape.length;
    if (r < 2 || a.shape.length !== r || b.shape.length !== r)
      throw new BackendError(
        `webgpu.matmul: expected views of one rank ≥ 2, got ${a.shape.length}, ${b.shape.length}, ${r}`,
      );
    const M = out.shape[r - 2]!,
      N = out.shape[r - 1]!,
      K = a.shape[r - 1]!;
    if (a.shape[r - 2] !== M || b.shape[r - 2] !== K || b.shape[r - 1] !== N)
      throw new BackendError(`webgpu.matmul: shapes [${a.shape}] · [${b.shape}] → [${out.shape}] do not fit`);
    const count = numel(out.shape.slice(0, r - 2));
    if (count === 0 || M === 0 || N === 0) return;
    if (count > 65535) throw new BackendError(`webgpu.matmul: ${count} matrices in one batch, more than 65 535`);
    const p = new Int32Array(10 + 3 * count) as Int32Array<ArrayBuffer>;
    p.set([
      M,
      N,
      K,
      a.strides[r - 2]!,
      a.strides[r - 1]!,
      b.strides[r - 2]!,
      b.strides[r - 1]!,
      out.strides[r - 2]!,
      out.strides[r - 1]!,
      accumulate ? 1 : 0,
    ]);
    p.set(matmulOffsets(a, b, out), 10);
    if (K <= SMALL_K)
      this.run(
        this.pipeline('matmulSmallK', () => MATMUL_SMALL_K),
        [a.buffer, b.buffer, out.buffer],
        p,
        [Math.ceil((M * N) / 64), 1, count],
      );
    else
      this.run(
        this.pipeline('matmul', () => MATMUL),
        [a.buffer, b.buffer, out.buffer],
        p,
        [Math.ceil(N / 16), Math.ceil(M / 16), count],
      );
  }

  /**
   * wgsl.ts's ROWS parameters: the kept dims (x's shape without `axis`) locate each row of x and its
   * output; [rank, rows, shape × 6, x strides × 6, out strides × 6, unused × 6, x offset, out offset,
   * unused, row length, row step, out step].
   */
  private rows(x: GpuView, axis: number, out: GpuView, outStep: number): Int32Array<ArrayBuffer> {
    const kept = x.shape.filter((_, d) => d !== axis);
    if (kept.length > MAX_RANK) throw new BackendError(`webgpu: rank ${x.shape.length} is more than ${MAX_RANK + 1}`);
    const p = new Int32Array(32) as Int32Array<ArrayBuffer>;
    p[0] = kept.length;
    p[1] = numel(kept);
    kept.forEach((n, d) => (p[2 + d] = n));
    x.strides.filter((_, d) => d !== axis).forEach((st, d) => (p[8 + d] = st));
    out.strides.forEach((st, d) => (p[14 + d] = st));
    p[26] = x.offset;
    p[27] = out.offset;
    p[29] = x.shape[axis]!;
    p[30] = x.strides[axis]!;
    p[31] = outStep;
    return p;
  }

  /** out (x's rank, size 1 on each reduced dim) = the reduction of x over those dims. */
  reduceDims(op: string, x: GpuView, out: GpuView): void {
    const r = REDUCE[op];
    if (!r) throw new BackendError(`webgpu.reduce: no kernel for '${op}'`);
    const rank = x.shape.length;
    if (rank > MAX_RANK) throw new BackendError(`webgpu: rank ${rank} is more than ${MAX_RANK}`);
    const outputs = numel(out.shape);
    if (outputs === 0) return;
    const reduced = x.shape.map((n, d) => (out.shape[d] === 1 ? n : 1));
    const p = new Int32Array(32) as Int32Array<ArrayBuffer>;
    p.set([rank, outputs, numel(reduced), x.offset, out.offset]);
    out.shape.forEach((n, d) => (p[8 + d] = n));
    x.strides.forEach((st, d) => (p[14 + d] = st));
    out.strides.forEach((st, d) => (p[20 + d] = st));
    reduced.forEach((n, d) => (p[26 + d] = n));
    this.run(
      this.pipeline(`reduceDims:${op}`, () => reduceDimsShader(r[0], r[1])),
      [x.buffer, null, out.buffer],
      p,
      this.rowGroups(outputs),
    );
  }

  /** Index (i32) of the first max/min along axis; out has x's shape without axis. */
  argReduce(op: 'argmax' | 'argmin', x: GpuView, axis: number, out: GpuView): void {
    const kept = x.shape.filter((_, d) => d !== axis);
    if (kept.length > MAX_RANK) throw new BackendError(`webgpu: rank ${x.shape.length} is more than ${MAX_RANK + 1}`);
    const rows = numel(kept);
    if (rows === 0 || x.shape[axis] === 0) return;
    const p = new Int32Array(26) as Int32Array<ArrayBuffer>;
    p.set([kept.length, rows, x.shape[axis]!, x.strides[axis]!, x.offset, out.offset]);
    kept.forEach((n, d) => (p[8 + d] = n));
    x.strides.filter((_, d) => d !== axis).forEach((st, d) => (p[14 + d] = st));
    out.strides.forEach((st, d) => (p[20 + d] = st));
    this.run(
      this.pipeline(`argReduce:${op}`, () => argReduceShader(op === 'argmax')),
      [x.buffer, null, out.buffer],
      p,
      this.groups(rows),
    );
  }

  /** out (x's shape without `axis`) = the reduction of x along `axis`. */
  reduce(op: string, x: GpuView, axis: number, out: GpuView): void {
    const r = REDUCE[op];
    if (!r) throw new BackendError(`webgpu.reduce: no kernel for '${op}'`);
    const p = this.rows(x, axis, out, 0);
    if (p[1] === 0) return;
    this.run(
      this.pipeline(`reduce:${op}`, () => reduceShader(r[0], r[1])),
      [x.buffer, null, out.buffer],
      p,
      this.rowGroups(p[1]!),
    );
  }

  /** softmax (or log-softmax) of x along `axis` into out (x's shape). */
  softmax(x: GpuView, axis: number, out: GpuView, log = false): void {
    const outKept: GpuView = {
      ...out,
      shape: out.shape.filter((_, d) => d !== axis),
      strides: out.strides.filter((_, d) => d !== axis),
    };
    const p = this.rows(x, axis, outKept, out.strides[axis]!);
    if (p[1] === 0 || x.shape[axis] === 0) return;
    this.run(
      this.pipeline(`softmax:${log}`, () => softmaxShader(log)),
      [x.buffer, null, out.buffer],
      p,
      this.rowGroups(p[1]!),
    );
  }

  private windowParams(image: GpuView, g: WindowGeometry, cols: GpuView, padValue = 0): Int32Array<ArrayBuffer> {
    if (image.shape.length !== 4 || cols.shape.length !== 6)
      throw new BackendError(
        `webgpu.im2col: expected an image [N, C, H, W] and cols [N, C, kh, kw, oh, ow], got [${image.shape}] and [${cols.shape}]`,
      );
    const [N, C] = image.shape as [number, number];
    const want = [N, C, g.kernel[0], g.kernel[1], g.output[0], g.output[1]];
    if (want.some((v, i) => cols.shape[i] !== v) || image.shape[2] !== g.input[0] || image.shape[3] !== g.input[1])
      throw new BackendError(
        `webgpu.im2col: cols [${cols.shape}] and image [${image.shape}] do not fit the window geometry`,
      );
    const p = new Int32Array(27) as Int32Array<ArrayBuffer>;
    p.set([
      N,
      C,
      ...g.kernel,
      ...g.stride,
      ...g.padding,
      ...g.dilation,
      ...g.input,
      ...g.output,
      ...image.strides,
      ...cols.strides,
      image.offset,
      cols.offset,
    ]);
    p[26] = new Int32Array(new Float32Array([padValue]).buffer)[0]!;
    return p;
  }

  /** Unfolds windows: image [N, C, H, W] into cols [N, C, kh, kw, oh, ow]; outside the image, padValue. */
  im2col(image: GpuView, g: WindowGeometry, padValue: number, cols: GpuView): void {
    const p = this.windowParams(image, g, cols, padValue);
    const n = numel(cols.shape);
    if (n > 0)
      this.run(
        this.pipeline('im2col', () => IM2COL),
        [image.buffer, null, cols.buffer],
        p,
        this.groups(n),
      );
  }

  /** The adjoint of im2col: adds cols [N, C, kh, kw, oh, ow] into image [N, C, H, W]. */
  col2im(cols: GpuView, g: WindowGeometry, image: GpuView): void {
    const p = this.windowParams(image, g, cols);
    const n = numel(image.shape);
    if (n > 0)
      this.run(
        this.pipeline('col2im', () => COL2IM),
        [cols.buffer, null, image.buffer],
        p,
        this.groups(n),
      );
  }

  /** i32 parameters, the floats among them stored as their bits. */
  private mixed(ints: number[], floats: number[]): Int32Array<ArrayBuffer> {
    const p = new Int32Array(ints.length + floats.length) as Int32Array<ArrayBuffer>;
    p.set(ints);
    p.set(new Int32Array(new Float32Array(floats).buffer), ints.length);
    return p;
  }

  /** One fused Adam/AdamW step over contiguous views of equal size (vmax: amsgrad). */
  adamStep(param: GpuView, grad: GpuView, m: GpuView, v: GpuView, vmax: GpuView | null, o: AdamStep): void {
    const n = numel(param.shape);
    if (n === 0) return;
    const p = this.mixed(
      [n, param.offset, grad.offset, m.offset, v.offset, vmax?.offset ?? 0, o.decoupled ? 1 : 0],
      [o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, 1 - o.beta1 ** o.step, Math.sqrt(1 - o.beta2 ** o.step)],
    );
    const buffers = [param.buffer, grad.buffer, m.buffer, null, v.buffer, vmax?.buffer ?? null];
    this.run(
      this.pipeline(`adam:${vmax !== null}`, () => adamShader(vmax !== null)),
      buffers,
      p,
      this.groups(n),
    );
  }

  /** One fused SGD step (momentum buffer when given) over contiguous views of equal size. */
  sgdStep(param: GpuView, grad: GpuView, buffer: GpuView | null, o: SgdStep): void {
    const n = numel(param.shape);
    if (n === 0) return;
    const momentum = buffer !== null && o.momentum !== 0;
    const p = this.mixed(
      [n, param.offset, grad.offset, buffer?.offset ?? 0, o.nesterov ? 1 : 0, o.firstStep ? 1 : 0],
      [o.lr, o.momentum, o.dampening, o.weightDecay],
    );
    const buffers = [param.buffer, grad.buffer, momentum ? buffer.buffer : null];
    this.run(
      this.pipeline(`sgd:${momentum}`, () => sgdShader(momentum)),
      buffers,
      p,
      this.groups(n),
    );
  }

  /** A one-element buffer bound where a kernel's optional operand is absent (one per binding). */
  private placeholder(binding: number): GPUBuffer {
    return (this.placeholders[binding] ??= this.empty(1));
  }
  private readonly placeholders: GPUBuffer[] = [];

  /**
   * Normalises groups of values (see norm.ts): batch norm over x [N, C, S] (groups C, count N·S) or
   * layer norm over x [R, D] (groups R, count D), writing out and each group's mean, variance, rstd.
   * Views are contiguous with offsets; `layer` puts weight and bias along the group.
   */
  normalize(
    x: GpuView,
    weight: GpuView | null,
    bias: GpuView | null,
    eps: number,
    out: GpuView,
    stats: [GpuView, GpuView, GpuView],
    layer: boolean,
  ): void {
    const p = this.normParams(x, weight, bias, eps, stats, layer);
    p[6] = out.offset;
    if (p[0] === 0 || p[1] === 0) return;
    this.run(
      this.pipeline('normForward', () => NORM_FORWARD),
      [
        x.buffer,
        weight?.buffer ?? this.placeholder(1),
        bias?.buffer ?? this.placeholder(2),
        out.buffer,
        ...stats.map((s) => s.buffer),
      ],
      p,
      this.rowGroups(p[0]!),
      7,
    );
  }

  /** The gradient of `normalize`: dx, and dWeight/dBias when given (see norm.ts). */
  normalizeBackward(
    g: GpuView,
    x: GpuView,
    mean: GpuView,
    rstd: GpuView,
    weight: GpuView | null,
    dx: GpuView,
    dWeight: GpuView | null,
    dBias: GpuView | null,
    layer: boolean,
  ): void {
    const p = this.normParams(x, weight, null, 0, [mean, mean, rstd], layer);
    p[14] = g.offset;
    p[15] = dx.offset;
    if (p[0] === 0 || p[1] === 0) return;
    this.run(
      this.pipeline('normBackward', () => NORM_BACKWARD),
      [x.buffer, weight?.buffer ?? this.placeholder(1), g.buffer, dx.buffer, mean.buffer, null, rstd.buffer],
      p,
      this.rowGroups(p[0]!),
      7,
    );
    if (!dWeight && !dBias) return;
    const dw = dWeight?.buffer ?? this.placeholder(5),
      db = dBias?.buffer ?? this.placeholder(3);
    if (!layer) {
      p[16] = dWeight ? dWeight.offset : -1;
      p[17] = dBias ? dBias.offset : -1;
      this.run(
        this.pipeline('batchNormParams', () => BATCH_NORM_PARAMS_BACKWARD),
        [x.buffer, null, g.buffer, db, mean.buffer, dw, rstd.buffer],
        p,
        this.rowGroups(p[0]!),
        7,
      );
      return;
    }
    const [R, D] = x.shape as [number, number];
    const q = new Int32Array([
      R,
      D,
      g.offset,
      x.offset,
      mean.offset,
      rstd.offset,
      dWeight ? dWeight.offset : -1,
      dBias ? dBias.offset : -1,
    ]) as Int32Array<ArrayBuffer>;
    this.run(
      this.pipeline('layerNormParams', () => LAYER_NORM_PARAMS_BACKWARD),
      [x.buffer, null, g.buffer, db, mean.buffer, dw, rstd.buffer],
      q,
      [Math.ceil(D / 64), 1, 1],
      7,
    );
  }

  private normParams(
    x: GpuView,
    weight: GpuView | null,
    bias: GpuView | null,
    eps: number,
    stats: [GpuView, GpuView, GpuView],
    layer: boolean,
  ): Int32Array<ArrayBuffer> {
    const p = new Int32Array(NORM_PARAMS) as Int32Array<ArrayBuffer>;
    if (layer) {
      const [R, D] = x.shape as [number, number];
      p.set([R, D, D, 0, D]);
    } else {
      const [N, C, S] = x.shape as [number, number, number];
      p.set([C, N * S, S, C * S, S]);
    }
    p[5] = x.offset;
    p[7] = (weight ? 1 : 0) | (bias ? 2 : 0) | (layer ? 4 : 0);
    p[8] = new Int32Array(new Float32Array([eps]).buffer)[0]!;
    p[9] = stats[0].offset;
    p[10] = stats[1].offset;
    p[11] = stats[2].offset;
    p[12] = weight?.offset ?? 0;
    p[13] = bias?.offset ?? 0;
    return p;
  }

  /** Max pooling: x [N, C, H, W] into out and indices (contiguous [N, C, oh, ow]); see norm.ts. */
  maxPool2d(x: GpuView, g: WindowGeometry, out: GpuView, indices: GpuView): void {
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const n = N * C * g.output[0] * g.output[1];
    if (n === 0) return;
    const p = new Int32Array([
      N,
      C,
      H,
      W,
      ...g.output,
      ...g.kernel,
      ...g.stride,
      ...g.padding,
      ...g.dilation,
      ...x.strides,
      x.offset,
      out.offset,
      indices.offset,
    ]) as Int32Array<ArrayBuffer>;
    this.run(
      this.pipeline('maxPool2d', () => MAX_POOL),
      [x.buffer, null, out.buffer, indices.buffer],
      p,
      this.groups(n),
      7,
    );
  }

  private rowGroups(rows: number): [number, number, number] {
    return rows <= 65535 ? [rows, 1, 1] : [65535, Math.ceil(rows / 65535), 1];
  }
}
