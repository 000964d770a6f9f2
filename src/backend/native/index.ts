import type { AdamStep, Backend, BinaryOp, ReduceOp, SgdStep, UnaryOp, View, WindowGeometry } from '../backend.js';
import { JsBackend } from '../js/index.js';
import { matmulOffsets } from '../js/strided.js';
import type { Addon } from './addon.js';
import type { HostMemory } from '../../tensor/host-memory.js';
import { BackendError } from '../../errors.js';

/** Op name → op code, from the list the addon exports (native/src/elementwise.h is the one source). */
function codes(names: readonly string[]): Record<string, number> {
  const map: Record<string, number> = Object.create(null) as Record<string, number>;
  names.forEach((name, i) => {
    map[name] = i;
  });
  return map;
}

const NO_COLS = { strides: [0, 0, 0, 0, 0, 0], offset: 0 };

const f32 = (v: View): v is View & { data: Float32Array } => v.data instanceof Float32Array;

/**
 * Below this many elements an elementwise kernel costs less in JS than the N-API call and its
 * descriptor (measured: ~1 µs for a 4-element add in JS, ~2.4 µs through the addon).
 */
const SMALL = 1024;

/**
 * Descriptors are views into one ring of doubles, not arrays of their own: a fresh Float64Array of
 * more than 64 bytes is a malloc'd backing store (and a smaller one is moved off V8's heap when the
 * addon reads it), which cost ~1 µs a call, a quarter of a batch-1 matrix product. The addon reads a
 * descriptor during the call and keeps nothing; a descriptor is at most 1/16 of the ring, so the
 * few one call writes never overwrite each other when the ring wraps.
 */
const RING = new Float64Array(16384);
let ringAt = 0;

function scratch(n: number): Float64Array {
  if (n > 1024) return new Float64Array(n);
  if (ringAt + n > RING.length) ringAt = 0;
  const view = RING.subarray(ringAt, ringAt + n);
  ringAt += n;
  return view;
}

/** [rank, shape, strides of each view..., offsets of each view...] */
function describe(shape: readonly number[], views: readonly View[], extra: number[] = []): Float64Array {
  const r = shape.length;
  const d = scratch(1 + r * (1 + views.length) + views.length + extra.length);
  let i = 0;
  d[i++] = r;
  for (const s of shape) d[i++] = s;
  for (const v of views) for (let k = 0; k < r; k++) d[i++] = v.strides[k]!;
  for (const v of views) d[i++] = v.offset;
  for (const e of extra) d[i++] = e;
  return d;
}

/** The window descriptor of im2col/col2im; kernels that read windows without columns pass none (zero strides). */
function windowDesc(img: View, g: WindowGeometry, cols: Pick<View, 'strides' | 'offset'> = NO_COLS): Float64Array {
  return new Float64Array([
    img.shape[0]!,
    img.shape[1]!,
    ...img.strides,
    g.kernel[0],
    g.kernel[1],
    g.stride[0],
    g.stride[1],
    g.padding[0],
    g.padding[1],
    g.dilation[0],
    g.dilation[1],
    g.input[0],
    g.input[1],
    g.output[0],
    g.output[1],
    ...cols.strides,
    img.offset,
    cols.offset,
  ]);
}

/**
 * C++ kernels (SIMD, threads) for float32; every other dtype, and the few kernels the addon does
 * not have, run on the JS backend, which stays the reference.
 */
export class NativeBackend implements Backend {
  readonly name: string;
  private readonly js = new JsBackend();
  private readonly UNARY: Record<string, number>;
  private readonly BINARY: Record<string, number>;
  private readonly REDUCE: Record<string, number>;
  // Comparisons of float32 operands into a bool output (one byte per element).
  private readonly COMPARE: Record<string, number>;

  /** Where new host arrays come from while this backend is selected (the wasm build's shared memory). */
  readonly hostMemory?: HostMemory;

  /** Tensors with fewer elements run on the JS backend (0 sends everything native: the fuzzers do). */
  readonly minElements: number;

  constructor(
    readonly addon: Addon,
    options: { minElements?: number; name?: string; hostMemory?: HostMemory } = {},
  ) {
    this.name = options.name ?? 'native';
    this.hostMemory = options.hostMemory;
    this.minElements = options.minElements ?? SMALL;
    const ops = addon.ops();
    this.UNARY = codes(ops.unary);
    this.BINARY = codes(ops.binary);
    this.REDUCE = codes(ops.reduce);
    this.COMPARE = codes(ops.compare);
  }

  info(): { isa: string; threads: number; malloc?: string } {
    return this.addon.info();
  }

  setNumThreads(n: number): void {
    this.addon.setNumThreads(n);
  }

  private small(shape: readonly number[]): boolean {
    let n = 1;
    for (const s of shape) n *= s;
    return n < this.minElements;
  }

  copy(x: View, out: View): void {
    if (f32(x) && f32(out) && !this.small(out.shape)) this.addon.copy(x.data, out.data, describe(out.shape, [x, out]));
    else this.js.copy(x, out);
  }

  fill(out: View, value: number): void {
    this.js.fill(out, value);
  }

  unary(op: UnaryOp, x: View, out: View, p0 = 0, p1 = 0): void {
    const code = this.UNARY[op];
    if (code === undefined || !f32(x) || !f32(out) || this.small(out.shape)) return this.js.unary(op, x, out, p0, p1);
    this.addon.unary(code, x.data, out.data, describe(out.shape, [x, out]), p0, p1);
  }

  binary(op: BinaryOp, a: View, b: View, out: View): void {
    const cmp = this.COMPARE[op];
    if (cmp !== undefined && f32(a) && f32(b) && out.data instanceof Uint8Array && !this.small(out.shape)) {
      this.addon.compare(cmp, a.data, b.data, out.data, describe(out.shape, [a, b, out]));
      return;
    }
    const code = this.BINARY[op];
    if (code === undefined || !f32(a) || !f32(b) || !f32(out) || this.small(out.shape))
      return this.js.binary(op, a, b, out);
    this.addon.binary(code, a.data, b.data, out.data, describe(out.shape, [a, b, out]));
  }

  where(cond: View, a: View, b: View, out: View): void {
    this.js.where(cond, a, b, out);
  }

  reduce(op: ReduceOp, x: View, out: View): void {
    const code = this.REDUCE[op];
    if (code === undefined || !f32(x) || !f32(out) || this.small(x.shape)) return this.js.reduce(op, x, out);
    const r = x.shape.length;
    const d = new Float64Array(1 + 3 * r + 2);
    d[0] = r;
    for (let k = 0; k < r; k++) {
      d[1 + k] = x.shape[k]!;
      d[1 + r + k] = x.strides[k]!;
      d[1 + 2 * r + k] = out.shape[k]!;
    }
    d[1 + 3 * r] = x.offset;
    d[2 + 3 * r] = out.offset;
    this.addon.reduce(code, x.data, out.data, d);
  }

  argReduce(op: 'argmax' | 'argmin', x: View, axis: number, out: View): void {
    if (!f32(x) || !(out.data instanceof Int32Array) || this.small(x.shape)) return this.js.argReduce(op, x, axis, out);
    const outer = x.shape.filter((_, d) => d !== axis);
    const xs = { ...x, shape: outer, strides: x.strides.filter((_, d) => d !== axis) };
    this.addon.argReduce(
      op === 'argmax',
      x.data,
      out.data,
      describe(outer, [xs, out], [x.shape[axis]!, x.strides[axis]!]),
    );
  }

  matmul(a: View, b: View, out: View, accumulate = false, bf16 = false): void {
    if (!f32(a) || !f32(b) || !f32(out))
      return bf16 ? this.js.matmulBf16(a, b, out, accumulate) : this.js.matmul(a, b, out, accumulate);
    const r = out.shape.length;
    const dims = scratch(9);
    dims[0] = out.shape[r - 2]!;
    dims[1] = out.shape[r - 1]!;
    dims[2] = a.shape[r - 1]!;
    dims[3] = a.strides[r - 2]!;
    dims[4] = a.strides[r - 1]!;
    dims[5] = b.strides[r - 2]!;
    dims[6] = b.strides[r - 1]!;
    dims[7] = out.strides[r - 2]!;
    dims[8] = out.strides[r - 1]!;
    // One (a, b, out) offset triple per matrix of the batch.
    let offsets: Float64Array;
    if (r === 2) {
      offsets = scratch(3);
      offsets[0] = a.offset;
      offsets[1] = b.offset;
      offsets[2] = out.offset;
    } else offsets = matmulOffsets(a, b, out);
    this.addon.matmul(a.data, b.data, out.data, dims, offsets, accumulate, bf16);
  }

  /** autocast's product: AVX512-BF16 dot products where the CPU has them, else rounded copies (gemm_bf16.h). */
  matmulBf16(a: View, b: View, out: View, accumulate = false): void {
    this.matmul(a, b, out, accumulate, true);
  }

  // Index ranges are checked by the op layer, and again by the addon before its kernel runs.
  gather(x: View, axis: number, index: View, out: View): void {
    if (!f32(x) || !f32(out) || !(index.data instanceof Int32Array) || x.shape.length === 0 || this.small(index.shape))
      return this.js.gather(x, axis, index, out);
    const xs = { ...x, strides: x.strides.map((s, d) => (d === axis ? 0 : s)) };
    this.addon.gather(
      x.data,
      index.data,
      out.data,
      describe(index.shape, [xs, index, out], [x.shape[axis]!, x.strides[axis]!]),
    );
  }

  scatter(mode: 'assign' | 'add', out: View, axis: number, index: View, src: View): void {
    if (
      !f32(out) ||
      !f32(src) ||
      !(index.data instanceof Int32Array) ||
      out.shape.length === 0 ||
      this.small(index.shape)
    )
      return this.js.scatter(mode, out, axis, index, src);
    const os = { ...out, strides: out.strides.map((s, d) => (d === axis ? 0 : s)) };
    this.addon.scatter(
      mode === 'add',
      out.data,
      index.data,
      src.data,
      describe(index.shape, [os, index, src], [out.shape[axis]!, out.strides[axis]!]),
    );
  }

  im2col(x: View, geometry: WindowGeometry, padValue: number, out: View): void {
    if (!f32(x) || !f32(out)) return this.js.im2col(x, geometry, padValue, out);
    this.addon.im2col(x.data, out.data, windowDesc(x, geometry, out), padValue);
  }

  col2im(cols: View, geometry: WindowGeometry, out: View): void {
    if (!f32(cols) || !f32(out)) return this.js.col2im(cols, geometry, out);
    this.addon.col2im(cols.data, out.data, windowDesc(out, geometry, cols));
  }

  lstmCell(gates: View, c: View, out: View, act: View): void {
    if (![gates, c, out, act].every(f32)) return this.js.lstmCell(gates, c, out, act);
    const rows = (v: View) => [v.offset, v.strides[0]!];
    this.addon.lstmCell(
      gates.data as Float32Array,
      c.data as Float32Array,
      out.data as Float32Array,
      act.data as Float32Array,
      new Float64Array([c.shape[0]!, c.shape[1]!, ...rows(gates), ...rows(c), ...rows(out), ...rows(act)]),
    );
  }

  lstmCellBackward(dOut: View, act: View, c: View, out: View, dGates: View, dC: View): void {
    const views = [dOut, act, c, out, dGates, dC];
    if (!views.every(f32)) return this.js.lstmCellBackward(dOut, act, c, out, dGates, dC);
    const [a, b, cc, d, e, f] = views.map((v) => v.data as Float32Array) as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    this.addon.lstmCellBackward(
      a,
      b,
      cc,
      d,
      e,
      f,
      new Float64Array([c.shape[0]!, c.shape[1]!, ...views.flatMap((v) => [v.offset, v.strides[0]!])]),
    );
  }

  layerNorm(x: View, weight: View | null, bias: View | null, eps: number, out: View, mean: View, rstd: View): void {
    const all = [x, out, mean, rstd, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
    const unit = (v: View | null) => !v || v.strides[v.strides.length - 1] === 1 || v.shape[v.shape.length - 1] === 1;
    if (!all.every(f32) || !unit(x) || !unit(weight) || !unit(bias) || this.small(x.shape))
      return this.js.layerNorm(x, weight, bias, eps, out, mean, rstd);
    this.addon.layerNorm(
      x.data as Float32Array,
      (weight?.data ?? null) as Float32Array | null,
      (bias?.data ?? null) as Float32Array | null,
      out.data as Float32Array,
      mean.data as Float32Array,
      rstd.data as Float32Array,
      new Float64Array([
        x.shape[0]!,
        x.shape[1]!,
        x.offset,
        x.strides[0]!,
        weight?.offset ?? 0,
        bias?.offset ?? 0,
        out.offset,
        out.strides[0]!,
        mean.offset,
        rstd.offset,
        eps,
      ]),
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
    const all = [g, x, mean, rstd, dx, ...[weight, dWeight, dBias].filter((v): v is View => v !== null)];
    const unit = (v: View | null) => !v || v.strides[v.strides.length - 1] === 1 || v.shape[v.shape.length - 1] === 1;
    if (!all.every(f32) || ![g, x, dx, weight, dWeight, dBias].every(unit) || this.small(x.shape))
      return this.js.layerNormBackward(g, x, mean, rstd, weight, dx, dWeight, dBias);
    this.addon.layerNormBackward(
      g.data as Float32Array,
      x.data as Float32Array,
      mean.data as Float32Array,
      rstd.data as Float32Array,
      (weight?.data ?? null) as Float32Array | null,
      dx.data as Float32Array,
      (dWeight?.data ?? null) as Float32Array | null,
      (dBias?.data ?? null) as Float32Array | null,
      new Float64Array([
        x.shape[0]!,
        x.shape[1]!,
        g.offset,
        g.strides[0]!,
        x.offset,
        x.strides[0]!,
        mean.offset,
        rstd.offset,
        weight?.offset ?? 0,
        dx.offset,
        dx.strides[0]!,
        dWeight?.offset ?? 0,
        dBias?.offset ?? 0,
      ]),
    );
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
    const all = [x, out, mean, variance, rstd, ...[weight, bias].filter((v): v is View => v !== null)];
    if (!all.every(f32) || this.small(x.shape))
      return this.js.batchNorm(x, weight, bias, eps, out, mean, variance, rstd);
    const [N, C, S] = x.shape as [number, number, number];
    this.addon.batchNorm(
      x.data as Float32Array,
      (weight?.data ?? null) as Float32Array | null,
      (bias?.data ?? null) as Float32Array | null,
      out.data as Float32Array,
      mean.data as Float32Array,
      variance.data as Float32Array,
      rstd.data as Float32Array,
      new Float64Array([
        N,
        C,
        S,
        x.offset,
        weight?.offset ?? 0,
        bias?.offset ?? 0,
        out.offset,
        mean.offset,
        variance.offset,
        rstd.offset,
        eps,
      ]),
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
    const all = [g, x, mean, rstd, dx, ...[weight, dWeight, dBias].filter((v): v is View => v !== null)];
    if (!all.every(f32) || this.small(x.shape))
      return this.js.batchNormBackward(g, x, mean, rstd, weight, dx, dWeight, dBias);
    const [N, C, S] = x.shape as [number, number, number];
    this.addon.batchNormBackward(
      g.data as Float32Array,
      x.data as Float32Array,
      mean.data as Float32Array,
      rstd.data as Float32Array,
      (weight?.data ?? null) as Float32Array | null,
      dx.data as Float32Array,
      (dWeight?.data ?? null) as Float32Array | null,
      (dBias?.data ?? null) as Float32Array | null,
      new Float64Array([
        N,
        C,
        S,
        g.offset,
        x.offset,
        mean.offset,
        rstd.offset,
        weight?.offset ?? 0,
        dx.offset,
        dWeight?.offset ?? 0,
        dBias?.offset ?? 0,
      ]),
    );
  }

  softmaxBackward(g: View, y: View, axis: number, out: View, log: boolean): void {
    if (!f32(g) || !f32(y) || !f32(out) || this.small(y.shape)) return this.js.softmaxBackward(g, y, axis, out, log);
    this.addon.softmaxBackward(g.data, y.data, out.data, describe(y.shape, [g, y, out], [axis, log ? 1 : 0]));
  }

  sgdStep(param: View, grad: View, buffer: View | null, o: SgdStep): void {
    if (!f32(param) || !f32(grad) || (buffer && !f32(buffer))) return this.js.sgdStep(param, grad, buffer, o);
    const n = param.shape.reduce((a, b) => a * b, 1);
    this.addon.sgdStep(
      param.data,
      grad.data,
      (buffer?.data ?? null) as Float32Array | null,
      new Float64Array([
        n,
        param.offset,
        grad.offset,
        buffer?.offset ?? 0,
        o.lr,
        o.momentum,
        o.dampening,
        o.weightDecay,
        o.nesterov ? 1 : 0,
        o.firstStep ? 1 : 0,
      ]),
    );
  }

  adamStep(param: View, grad: View, m: View, v: View, vmax: View | null, o: AdamStep): void {
    if (![param, grad, m, v].every(f32) || (vmax && !f32(vmax))) return this.js.adamStep(param, grad, m, v, vmax, o);
    const n = param.shape.reduce((a, b) => a * b, 1);
    this.addon.adamStep(
      param.data as Float32Array,
      grad.data as Float32Array,
      m.data as Float32Array,
      v.data as Float32Array,
      (vmax?.data ?? null) as Float32Array | null,
      new Float64Array([
        n,
        param.offset,
        grad.offset,
        m.offset,
        v.offset,
        vmax?.offset ?? 0,
        o.lr,
        o.beta1,
        o.beta2,
        o.eps,
        o.weightDecay,
        o.step,
        o.decoupled ? 1 : 0,
      ]),
    );
  }

  maxPool2d(x: View, geometry: WindowGeometry, out: View, indices: View): void {
    if (!f32(x) || !f32(out) || !(indices.data instanceof Int32Array))
      return this.js.maxPool2d(x, geometry, out, indices);
    this.addon.maxPool2d(
      x.data,
      out.data,
      indices.data,
      windowDesc(x, geometry),
      new Float64Array([...out.strides, ...indices.strides, out.offset, indices.offset]),
    );
  }

  depthwiseConv2d(x: View, weight: View, geometry: WindowGeometry, out: View): void {
    if (!f32(x) || !f32(weight) || !f32(out)) return this.js.depthwiseConv2d(x, weight, geometry, out);
    this.addon.depthwiseConv2d(
      x.data,
      weight.data,
      out.data,
      windowDesc(x, geometry),
      new Float64Array([out.shape[1]!, ...weight.strides, weight.offset, ...out.strides, out.offset]),
    );
  }

  conv2d(x: View, weight: View, bias: View | null, geometry: WindowGeometry, out: View): void {
    if (!f32(x) || !f32(weight) || !f32(out) || (bias && !f32(bias)))
      throw new BackendError(`conv2d: the native kernel takes float32 tensors, got ${x.data.constructor.name}`);
    this.addon.conv2d(
      x.data,
      weight.data,
      bias ? (bias.data as Float32Array) : null,
      out.data,
      windowDesc(x, geometry),
      new Float64Array([out.shape[1]!, weight.offset, bias ? bias.offset : 0, out.offset]),
    );
  }

  conv2dBackward(x: View, weight: View, grad: View, geometry: WindowGeometry, dx: View | null, dw: View | null): void {
    if (!f32(x) || !f32(weight) || !f32(grad) || (dx && !f32(dx)) || (dw && !f32(dw)))
      throw new BackendError(`conv2dBackward: the native kernel takes float32 tensors, got ${x.data.constructor.name}`);
    this.addon.conv2dBackward(
      x.data,
      weight.data,
      grad.data,
      dx ? (dx.data as Float32Array) : null,
      dw ? (dw.data as Float32Array) : null,
      windowDesc(x, geometry),
      new Float64Array([weight.shape[0]!, weight.offset, grad.offset, dx ? dx.offset : 0, dw ? dw.offset : 0]),
    );
  }

  softmax(x: View, axis: number, out: View, log: boolean): void {
    if (!f32(x) || !f32(out) || this.small(x.shape)) return this.js.softmax(x, axis, out, log);
    this.addon.softmax(x.data, out.data, describe(x.shape, [x, out], [axis, log ? 1 : 0]));
  }
}
