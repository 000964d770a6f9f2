import type { BinaryKernel, UnaryKernel } from './js/scalar.js';
import type { TypedArray } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import type { DType } from '../tensor/dtype.js';
import type { Storage } from '../tensor/tensor.js';
import type { HostMemory } from '../tensor/host-memory.js';

/**
 * A strided descriptor of tensor memory: element (i0, i1, ...) lives at
 * data[offset + i0 * strides[0] + i1 * strides[1] + ...]. Broadcast inputs use stride 0.
 * Kernels read any strides; outputs they write are whatever view the caller hands them.
 */
export interface View {
  readonly data: TypedArray;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * The unary kernels: the keys of the JS backend's scalar-kernel table (src/backend/js/scalar.ts),
 * which is their one list. Parameterised ones take p0 and p1 (leakyRelu: slope; elu: alpha;
 * softplus: beta, threshold; clamp: min, max; powScalar: exponent; rpowScalar: base).
 */
export type UnaryOp = UnaryKernel;

/** The binary kernels: the keys of the JS backend's table (src/backend/js/scalar.ts, BINARY_KERNELS). */
export type BinaryOp = BinaryKernel;

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min';

/**
 * Sliding-window geometry over the last two dims (1-D windows use height 1). Output sizes are given
 * explicitly so that transposed convolutions and ceil-mode pooling can use the same kernels.
 */
export interface WindowGeometry {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  padding: readonly [number, number];
  dilation: readonly [number, number];
  /** Spatial size of the image side: [H, W]. */
  input: readonly [number, number];
  /** Number of window positions: [outH, outW]. */
  output: readonly [number, number];
}

export interface SgdStep {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  firstStep: boolean;
}

export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
  decoupled: boolean;
}

/**
 * The narrow interface every backend implements. Shapes are already checked and broadcast by the
 * op layer; kernels only compute. `out` views are freshly allocated unless a kernel says otherwise.
 */
export interface Backend {
  readonly name: string;
  /**
   * What backendInfo() adds for a backend with compiled kernels: its instruction set and threads
   * (and for the Node addon, whether it tuned glibc's malloc: native/src/malloc_tuning.cc).
   */
  info?(): { isa: string; threads: number; malloc?: string };
  /**
   * A device backend's fresh zero-filled storage of n elements in its own memory (kernel outputs);
   * CPU backends leave it out and ops allocate a typed array.
   */
  allocate?(dtype: DType, n: number): Storage;
  /**
   * A CPU backend whose kernels read host arrays in place from memory of their own (the wasm
   * backend's shared module memory): new host arrays come from it while the backend is selected.
   */
  readonly hostMemory?: HostMemory;
  /** Threads for the kernels of a backend that has threads. */
  setNumThreads?(n: number): void;
  /** out[i] = x[i], converting between dtypes (bool: nonzero becomes 1, int: truncation). */
  copy(x: View, out: View): void;
  fill(out: View, value: number): void;
  unary(op: UnaryOp, x: View, out: View, p0?: number, p1?: number): void;
  /** a and b have out's shape (broadcast dims have stride 0). */
  binary(op: BinaryOp, a: View, b: View, out: View): void;
  /** out = cond ? a : b, all of out's shape. */
  where(cond: View, a: View, b: View, out: View): void;
  /** Reduces x into out, which has x's rank with size 1 on every reduced dim. */
  reduce(op: ReduceOp, x: View, out: View): void;
  /** Index of the first max/min along axis; out has x's shape without axis (int32). */
  argReduce(op: 'argmax' | 'argmin', x: View, axis: number, out: View): void;
  /**
   * Batched matrix product: a [..., M, K] times b [..., K, N] into out [..., M, N], batch dims
   * equal; with `accumulate`, out += a·b (for addmm: bias or residual already in out).
   */
  matmul(a: View, b: View, out: View, accumulate?: boolean): void;
  /**
   * Optional: matmul with both operands rounded to bfloat16 and float32 accumulation, for
   * `ax.autocast('bfloat16')`; without it, autocast leaves products in float32 on this backend.
   */
  matmulBf16?(a: View, b: View, out: View, accumulate?: boolean): void;
  /** out[..i..] = x[.. index[..i..] on axis ..]; out has index's shape. Throws on an index out of range. */
  gather(x: View, axis: number, index: View, out: View): void;
  /** In place: out[.. index[..i..] on axis ..] (= or +=) src[..i..] over index's shape. */
  scatter(mode: 'assign' | 'add', out: View, axis: number, index: View, src: View): void;
  /**
   * Unfolds windows (im2col): x [N, C, H, W] into out [N, C, kh, kw, outH, outW]; positions in the
   * padding read `padValue` (0 for convolution, -Infinity for max pooling).
   */
  im2col(x: View, geometry: WindowGeometry, padValue: number, out: View): void;
  /** The adjoint of im2col (col2im): adds cols [N, C, kh, kw, outH, outW] into out [N, C, H, W], which starts zeroed. */
  col2im(cols: View, geometry: WindowGeometry, out: View): void;
  /**
   * Optional fused LSTM cell on rows with unit inner stride: gates [N, 4H] (pre-activation, order
   * i, f, g, o) and c [N, H] give out [N, 2H] = [h, c'] and act [N, 4H] = the activated gates.
   */
  lstmCell?(gates: View, c: View, out: View, act: View): void;
  /** Its gradient: dOut [N, 2H] (dh, dc'), act, c, out → dGates [N, 4H] and dC [N, H]. */
  lstmCellBackward?(dOut: View, act: View, c: View, out: View, dGates: View, dC: View): void;
  /**
   * Optional fused layer norm over rows of x [R, D] (contiguous rows): out = (x - mean)·rstd·w + b,
   * also writing each row's mean and rstd [R] (w, b may be null).
   */
  layerNorm?(x: View, weight: View | null, bias: View | null, eps: number, out: View, mean: View, rstd: View): void;
  /** Its gradient: dx [R, D], and dWeight/dBias [D] when given (summed over rows). */
  layerNormBackward?(
    g: View,
    x: View,
    mean: View,
    rstd: View,
    weight: View | null,
    dx: View,
    dWeight: View | null,
    dBias: View | null,
  ): void;
  /**
   * Optional fused batch norm with batch statistics over x [N, C, S] (contiguous): writes each
   * channel's mean, biased variance and rstd [C] and out = (x - mean)·rstd·w + b (w, b may be null).
   */
  batchNorm?(
    x: View,
    weight: View | null,
    bias: View | null,
    eps: number,
    out: View,
    mean: View,
    variance: View,
    rstd: View,
  ): void;
  /** Its gradient: dx [N, C, S], and dWeight/dBias [C] when given. */
  batchNormBackward?(
    g: View,
    x: View,
    mean: View,
    rstd: View,
    weight: View | null,
    dx: View,
    dWeight: View | null,
    dBias: View | null,
  ): void;
  /**
   * Optional fused optimizer steps on one contiguous parameter, in place (the rules of
   * optim/sgd.ts and optim/adam.ts; `buffer` is the momentum buffer, written on the first step).
   */
  sgdStep?(param: View, grad: View, buffer: View | null, o: SgdStep): void;
  adamStep?(param: View, grad: View, m: View, v: View, vmax: View | null, o: AdamStep): void;
  /**
   * Optional max pooling: x [N, C, H, W] → out [N, C, outH, outW] and, for each output, the flat
   * index (row·W + col) of the first maximum in its input plane (int32), padding never chosen.
   */
  maxPool2d?(x: View, geometry: WindowGeometry, out: View, indices: View): void;
  /**
   * Optional depthwise convolution (zero padding): x [N, C, H, W], weight [Cout, kh, kw] with Cout a
   * multiple m of C, out [N, Cout, outH, outW] where output channel o reads input channel o / m.
   */
  depthwiseConv2d?(x: View, weight: View, geometry: WindowGeometry, out: View): void;
  /**
   * Optional dense convolution (groups 1, zero padding) into a fresh contiguous out [N, Cout, outH,
   * outW]: x [N, C, H, W], weight contiguous [Cout, C·kh·kw], bias contiguous [Cout] or null.
   */
  conv2d?(x: View, weight: View, bias: View | null, geometry: WindowGeometry, out: View): void;
  /**
   * The gradients of conv2d from grad (contiguous [N, Cout, outH, outW]): writes the input gradient
   * into dx (contiguous [N, C, H, W]) and the weight gradient into dw (contiguous [Cout, C·kh·kw]);
   * either may be null. Present exactly when conv2d is.
   */
  conv2dBackward?(x: View, weight: View, grad: View, geometry: WindowGeometry, dx: View | null, dw: View | null): void;
  /** Optional fused softmax / log-softmax along axis; the op falls back to a composition without it. */
  softmax?(x: View, axis: number, out: View, log: boolean): void;
  /**
   * Optional gradient of softmax (log: of log-softmax) along axis from the output y and the
   * incoming gradient g: y·(g - Σ g·y), or g - exp(y)·Σ g.
   */
  softmaxBackward?(g: View, y: View, axis: number, out: View, log: boolean): void;
}
