import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { KERNELS, SKIP_ENV, kernelAddon } from './helpers/kernels.js';

// The addon checks every call itself (native/src/binding.h): wrong argument counts and types,
// short descriptors, views that reach outside their buffer, unknown op codes and out-of-range
// indices all throw a BackendError naming the kernel and argument — never a crash or silent zeros.
// These calls go to the addon directly, past every TypeScript check.

const addon = kernelAddon();
const skip = addon === null && process.env[SKIP_ENV] ? `${KERNELS} kernels not built (${SKIP_ENV})` : false;

function rejects(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof ax.BackendError, `expected BackendError, got ${e.constructor.name}: ${e.message}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

const f32 = (n: number) => new Float32Array(n);
const i32 = (n: number) => new Int32Array(n);
const desc = (...v: number[]) => new Float64Array(v);
/** rank-1 descriptor of `n` elements over K views, unit strides, offsets 0 */
const flat = (n: number, k: number, ...extra: number[]) =>
  desc(1, n, ...Array<number>(k).fill(1), ...Array<number>(k).fill(0), ...extra);

describe('the native boundary rejects bad calls with a BackendError', { skip }, () => {
  if (!addon) {
    test('the native addon is built', () =>
      assert.fail(`the ${KERNELS} kernels are missing: the install step failed to build them`));
    return;
  }
  const a = addon;
  test('op codes come from the addon and cover the Backend names', () => {
    const ops = a.ops();
    assert.ok(
      ops.unary.includes('relu') &&
        ops.binary.includes('add') &&
        ops.reduce.includes('sum') &&
        ops.compare.includes('lt'),
    );
  });
  test('a good call still runs', () => {
    const x = Float32Array.from([-1, 2, -3, 4]),
      out = f32(4);
    assert.equal(a.unary(a.ops().unary.indexOf('relu'), x, out, flat(4, 2), 0, 0), true);
    assert.deepEqual([...out], [0, 2, 0, 4]);
  });
  test('an Adam step count past 2^32 runs (a double, not a 32-bit long on wasm32)', () => {
    const p = Float32Array.from([1, 2, 3, 4]);
    const args = [0, 0, 0, 0, 0, 0.1, 0.9, 0.999, 1e-8, 0, 2 ** 32 + 1, 0] as const;
    assert.equal(a.adamStep(p, f32(4).fill(1), f32(4), f32(4), null, desc(4, ...args)), true);
    assert.ok(p.every(Number.isFinite) && p[0]! < 1, `${[...p]}`);
  });
  test('argument count', () => {
    rejects(
      () => (a.unary as (...args: unknown[]) => unknown)(0, f32(4), f32(4)),
      /^unary \((?:native|wasm)\)/,
      /expected 6 arguments, got 3/,
    );
    rejects(() => (a.copy as (...args: unknown[]) => unknown)(), /^copy \((?:native|wasm)\)/);
  });
  test('argument types', () => {
    rejects(
      () => a.unary(0, new Float64Array(4) as unknown as Float32Array, f32(4), flat(4, 2), 0, 0),
      /argument x must be a Float32Array/,
    );
    rejects(
      () => a.unary(0, f32(4), f32(4), [1, 4, 1, 1, 0, 0] as unknown as Float64Array, 0, 0),
      /argument desc must be a Float64Array/,
    );
    rejects(
      () => a.gather(f32(4), f32(4) as unknown as Int32Array, f32(4), flat(4, 3, 4, 1)),
      /argument index must be a Int32Array/,
    );
    rejects(
      () => a.scatter('yes' as unknown as boolean, f32(4), i32(4), f32(4), flat(4, 3, 4, 1)),
      /argument add must be a boolean/,
    );
  });
  test('unknown op codes', () => {
    rejects(() => a.unary(999, f32(4), f32(4), flat(4, 2), 0, 0), /op must be an integer in \[0, \d+\], got 999/);
    rejects(() => a.binary(-1, f32(4), f32(4), f32(4), flat(4, 3)), /op must be an integer/);
    rejects(() => a.reduce(1.5, f32(4), f32(1), desc(1, 4, 1, 1, 0, 0)), /op must be an integer/);
  });
  test('descriptors of the wrong length or with bad values', () => {
    rejects(() => a.unary(0, f32(4), f32(4), desc(1, 4, 1), 0, 0), /desc has 3 values/);
    rejects(() => a.unary(0, f32(4), f32(4), desc(...flat(4, 2), 7), 0, 0), /desc has 7 values, expected 6/);
    rejects(() => a.unary(0, f32(4), f32(4), desc(1, 4.5, 1, 1, 0, 0), 0, 0), /a size must be an integer/);
    rejects(() => a.unary(0, f32(4), f32(4), desc(1, NaN, 1, 1, 0, 0), 0, 0), /got nan/i);
    rejects(() => a.unary(0, f32(4), f32(4), desc(1e6, 4), 0, 0), /rank must be an integer in \[0, 64\]/);
  });
  test('views that reach outside their buffer', () => {
    rejects(
      () => a.unary(0, f32(4), f32(8), flat(8, 2), 0, 0),
      /x: the view .* reaches elements 0 to 7 of a buffer of 4/,
    );
    rejects(() => a.copy(f32(8), f32(8), desc(1, 4, 1, 1, 6, 0)), /x: .* reaches elements 6 to 9 of a buffer of 8/);
    rejects(() => a.copy(f32(8), f32(8), desc(1, 4, -1, 1, 2, 0)), /x: .* reaches elements -1 to 2/);
    rejects(
      () => a.binary(0, f32(4), f32(4), f32(4), desc(2, 2, 2, 2, 1, 2, 1, 2, 1, 0, 0, 1)),
      /out: .* of a buffer of 4/,
    );
    rejects(() => a.compare(0, f32(4), f32(4), new Uint8Array(2), flat(4, 3)), /out: .* of a buffer of 2/);
    rejects(() => a.softmax(f32(4), f32(4), desc(1, 4, 1, 1, 0, 0, 3, 0)), /axis must be an integer in \[0, 0\]/);
  });
  test('matmul checks every matrix of the batch', () => {
    const dims = desc(2, 2, 2, 2, 1, 2, 1, 2, 1);
    assert.equal(a.matmul(f32(8), f32(8), f32(8), dims, desc(0, 0, 0, 4, 4, 4), false), true);
    rejects(
      () => a.matmul(f32(8), f32(8), f32(8), dims, desc(0, 0, 0, 4, 4, 5), false),
      /^matmul \((?:native|wasm)\): out:/,
      /reaches elements 5 to 8 of a buffer of 8/,
    );
    rejects(() => a.matmul(f32(8), f32(8), f32(8), dims, desc(0, 0), false), /not a multiple of 3/);
    rejects(() => a.matmul(f32(8), f32(8), f32(8), desc(2, 2, 2), desc(0, 0, 0), false), /dims has 3 values/);
  });
  test('gather and scatter check every index against its axis', () => {
    const x = Float32Array.from([10, 11, 12, 13]),
      out = f32(3);
    assert.equal(a.gather(x, Int32Array.from([3, 0, 2]), out, desc(1, 3, 0, 1, 1, 0, 0, 0, 4, 1)), true);
    assert.deepEqual([...out], [13, 10, 12]);
    rejects(
      () => a.gather(x, Int32Array.from([3, 4, 2]), out, desc(1, 3, 0, 1, 1, 0, 0, 0, 4, 1)),
      /^gather \((?:native|wasm)\): index: index 4 is out of range for an axis of size 4/,
    );
    rejects(
      () => a.gather(x, Int32Array.from([0, -1, 2]), out, desc(1, 3, 0, 1, 1, 0, 0, 0, 4, 1)),
      /index -1 is out of range/,
    );
    rejects(
      () => a.gather(x, Int32Array.from([0, 1, 2]), out, desc(1, 3, 0, 1, 1, 0, 0, 0, 5, 1)),
      /x: .* of a buffer of 4/,
    );
    rejects(
      () => a.scatter(true, f32(4), Int32Array.from([1, 9]), f32(2), desc(1, 2, 0, 1, 1, 0, 0, 0, 4, 1)),
      /^scatter \((?:native|wasm)\): index: index 9/,
    );
  });
  test('window kernels check the image, the columns and the geometry', () => {
    // [N, C, xs×4, kh, kw, sh, sw, ph, pw, dh, dw, H, W, oh, ow, cs×6, xOff, cOff] for a 1×1×4×4 image, 2×2 kernel.
    const geometry = (H: number, oh: number) => [2, 2, 2, 2, 0, 0, 1, 1, H, 4, oh, 2];
    const good = desc(1, 1, 16, 16, 4, 1, ...geometry(4, 2), 16, 16, 8, 4, 2, 1, 0, 0);
    assert.equal(a.im2col(f32(16), f32(16), good, 0), true);
    rejects(() => a.im2col(f32(12), f32(16), good, 0), /^im2col \((?:native|wasm)\): x: .* of a buffer of 12/);
    rejects(() => a.col2im(f32(8), f32(16), good), /^col2im \((?:native|wasm)\): cols:/);
    rejects(
      () =>
        a.im2col(
          f32(16),
          f32(16),
          desc(1, 1, 16, 16, 4, 1, 2, 2, 0, 2, 0, 0, 1, 1, 4, 4, 2, 2, 16, 16, 8, 4, 2, 1, 0, 0),
          0,
        ),
      /stride height must be an integer in \[1,/,
    );
    const pool = desc(1, 1, 16, 16, 4, 1, ...geometry(4, 2), 0, 0, 0, 0, 0, 0, 0, 0);
    assert.equal(a.maxPool2d(f32(16), f32(4), i32(4), pool, desc(4, 4, 2, 1, 4, 4, 2, 1, 0, 0)), true);
    rejects(
      () => a.maxPool2d(f32(16), f32(3), i32(4), pool, desc(4, 4, 2, 1, 4, 4, 2, 1, 0, 0)),
      /^maxPool2d \((?:native|wasm)\): out:/,
    );
    rejects(() => a.maxPool2d(f32(16), f32(4), i32(4), pool, desc(4, 4, 2, 1)), /extra has 4 values/);
    // conv2d: extra [Cout, wOff, biasOff, outOff]; weight [Cout, 1·2·2], out [1, Cout, 2, 2].
    const conv = (cout: number) => desc(cout, 0, 0, 0);
    assert.equal(a.conv2d(f32(16), f32(12), f32(3), f32(12), pool, conv(3)), true);
    assert.equal(a.conv2d(f32(16), f32(12), null, f32(12), pool, conv(3)), true);
    rejects(() => a.conv2d(f32(16), f32(11), f32(3), f32(12), pool, conv(3)), /^conv2d \((?:native|wasm)\): weight:/);
    rejects(() => a.conv2d(f32(16), f32(12), f32(2), f32(12), pool, conv(3)), /^conv2d \((?:native|wasm)\): bias:/);
    rejects(() => a.conv2d(f32(16), f32(12), f32(3), f32(11), pool, conv(3)), /^conv2d \((?:native|wasm)\): out:/);
    rejects(() => a.conv2d(f32(15), f32(12), f32(3), f32(12), pool, conv(3)), /^conv2d \((?:native|wasm)\): x:/);
    rejects(() => a.conv2d(f32(16), f32(12), f32(3), f32(12), pool, desc(3, 0, 0)), /extra has 3 values/);
    // conv2dBackward: extra [Cout, wOff, gradOff, dxOff, dwOff]; grad [1, 3, 2, 2], dx [1, 1, 4, 4], dw [3, 4].
    const back = (dwOff = 0) => desc(3, 0, 0, 0, dwOff);
    assert.equal(a.conv2dBackward(f32(16), f32(12), f32(12), f32(16), f32(12), pool, back()), true);
    assert.equal(a.conv2dBackward(f32(16), f32(12), f32(12), null, null, pool, back()), true);
    rejects(
      () => a.conv2dBackward(f32(16), f32(12), f32(11), f32(16), f32(12), pool, back()),
      /^conv2dBackward \((?:native|wasm)\): grad:/,
    );
    rejects(
      () => a.conv2dBackward(f32(16), f32(12), f32(12), f32(15), f32(12), pool, back()),
      /^conv2dBackward \((?:native|wasm)\): dx:/,
    );
    rejects(
      () => a.conv2dBackward(f32(16), f32(12), f32(12), f32(16), f32(12), pool, back(1)),
      /^conv2dBackward \((?:native|wasm)\): dw:/,
    );
    // depthwise: extra [Cout, wStr×3, wOff, outStr×4, outOff]; weight [Cout, 2, 2], out [1, Cout, 2, 2].
    const dw = (cout: number) => desc(cout, 4, 2, 1, 0, 4 * cout, 4, 2, 1, 0);
    assert.equal(a.depthwiseConv2d(f32(16), f32(8), f32(8), pool, dw(2)), true);
    rejects(
      () => a.depthwiseConv2d(f32(16), f32(7), f32(8), pool, dw(2)),
      /^depthwiseConv2d \((?:native|wasm)\): weight:/,
    );
    rejects(
      () => a.depthwiseConv2d(f32(16), f32(8), f32(7), pool, dw(2)),
      /^depthwiseConv2d \((?:native|wasm)\): out:/,
    );
    rejects(() => a.depthwiseConv2d(f32(16), f32(8), f32(8), pool, dw(-1)), /output channels must be an integer/);
  });
  test('fused kernels check their rows and vectors', () => {
    rejects(
      () => a.sgdStep(f32(4), f32(1), null, desc(4, 0, 0, 0, 0.1, 0, 0, 0, 0, 1)),
      /^sgdStep \((?:native|wasm)\): grad: .* of a buffer of 1/,
    );
    rejects(
      () => a.adamStep(f32(4), f32(4), f32(4), f32(2), null, desc(4, 0, 0, 0, 0, 0, 0.1, 0.9, 0.999, 1e-8, 0, 1, 0)),
      /^adamStep \((?:native|wasm)\): v:/,
    );
    rejects(
      () => a.adamStep(f32(4), f32(4), f32(4), f32(4), null, desc(4, 0, 0, 0, 0, 0, 0.1, 0.9, 0.999, 1e-8, 0, 0, 0)),
      /step must be an integer in \[1,/,
    );
    rejects(
      () => a.layerNorm(f32(8), null, null, f32(8), f32(2), f32(1), desc(2, 4, 0, 4, 0, 0, 0, 4, 0, 0, 1e-5)),
      /^layerNorm \((?:native|wasm)\): rstd:/,
    );
    rejects(
      () => a.batchNorm(f32(8), f32(1), null, f32(8), f32(2), f32(2), f32(2), desc(1, 2, 4, 0, 0, 0, 0, 0, 0, 0, 1e-5)),
      /^batchNorm \((?:native|wasm)\): weight:/,
    );
    rejects(
      () => a.lstmCell(f32(8), f32(2), f32(4), f32(7), desc(1, 2, 0, 8, 0, 2, 0, 4, 0, 8)),
      /^lstmCell \((?:native|wasm)\): act:/,
    );
    rejects(() => a.argReduce(true, f32(4), i32(1), desc(0, 0, 0, 0, 0)), /cannot reduce an empty axis/);
    rejects(
      () => a.reduce(0, f32(6), f32(6), desc(2, 2, 3, 3, 1, 2, 2, 0, 0)),
      /output shape \[2, 2\] does not reduce \[2, 3\]/,
    );
  });
  test('thread count and instruction set', () => {
    rejects(() => a.setNumThreads(0), /n must be an integer in \[1, 1024\]/);
    if (KERNELS === 'native') rejects(() => a.peakGflops(-1), /seconds must be in \[0, 60\]/);
  });
});
