import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { BackendError } from '../../errors.js';

/** The functions build/Release/axon.node exports (see native/src/addon.cc). */
export interface Addon {
  info(): { isa: string; threads: number; malloc?: string };
  /** Op names of each kernel family in op-code order. */
  ops(): { unary: string[]; binary: string[]; reduce: string[]; compare: string[] };
  /** The class every rejected call throws (BackendError). */
  setErrorClass(ctor: new (message: string) => Error): void;
  /** Measured single-core FP32 FMA peak (GFLOP/s) after at least `seconds`. */
  peakGflops(seconds?: number): number;
  setNumThreads(n: number): void;
  forceIsa(isa: string): void;
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    dims: Float64Array,
    offsets: Float64Array,
    accumulate: boolean,
    bf16?: boolean,
  ): boolean;
  unary(op: number, x: Float32Array, out: Float32Array, desc: Float64Array, p0: number, p1: number): boolean;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, desc: Float64Array): boolean;
  compare(op: number, a: Float32Array, b: Float32Array, out: Uint8Array, desc: Float64Array): boolean;
  copy(x: Float32Array, out: Float32Array, desc: Float64Array): boolean;
  reduce(op: number, x: Float32Array, out: Float32Array, desc: Float64Array): boolean;
  softmax(x: Float32Array, out: Float32Array, desc: Float64Array): boolean;
  softmaxBackward(g: Float32Array, y: Float32Array, out: Float32Array, desc: Float64Array): boolean;
  im2col(x: Float32Array, cols: Float32Array, desc: Float64Array, padValue: number): boolean;
  col2im(cols: Float32Array, x: Float32Array, desc: Float64Array): boolean;
  maxPool2d(x: Float32Array, out: Float32Array, indices: Int32Array, desc: Float64Array, extra: Float64Array): boolean;
  depthwiseConv2d(
    x: Float32Array,
    weight: Float32Array,
    out: Float32Array,
    desc: Float64Array,
    extra: Float64Array,
  ): boolean;
  conv2d(
    x: Float32Array,
    weight: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    desc: Float64Array,
    extra: Float64Array,
  ): boolean;
  conv2dBackward(
    x: Float32Array,
    weight: Float32Array,
    grad: Float32Array,
    dx: Float32Array | null,
    dw: Float32Array | null,
    desc: Float64Array,
    extra: Float64Array,
  ): boolean;
  gather(x: Float32Array, index: Int32Array, out: Float32Array, desc: Float64Array): boolean;
  scatter(add: boolean, out: Float32Array, index: Int32Array, src: Float32Array, desc: Float64Array): boolean;
  argReduce(isMax: boolean, x: Float32Array, out: Int32Array, desc: Float64Array): boolean;
  layerNorm(
    x: Float32Array,
    w: Float32Array | null,
    b: Float32Array | null,
    out: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    desc: Float64Array,
  ): boolean;
  batchNorm(
    x: Float32Array,
    w: Float32Array | null,
    b: Float32Array | null,
    out: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    rstd: Float32Array,
    desc: Float64Array,
  ): boolean;
  batchNormBackward(
    g: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    w: Float32Array | null,
    dx: Float32Array,
    dw: Float32Array | null,
    db: Float32Array | null,
    desc: Float64Array,
  ): boolean;
  layerNormBackward(
    g: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    w: Float32Array | null,
    dx: Float32Array,
    dw: Float32Array | null,
    db: Float32Array | null,
    desc: Float64Array,
  ): boolean;
  sgdStep(p: Float32Array, g: Float32Array, buf: Float32Array | null, desc: Float64Array): boolean;
  adamStep(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    vmax: Float32Array | null,
    desc: Float64Array,
  ): boolean;
  lstmCell(gates: Float32Array, c: Float32Array, out: Float32Array, act: Float32Array, desc: Float64Array): boolean;
  lstmCellBackward(
    dOut: Float32Array,
    act: Float32Array,
    c: Float32Array,
    out: Float32Array,
    dGates: Float32Array,
    dC: Float32Array,
    desc: Float64Array,
  ): boolean;
}

/** The package root: the nearest folder above this file whose package.json is Axon's. */
export function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'axon') return dir;
      } catch {
        /* keep looking */
      }
    }
    dir = dirname(dir);
  }
  return null;
}

let cached: Addon | null | undefined;
let loadError = '';

/** Loads the compiled addon once; null (with loadError() saying why) when it is not there. */
export function loadAddon(): Addon | null {
  if (cached !== undefined) return cached;
  const root = packageRoot();
  // AXON_NATIVE_ADDON points at another build of the addon (the sanitizer build in CI).
  const override = process.env['AXON_NATIVE_ADDON'];
  const file = override ? override : root ? join(root, 'build', 'Release', 'axon.node') : null;
  if (!file || !existsSync(file)) {
    loadError = `the native addon is not built (${file ?? 'build/Release/axon.node'} is missing; run 'npm rebuild' or see the install log)`;
    cached = null;
    return null;
  }
  try {
    cached = createRequire(import.meta.url)(file) as Addon;
    cached.setErrorClass(BackendError);
  } catch (e) {
    loadError = `the native addon failed to load: ${(e as Error).message}`;
    cached = null;
  }
  return cached;
}

export function addonLoadError(): string {
  return loadError;
}
