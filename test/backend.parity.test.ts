import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { JsBackend } from '../src/backend/js/index.js';
import { NativeBackend } from '../src/backend/native/index.js';
import { KERNELS, SKIP_ENV, kernelAddon } from './helpers/kernels.js';
import type { View, WindowGeometry } from '../src/backend/index.js';
import { broadcastView } from '../src/ops/util.js';

// Native kernels against the JS reference on random shapes: non-contiguous, broadcast, size 0/1,
// odd sizes that miss the micro-kernel tile, large inner dims. Tolerances follow summation order:
// elementwise ops are float32-exact up to libm differences (1e-6 relative); matmul and reductions
// sum in a different order (JS accumulates in float64), so they get |Δ| ≤ 1e-5·sqrt(K)·scale.

const addon = kernelAddon();
const skip = addon === null && process.env[SKIP_ENV] ? `${KERNELS} kernels not built (${SKIP_ENV})` : false;
const js = new JsBackend();
const native = addon ? new NativeBackend(addon) : null;
const gen = new ax.Generator(99);

/** A float32 view of `shape`, either contiguous, transposed in its last two dims, or strided. */
function view(shape: number[], layout: 'contiguous' | 'transposed' | 'strided' = 'contiguous'): ax.Tensor {
  if (layout === 'transposed' && shape.length >= 2) {
    const swapped = [...shape];
    [swapped[shape.length - 1], swapped[shape.length - 2]] = [shape[shape.length - 2]!, shape[shape.length - 1]!];
    return ax.randn(swapped, { generator: gen }).transpose(-1, -2);
  }
  if (layout === 'strided' && shape.length >= 1) {
    const wide = [...shape];
    wide[wide.length - 1] = shape[shape.length - 1]! * 2;
    return ax.randn(wide, { generator: gen }).slice(-1, null, null, 2);
  }
  return ax.randn(shape, { generator: gen });
}

function out(shape: readonly number[]): ax.Tensor {
  return ax.zeros(shape);
}

function close(a: ax.Tensor, b: ax.Tensor, tol: number, what: string): void {
  const x = a.toTypedArray(),
    y = b.toTypedArray();
  assert.equal(x.length, y.length, what);
  for (let i = 0; i < x.length; i++) {
    if (x[i] === y[i]) continue;
    const d = Math.abs(x[i]! - y[i]!);
    if (!(d <= tol * Math.max(1, Math.abs(y[i]!))) && !(Number.isNaN(x[i]!) && Number.isNaN(y[i]!))) {
      assert.fail(`${what}: element ${i}: ${KERNELS} ${x[i]} vs js ${y[i]}`);
    }
  }
}

type Pair2 = [number, number];

const bview = (t: ax.Tensor, shape: number[]): View => ({
  data: t.data,
  shape,
  strides: broadcastView(t, shape).strides,
  offset: t.offset,
});

describe(`${KERNELS} kernels agree with the JS reference`, { skip }, () => {
  if (!native) {
    test(`the ${KERNELS} kernels are built`, () =>
      assert.fail(`the ${KERNELS} kernels are missing: the install step failed to build them`));
    return;
  }
  test('matmul over shapes, layouts and every instruction set', () => {
    const shapes: [number, number, number, number[]][] = [
      [1, 1, 1, []],
      [3, 5, 7, []],
      [13, 37, 29, [2]],
      [64, 64, 64, []],
      [12, 32, 256, []],
      [25, 33, 513, []],
      [0, 4, 3, []],
      [4, 0, 3, []],
      [100, 3, 2, [3]],
      [2, 70, 1000, []],
      [1, 130, 200, []],
      [3, 70, 65, [2]],
      [4, 300, 17, []],
      // 5–8 rows: the register-blocked few-row path (whole and masked 32-column blocks).
      [5, 47, 9, []],
      [6, 200, 25, []],
      [8, 33, 100, [2]],
      [7, 1, 3, []],
      [8, 2000, 40, []],
      // more rows against a B of ≤ 16 K elements: B read in place, 8 rows at a time (attention's shapes).
      [9, 17, 40, [2]],
      [64, 32, 64, [3]],
      [70, 128, 128, []],
      [20, 160, 256, []],
    ];
    for (const isa of ['scalar', 'avx2', 'avx512']) {
      addon!.forceIsa(isa);
      for (const [M, N, K, batch] of shapes) {
        for (const [la, lb] of [
          ['contiguous', 'contiguous'],
          ['transposed', 'contiguous'],
          ['contiguous', 'transposed'],
          ['strided', 'transposed'],
        ] as const) {
          const a = view([...batch, M, K], la),
            b = view([...batch, K, N], lb);
          const o1 = out([...batch, M, N]),
            o2 = out([...batch, M, N]);
          if (K > 0) {
            native.matmul(a, b, o1);
            js.matmul(a, b, o2);
          }
          close(o1, o2, 2e-6 * Math.sqrt(K + 1), `${isa} ${M}x${N}x${K} batch [${batch}] ${la}/${lb}`);
        }
      }
    }
    addon!.forceIsa('best');
  });

  test('matmul accumulating onto the output (addmm), small and packed paths', () => {
    for (const [M, N, K] of [
      [1, 300, 70],
      [3, 65, 129],
      [6, 77, 30],
      [40, 50, 60],
    ]) {
      for (const lb of ['contiguous', 'transposed'] as const) {
        const a = view([M!, K!]),
          b = view([K!, N!], lb),
          start = view([M!, N!]);
        const o1 = start.clone(),
          o2 = start.clone();
        native.matmul(a, b, o1, true);
        js.matmul(a, b, o2, true);
        close(o1, o2, 2e-6 * Math.sqrt(K!), `accumulate ${M}x${N}x${K} ${lb}`);
      }
    }
  });

  test('matmul with a broadcast batch operand (stride 0)', () => {
    const a = view([4, 6]),
      b = view([3, 6, 5]);
    const o1 = out([3, 4, 5]),
      o2 = out([3, 4, 5]);
    native.matmul(bview(a, [3, 4, 6]), b, o1);
    js.matmul(bview(a, [3, 4, 6]), b, o2);
    close(o1, o2, 1e-5, 'broadcast batch');
  });

  test('unary ops on contiguous and strided inputs', () => {
    const ops: [Parameters<JsBackend['unary']>[0], number?, number?][] = [
      ['neg'],
      ['abs'],
      ['exp'],
      ['log'],
      ['log1p'],
      ['sqrt'],
      ['rsqrt'],
      ['sin'],
      ['cos'],
      ['tanh'],
      ['sigmoid'],
      ['relu'],
      ['reciprocal'],
      ['square'],
      ['leakyRelu', 0.1],
      ['elu', 1.3],
      ['silu'],
      ['gelu'],
      ['geluTanh'],
      ['softplus', 2, 5],
      ['clamp', -0.5, 0.3],
      ['powScalar', 3],
      ['erf'],
      ['sign'],
      ['step'],
      ['geluGrad'],
      ['geluTanhGrad'],
    ];
    for (const [op, p0, p1] of ops) {
      for (const layout of ['contiguous', 'transposed', 'strided'] as const) {
        const x = view([70, 90], layout)
          .abs()
          .add(op === 'log' || op === 'sqrt' || op === 'rsqrt' ? 0.1 : -0.5);
        const o1 = out(x.shape),
          o2 = out(x.shape);
        native.unary(op, x, o1, p0, p1);
        js.unary(op, x, o2, p0, p1);
        close(o1, o2, 2e-6, `${op} ${layout}`);
      }
    }
  });

  test('binary ops with broadcasting, size 0 and size 1', () => {
    const cases: [number[], number[]][] = [
      [
        [50, 70],
        [50, 70],
      ],
      [[50, 71], [71]],
      [
        [50, 1],
        [1, 70],
      ],
      [
        [3, 1, 400],
        [20, 1],
      ],
      [[0, 3], [3]],
      [[1], [1]],
      [[], [60, 60]],
      [[5, 7], [7]],
    ];
    for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow'] as const) {
      for (const [sa, sb] of cases) {
        const a = op === 'pow' ? view(sa).abs().add(0.1) : view(sa),
          b = view(sb, 'strided');
        const shape = ax.broadcastShapes(op, sa, sb);
        const o1 = out(shape),
          o2 = out(shape);
        native.binary(op, bview(a, shape), bview(b, shape), o1);
        js.binary(op, bview(a, shape), bview(b, shape), o2);
        close(o1, o2, 2e-6, `${op} [${sa}] [${sb}]`);
      }
    }
  });

  test('large tensors split between threads give the same results', () => {
    const a = view([300, 200], 'transposed'),
      b = view([200]);
    const o1 = out([300, 200]),
      o2 = out([300, 200]);
    native.binary('mul', a, bview(b, [300, 200]), o1);
    js.binary('mul', a, bview(b, [300, 200]), o2);
    close(o1, o2, 0, 'threaded binary');
    const x = view([256, 300]);
    const u1 = out([256, 300]),
      u2 = out([256, 300]);
    native.unary('tanh', x, u1);
    js.unary('tanh', x, u2);
    close(u1, u2, 2e-6, 'threaded unary');
    const s1 = out([256, 300]),
      s2 = out([256, 300]);
    native.softmax(x, 1, s1, false);
    js.softmax(x, 1, s2, false);
    close(s1, s2, 2e-6, 'threaded softmax');
  });

  test('reductions over any axes, copies and softmax', () => {
    const x = view([40, 50, 6], 'transposed');
    for (const op of ['sum', 'prod', 'max', 'min'] as const) {
      for (const kept of [
        [1, 50, 6],
        [40, 1, 1],
        [1, 1, 1],
        [40, 50, 6],
        [40, 50, 1],
      ]) {
        const o1 = out(kept),
          o2 = out(kept);
        native.reduce(op, x, o1);
        js.reduce(op, x, o2);
        close(o1, o2, 1e-5, `${op} to [${kept}]`);
      }
    }
    const big = view([3, 10000]);
    const s1 = out([3, 1]),
      s2 = out([3, 1]);
    native.reduce('sum', big, s1);
    js.reduce('sum', big, s2);
    close(s1, s2, 1e-6, 'long sums');
    const c1 = out([40, 50, 6]),
      c2 = out([40, 50, 6]);
    native.copy(x, c1);
    js.copy(x, c2);
    close(c1, c2, 0, 'copy');
    for (const axis of [0, 1, 2]) {
      for (const log of [false, true]) {
        const o1 = out(x.shape),
          o2 = out(x.shape);
        native.softmax(x, axis, o1, log);
        js.softmax(x, axis, o2, log);
        close(o1, o2, 2e-6, `softmax axis ${axis} log ${log}`);
        const g = view(x.shape as number[], 'strided'),
          b1 = out(x.shape),
          b2 = out(x.shape);
        native.softmaxBackward(g, o2, axis, b1, log);
        js.softmaxBackward(g, o2, axis, b2, log);
        close(b1, b2, 1e-5, `softmax backward axis ${axis} log ${log}`);
      }
    }
  });

  test('im2col and col2im with stride, padding, dilation', () => {
    const geometries: WindowGeometry[] = [
      { kernel: [3, 3], stride: [1, 1], padding: [1, 1], dilation: [1, 1], input: [5, 6], output: [5, 6] },
      { kernel: [2, 3], stride: [2, 1], padding: [0, 1], dilation: [2, 1], input: [7, 5], output: [3, 5] },
      { kernel: [1, 4], stride: [1, 3], padding: [0, 0], dilation: [1, 1], input: [1, 13], output: [1, 4] },
    ];
    for (const g of geometries) {
      const x = view([3, 4, ...g.input], 'transposed');
      const cols = [3, 4, ...g.kernel, ...g.output];
      const o1 = out(cols),
        o2 = out(cols);
      native.im2col(x, g, -Infinity, o1);
      js.im2col(x, g, -Infinity, o2);
      close(o1, o2, 0, `im2col ${JSON.stringify(g)}`);
      const c = view(cols);
      const i1 = out([3, 4, ...g.input]),
        i2 = out([3, 4, ...g.input]);
      native.col2im(c, g, i1);
      js.col2im(c, g, i2);
      close(i1, i2, 1e-6, `col2im ${JSON.stringify(g)}`);
    }
  });

  test('max pooling with indices', () => {
    const g: WindowGeometry = {
      kernel: [3, 2],
      stride: [2, 2],
      padding: [1, 1],
      dilation: [1, 2],
      input: [9, 8],
      output: [5, 4],
    };
    const x = view([3, 5, 9, 8], 'transposed').relu(); // many ties at 0
    const [o1, o2] = [out([3, 5, 5, 4]), out([3, 5, 5, 4])];
    const [i1, i2] = [ax.zeros([3, 5, 5, 4], { dtype: 'int32' }), ax.zeros([3, 5, 5, 4], { dtype: 'int32' })];
    native.maxPool2d(x, g, o1, i1);
    js.maxPool2d(x, g, o2, i2);
    close(o1, o2, 0, 'maxPool2d values');
    close(i1, i2, 0, 'maxPool2d indices');
  });

  test('max pooling 2×2 with stride 2 (the vectorised path): row tails, ties, NaN, every instruction set', () => {
    for (const isa of ['scalar', 'avx512', 'best']) {
      addon!.forceIsa(isa);
      for (const W of [2, 3, 17, 33, 34, 64, 70]) {
        const H = 6;
        const ow = Math.floor(W / 2);
        const g: WindowGeometry = {
          kernel: [2, 2],
          stride: [2, 2],
          padding: [0, 0],
          dilation: [1, 1],
          input: [H, W],
          output: [H / 2, ow],
        };
        // Rounded to halves: ties in every window; a few NaNs and infinities.
        const x = view([2, 3, H, W]).mul(2).round().div(2).contiguous();
        const d = x.data as Float32Array;
        for (let i = 0; i < d.length; i += 7) d[i] = i % 3 === 0 ? NaN : i % 3 === 1 ? -Infinity : Infinity;
        const [o1, o2] = [out([2, 3, H / 2, ow]), out([2, 3, H / 2, ow])];
        const [i1, i2] = [
          ax.zeros([2, 3, H / 2, ow], { dtype: 'int32' }),
          ax.zeros([2, 3, H / 2, ow], { dtype: 'int32' }),
        ];
        native!.maxPool2d(x, g, o1, i1);
        js.maxPool2d(x, g, o2, i2);
        close(o1, o2, 0, `maxPool2d 2×2 ${isa} W=${W} values`);
        close(i1, i2, 0, `maxPool2d 2×2 ${isa} W=${W} indices`);
      }
    }
  });

  test('vectorised exp, sigmoid, tanh, erf, GELU and its derivative (and softmax, the LSTM cell): every range, special values, both paths', () => {
    // Values across the whole float range, the branch points (0.625 for tanh, 0 for sigmoid, |x| = 1
    // and 4 for erf, x = ±√2 and ±4√2 for GELU), GELU's derivative's zero (−0.7518), the overflow and
    // underflow edges of exp, subnormal results, and the special values.
    const values = [
      ...Array.from({ length: 4001 }, (_, i) => (i - 2000) / 20),
      ...[0, -0, 0.6249, 0.625, 0.6251, -0.625, 88.5, 88.8, 89, 100, -87.5, -88, -100, -103, -104, -200],
      ...[0.9999, 1, 1.0001, -1, 3.9999, 4, 4.0001, -4, 1.41421, -1.41422, 5.6568, -5.6569, -0.7518],
      ...[1e-7, -1e-7, 1e-30, NaN, Infinity, -Infinity],
    ];
    const x = ax.tensor(values);
    // Relative error (2 ULP is 2.4e-7), plus an absolute part: near 0 (subnormal results); for GELU,
    // the C library's erf on the scalar path loses the negative tail's 1 + erf(x/√2) to cancellation
    // (as PyTorch's formula does); GELU's derivative crosses 0 at −0.75.
    const tolerance: Record<string, [number, number]> = {
      exp: [2.4e-7, 1e-44],
      sigmoid: [2.4e-7, 1e-44],
      tanh: [2.4e-7, 1e-44],
      erf: [2.4e-7, 1e-44],
    };
    for (const isa of ['scalar', 'best']) {
      addon!.forceIsa(isa);
      for (const op of ['exp', 'sigmoid', 'tanh', 'erf', 'gelu', 'geluGrad'] as const) {
        const [o1, o2] = [out([values.length]), out([values.length])];
        native!.unary(op, x, o1);
        js.unary(op, x, o2);
        const a = o1.toTypedArray(),
          b = o2.toTypedArray();
        for (let i = 0; i < values.length; i++) {
          const [rel, abs] =
            op === 'gelu' || op === 'geluGrad' ? [4e-7, 6e-8 * Math.max(1, Math.abs(values[i]!))] : tolerance[op]!;
          const ok =
            Object.is(a[i], b[i]) ||
            (Number.isNaN(a[i]) && Number.isNaN(b[i])) ||
            Math.abs(a[i]! - b[i]!) <= rel * Math.abs(b[i]!) + abs;
          assert.ok(ok, `${op} ${isa} at ${values[i]}: ${a[i]} vs ${b[i]}`);
        }
      }
      const logits = view([37, 61]).mul(8);
      for (const log of [false, true]) {
        const [s1, s2] = [out([37, 61]), out([37, 61])];
        native!.softmax!(logits, 1, s1, log);
        js.softmax!(logits, 1, s2, log);
        close(s1, s2, 1e-6, `${log ? 'log-' : ''}softmax ${isa}`);
      }
      const gates = view([5, 4 * 33]).mul(4),
        c = view([5, 33]);
      const [h1, h2, a1, a2] = [out([5, 66]), out([5, 66]), out([5, 4 * 33]), out([5, 4 * 33])];
      native!.lstmCell(gates, c, h1, a1);
      js.lstmCell(gates, c, h2, a2);
      close(h1, h2, 1e-6, `lstmCell ${isa}`);
      close(a1, a2, 1e-6, `lstmCell activations ${isa}`);
    }
    addon!.forceIsa('best');
  });

  test('dense convolution kernel against a direct sum (stride, padding, dilation, bias, strided input, threads)', () => {
    // A window geometry with its output size: kernel, stride, padding, dilation, input [H, W].
    const geo = (k: Pair2, s: Pair2, p: Pair2, d: Pair2, input: Pair2): WindowGeometry => ({
      kernel: k,
      stride: s,
      padding: p,
      dilation: d,
      input,
      output: [0, 1].map((i) => Math.floor((input[i]! + 2 * p[i]! - d[i]! * (k[i]! - 1) - 1) / s[i]!) + 1) as Pair2,
    });
    const same3 = (H: number, W = H) => geo([3, 3], [1, 1], [1, 1], [1, 1], [H, W]);
    // N, C, Cout, geometry, bias
    const cases: [number, number, number, WindowGeometry, boolean][] = [
      // Several images share one GEMM (small outputs), one image per GEMM (16×16 outputs); enough
      // groups for each thread to take its own (with its own weight-gradient sum) or not.
      [20, 2, 3, same3(8), true],
      [6, 2, 4, same3(16), false],
      // Many input channels on a large image: each image in bands of output rows (stride 1 and 2);
      // stride 1 takes the input gradient as a convolution.
      [2, 64, 3, same3(32), true],
      [2, 64, 2, geo([3, 3], [2, 2], [1, 1], [1, 1], [63, 63]), false],
      [13, 3, 6, geo([3, 3], [2, 2], [1, 1], [1, 1], [4, 4]), true],
      [5, 3, 7, same3(9, 8), true],
      [1, 1, 32, same3(12), true],
      [6, 2, 5, geo([3, 2], [2, 1], [1, 0], [1, 2], [9, 8]), false],
      [2, 4, 3, geo([1, 1], [2, 2], [0, 0], [1, 1], [7, 7]), true],
      // More than 8 output channels: the columns are packed for the GEMM straight from the image
      // (conv_columns.cc): rows of 4, 8, 16 and 33 positions (runs of addresses in a vector's lanes,
      // or a gather past four runs), strides, dilation, 1×1, padding wider than the kernel's reach.
      [9, 3, 12, geo([3, 3], [1, 1], [1, 1], [1, 1], [4, 4]), true],
      [4, 5, 17, same3(8), false],
      [3, 4, 16, geo([5, 5], [1, 1], [2, 2], [1, 1], [16, 16]), true],
      [2, 3, 20, geo([3, 3], [2, 2], [1, 1], [2, 2], [33, 35]), true],
      [5, 6, 10, geo([1, 1], [2, 2], [0, 0], [1, 1], [9, 9]), false],
      [2, 2, 9, geo([2, 3], [1, 2], [3, 2], [1, 1], [6, 7]), true],
      // One input channel, stride 1, contiguous rows: the direct kernel (conv_direct.cc) on AVX-512 —
      // rows of 28 and 40 (a masked last segment), 7 (one partial segment), output channels not a
      // multiple of its block of 8, 5×5 (its most taps), padding wider than the kernel's reach.
      [3, 1, 13, same3(28), true],
      [2, 1, 8, geo([5, 5], [1, 1], [2, 2], [1, 1], [21, 40]), false],
      [1, 1, 9, geo([2, 3], [1, 1], [3, 2], [1, 1], [5, 7]), true],
      [2, 1, 20, geo([1, 1], [1, 1], [0, 0], [1, 1], [17, 33]), true],
      [1, 1, 3, geo([7, 7], [1, 1], [3, 3], [1, 1], [12, 12]), true], // 49 taps: the GEMM path
    ];
    const before = addon!.info().threads;
    const isas = ['scalar', 'avx2'];
    for (const [round, threads] of [1, 2, 1].entries()) {
      addon!.setNumThreads(threads);
      for (const [ci, [N, C, Cout, g, withBias]] of cases.entries()) {
        // The third round runs every case on another instruction set (the portable packing
        // included) and with the input in another layout.
        addon!.forceIsa(round === 2 ? isas[ci % 2]! : 'best');
        const [H, W] = g.input;
        const [oh, ow] = g.output;
        // (one-channel cases stay contiguous in the two-thread round too, so the direct kernel runs there)
        const contiguous = round === 2 || (C === 1 && round === 1);
        const x = view([N, C, H, W], contiguous ? 'contiguous' : ci % 3 === 2 ? 'strided' : 'transposed');
        const w = view([Cout, C * g.kernel[0] * g.kernel[1]]);
        const b = withBias ? view([Cout]) : null;
        const o = out([N, Cout, oh, ow]);
        native!.conv2d!(x, w, b, g, o);
        const xs = x.toTypedArray(),
          ws = w.toTypedArray(),
          bs = b?.toTypedArray();
        // Every (output element o, weight tap k, input element xi) of the convolution inside the image.
        const taps = (fn: (o: number, k: number, xi: number) => void) => {
          for (let n = 0; n < N; n++)
            for (let co = 0; co < Cout; co++)
              for (let y = 0; y < oh; y++)
                for (let xo = 0; xo < ow; xo++)
                  for (let c = 0; c < C; c++)
                    for (let i = 0; i < g.kernel[0]; i++)
                      for (let j = 0; j < g.kernel[1]; j++) {
                        const r = y * g.stride[0] - g.padding[0] + i * g.dilation[0];
                        const q = xo * g.stride[1] - g.padding[1] + j * g.dilation[1];
                        if (r < 0 || r >= H || q < 0 || q >= W) continue;
                        const k = (co * C + c) * g.kernel[0] * g.kernel[1] + i * g.kernel[1] + j;
                        fn(((n * Cout + co) * oh + y) * ow + xo, k, ((n * C + c) * H + r) * W + q);
                      }
        };
        const expect = new Float32Array(N * Cout * oh * ow);
        if (bs) for (let i = 0; i < expect.length; i++) expect[i] = bs[Math.floor(i / (oh * ow)) % Cout]!;
        taps((o, k, xi) => (expect[o]! += ws[k]! * xs[xi]!));
        // (sums of K products in another order: the tolerance grows with √K)
        const tol = 1e-6 * Math.sqrt(C * g.kernel[0] * g.kernel[1] + 1);
        close(
          o,
          ax.tensor(expect).reshape(N, Cout, oh, ow),
          2 * tol,
          `conv2d ${threads} thread(s) ${JSON.stringify(g)}`,
        );

        // The gradients of the same convolution for a random output gradient.
        const grad = view([N, Cout, oh, ow]).contiguous();
        const gs = grad.toTypedArray();
        const dx = ax.full([N, C, H, W], 0.5); // the kernel overwrites dx
        const dw = ax.full([Cout, C * g.kernel[0] * g.kernel[1]], 7); // and overwrites dw
        native!.conv2dBackward!(x, w, grad, g, dx, dw);
        const ex = new Float32Array(N * C * H * W),
          ew = new Float32Array(Cout * C * g.kernel[0] * g.kernel[1]);
        taps((o, k, xi) => {
          ex[xi]! += ws[k]! * gs[o]!;
          ew[k]! += xs[xi]! * gs[o]!;
        });
        // (each input element sums Cout·kh·kw products: 288 for 32 output channels)
        close(
          dx,
          ax.tensor(ex).reshape(N, C, H, W),
          Math.max(1e-5, 2e-6 * Math.sqrt(Cout * g.kernel[0] * g.kernel[1] + 1)),
          `conv2dBackward dx ${threads} thread(s) ${JSON.stringify(g)}`,
        );
        close(
          dw,
          ax.tensor(ew).reshape(dw.shape),
          20 * tol,
          `conv2dBackward dw ${threads} thread(s) ${JSON.stringify(g)}`,
        );
        const onlyW = ax.full(dw.shape, 7);
        native!.conv2dBackward!(x, w, grad, g, null, onlyW);
        close(onlyW, dw, 0, 'conv2dBackward without dx');
      }
    }
    addon!.forceIsa('best');
    addon!.setNumThreads(before);
  });

  test('depthwise convolution (channel multiplier, stride, padding, dilation, strided views)', () => {
    const g: WindowGeometry = {
      kernel: [3, 2],
      stride: [2, 1],
      padding: [1, 1],
      dilation: [1, 2],
      input: [9, 8],
      output: [5, 7],
    };
    const x = view([3, 4, 9, 8], 'transposed');
    const w = view([8, 3, 2]);
    const [o1, o2] = [out([3, 8, 5, 7]), out([3, 8, 5, 7])];
    native!.depthwiseConv2d(x, w, g, o1);
    js.depthwiseConv2d(x, w, g, o2);
    close(o1, o2, 1e-5, 'depthwiseConv2d');
  });

  test('threads: results do not depend on the thread count', () => {
    const a = view([300, 200]),
      b = view([200, 150]);
    const before = addon!.info().threads;
    const results = [1, 2, 3].map((t) => {
      addon!.setNumThreads(t);
      const o = out([300, 150]);
      native.matmul(a, b, o);
      return o;
    });
    addon!.setNumThreads(before);
    close(results[1]!, results[0]!, 0, '2 threads vs 1');
    close(results[2]!, results[0]!, 0, '3 threads vs 1');
  });

  test('gather, scatter, scatter-add and arg-reductions', () => {
    const x = view([40, 60], 'transposed');
    const index = ax.randint(0, 60, [40, 50], { generator: gen });
    const g1 = out([40, 50]),
      g2 = out([40, 50]);
    native.gather(x, 1, index, g1);
    js.gather(x, 1, index, g2);
    close(g1, g2, 0, 'gather');
    const rows = ax.randint(0, 40, [45, 60], { generator: gen }).transpose(0, 1).contiguous().transpose(0, 1);
    const src = view([45, 60]);
    for (const mode of ['assign', 'add'] as const) {
      const s1 = view([40, 60]).mul(0),
        s2 = ax.zeros([40, 60]);
      native.scatter(mode, s1, 0, rows, src);
      js.scatter(mode, s2, 0, rows, src);
      if (mode === 'add') close(s1, s2, 1e-5, 'scatter add');
      else
        assert.equal(s1.ne(0).int().sum().item(), s2.ne(0).int().sum().item(), 'scatter assign writes the same places');
    }
    for (const op of ['argmax', 'argmin'] as const) {
      for (const axis of [0, 1, 2]) {
        const t = view([20, 30, 40], 'transposed');
        const shape = t.shape.filter((_, d) => d !== axis);
        const a1 = ax.zeros(shape, { dtype: 'int32' }),
          a2 = ax.zeros(shape, { dtype: 'int32' });
        native.argReduce(op, t, axis, a1);
        js.argReduce(op, t, axis, a2);
        close(a1, a2, 0, `${op} axis ${axis}`);
      }
    }
  });

  test('fused LSTM cell forward and backward', () => {
    const N = 7,
      H = 33;
    const gates = view([N, 4 * H]),
      c = view([N, 2 * H]).narrow(1, 0, H);
    const [o1, a1, o2, a2] = [out([N, 2 * H]), out([N, 4 * H]), out([N, 2 * H]), out([N, 4 * H])];
    native.lstmCell(gates, c, o1, a1);
    js.lstmCell(gates, c, o2, a2);
    close(o1, o2, 2e-6, 'lstmCell out');
    close(a1, a2, 2e-6, 'lstmCell act');
    const d = view([N, 2 * H]);
    const [g1, c1, g2, c2] = [out([N, 4 * H]), out([N, H]), out([N, 4 * H]), out([N, H])];
    native.lstmCellBackward(d, a2, c, o2, g1, c1);
    js.lstmCellBackward(d, a2, c, o2, g2, c2);
    close(g1, g2, 2e-6, 'lstmCell dGates');
    close(c1, c2, 2e-6, 'lstmCell dC');
  });

  test('fused layer norm forward and backward, with and without affine parameters', () => {
    const R = 50,
      D = 70;
    const x = view([R, D]),
      w = view([D]),
      b = view([D]),
      g = view([R, D]);
    for (const affine of [true, false]) {
      const [o1, m1, r1, o2, m2, r2] = [out([R, D]), out([R]), out([R]), out([R, D]), out([R]), out([R])];
      native.layerNorm(x, affine ? w : null, affine ? b : null, 1e-5, o1, m1, r1);
      js.layerNorm(x, affine ? w : null, affine ? b : null, 1e-5, o2, m2, r2);
      close(o1, o2, 1e-5, 'layerNorm out');
      close(r1, r2, 1e-5, 'layerNorm rstd');
      const [d1, w1, b1, d2, w2, b2] = [out([R, D]), out([D]), out([D]), out([R, D]), out([D]), out([D])];
      native.layerNormBackward(g, x, m2, r2, affine ? w : null, d1, affine ? w1 : null, affine ? b1 : null);
      js.layerNormBackward(g, x, m2, r2, affine ? w : null, d2, affine ? w2 : null, affine ? b2 : null);
      close(d1, d2, 1e-5, 'layerNorm dx');
      if (affine) {
        close(w1, w2, 1e-5, 'layerNorm dWeight');
        close(b1, b2, 1e-5, 'layerNorm dBias');
      }
    }
  });

  test('comparisons into bool outputs match JS exactly (NaN, ties, broadcast, strided)', () => {
    const a = view([40, 70]);
    const b = view([40, 70], 'strided');
    // Ties and NaNs on both sides: a few copied values and NaNs.
    const ad = a.data as Float32Array;
    for (let i = 0; i < 200; i += 7) ad[a.offset + i] = Number.NaN;
    const row = view([70]);
    for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
      for (const [x, y] of [
        [a, b],
        [a, a],
        [a, bview(row, [40, 70])],
        [b, bview(row, [40, 70])],
      ] as const) {
        const o1 = ax.zeros([40, 70], { dtype: 'bool' }),
          o2 = ax.zeros([40, 70], { dtype: 'bool' });
        native.binary(op, x, y, o1);
        js.binary(op, x, y, o2);
        assert.deepEqual(o1.toArray(), o2.toArray(), op);
      }
    }
  });

  test('batch norm forward and backward match JS (spatial, 1-d, odd sizes, with and without affine)', () => {
    // Sums over N·S values per channel in a different order: 1e-5 relative to the unit-scale outputs.
    for (const [N, C, S] of [
      [16, 8, 49],
      [64, 32, 1],
      [3, 5, 77],
      [128, 3, 4],
    ] as [number, number, number][]) {
      const x = view([N, C, S]),
        w = view([C]),
        b = view([C]),
        g = view([N, C, S]);
      for (const affine of [true, false]) {
        const o = () => [out([N, C, S]), out([C]), out([C]), out([C])] as const;
        const [o1, m1, v1, r1] = o(),
          [o2, m2, v2, r2] = o();
        native.batchNorm!(x, affine ? w : null, affine ? b : null, 1e-5, o1, m1, v1, r1);
        js.batchNorm!(x, affine ? w : null, affine ? b : null, 1e-5, o2, m2, v2, r2);
        close(o1, o2, 1e-5, 'batchNorm out');
        close(m1, m2, 1e-5, 'batchNorm mean');
        close(v1, v2, 1e-5, 'batchNorm variance');
        close(r1, r2, 1e-5, 'batchNorm rstd');
        const [d1, w1, b1, d2, w2, b2] = [out([N, C, S]), out([C]), out([C]), out([N, C, S]), out([C]), out([C])];
        native.batchNormBackward!(g, x, m2, r2, affine ? w : null, d1, affine ? w1 : null, affine ? b1 : null);
        js.batchNormBackward!(g, x, m2, r2, affine ? w : null, d2, affine ? w2 : null, affine ? b2 : null);
        close(d1, d2, 1e-5, 'batchNorm dx');
        if (affine) {
          close(w1, w2, 1e-4, 'batchNorm dWeight');
          close(b1, b2, 1e-4, 'batchNorm dBias');
        }
      }
    }
  });

  test('float64, int32 and bool fall back to the JS kernels', () => {
    const a = ax.randn([3, 4], { dtype: 'float64', generator: gen }),
      b = ax.randn([4, 2], { dtype: 'float64', generator: gen });
    const o1 = ax.zeros([3, 2], { dtype: 'float64' }),
      o2 = ax.zeros([3, 2], { dtype: 'float64' });
    native.matmul(a, b, o1);
    js.matmul(a, b, o2);
    close(o1, o2, 0, 'float64 matmul');
  });
});
