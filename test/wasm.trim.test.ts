import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';
import type { View } from '../src/backend/backend.js';
import { trimArgs } from '../src/backend/wasm/trim.js';
import { wasmBackend } from '../src/backend/wasm/init.js';

// The wasm backend hands the kernels only the part of each array a call addresses (trim.ts): the
// rebasing itself, then ops on slices of large tensors against the JS backend.

const view = (data: Float32Array, shape: number[], strides: number[], offset: number): View => ({
  data,
  shape,
  strides,
  offset,
});

describe('trimArgs', () => {
  test('a view of part of a large array is rebased onto that part', () => {
    const big = new Float32Array(10_000);
    const [v] = trimArgs([view(big, [4, 8], [100, 1], 5_000)]) as [View];
    // elements 5000 … 5307
    assert.equal(v.data.length, 308);
    assert.equal(v.data.buffer, big.buffer);
    assert.equal(v.data.byteOffset, 5_000 * 4);
    assert.equal(v.offset, 0);
    assert.deepEqual(v.strides, [100, 1]);
  });

  test('views of one array share one part spanning all of them; other arguments pass unchanged', () => {
    const big = new Float32Array(10_000);
    const other = new Float32Array(64);
    const geometry = { kernel: [1, 1] };
    const [a, g, b, o, n] = trimArgs([
      view(big, [16], [1], 3_000),
      geometry,
      view(big, [16], [1], 6_000),
      view(other, [64], [1], 0),
      7,
    ]) as [View, unknown, View, View, number];
    assert.equal(a.data, b.data, 'one subarray for both views (the glue copies it once)');
    assert.equal(a.data.length, 3_016);
    assert.equal(a.offset, 0);
    assert.equal(b.offset, 3_000);
    assert.equal(g, geometry);
    assert.equal(o.data, other, 'an array addressed whole is not copied into a subarray');
    assert.equal(n, 7);
  });

  test('negative strides, broadcast strides and empty views', () => {
    const big = new Float32Array(10_000);
    // flipped: offset 4_999, stride -1 over 100 elements → elements 4900 … 4999
    const [f, z] = trimArgs([view(big, [100], [-1], 4_999), view(new Float32Array(5_000), [8, 4], [0, 1], 100)]) as [
      View,
      View,
    ];
    assert.equal(f.data.length, 100);
    assert.equal(f.data.byteOffset, 4_900 * 4);
    assert.equal(f.offset, 99);
    assert.equal(z.data.length, 4);
    assert.equal(z.offset, 0);
    // An empty view addresses nothing: its array is handed over whole, and so are other views of it.
    const args = [view(big, [0, 3], [3, 1], 9_000), view(big, [3], [1], 0)];
    assert.equal(trimArgs(args), args);
  });

  test('arrays with little outside the span are left whole', () => {
    const small = new Float32Array(2_000);
    const args = [view(small, [1_500], [1], 100)];
    assert.equal(trimArgs(args), args);
  });
});

const wasmFile = fileURLToPath(new URL('../native/wasm/build/axon.wasm', import.meta.url));
const skip = existsSync(wasmFile) ? false : 'wasm kernels not built (node scripts/build-wasm.mjs)';

describe('wasm kernels on slices of large tensors', { skip }, () => {
  /** Runs `compute` on the JS backend and on the wasm one (everything on the kernels); compares. */
  function agree(compute: () => ax.Tensor[]): void {
    ax.registerBackend('wasm-trim-test', () => wasmBackend(new WebAssembly.Module(readFileSync(wasmFile))));
    const before = ax.getBackend().name;
    let want: number[][], got: number[][];
    try {
      ax.setBackend('js');
      want = compute().map((t) => Array.from(t.toTypedArray()));
      ax.setBackend('wasm-trim-test');
      got = compute().map((t) => Array.from(t.toTypedArray()));
    } finally {
      ax.setBackend(before);
    }
    assert.equal(got.length, want.length);
    got.forEach((g, i) => {
      assert.equal(g.length, want[i]!.length);
      g.forEach((v, j) => assert.ok(Math.abs(v - want[i]![j]!) <= 1e-5 * (1 + Math.abs(want[i]![j]!)), `${i}[${j}]`));
    });
  }

  const seq = (n: number) => ax.arange(n).mul(0.001).sin();

  test('in-place add into one time step of a [T, N, H] tensor leaves the other steps alone', () => {
    agree(() => {
      const all = seq(32 * 16 * 64).reshape([32, 16, 64]);
      const step = all.select(0, 7);
      step.add_(ax.ones([16, 64]));
      return [all];
    });
  });

  test('copies, products and reductions over slices, a flipped view and two overlapping slices of one tensor', () => {
    agree(() => {
      const all = seq(40 * 128).reshape([40, 128]);
      const a = all.narrow(0, 10, 8); // rows 10 … 17
      const b = all.narrow(0, 30, 8); // rows 30 … 37
      const w = seq(128 * 64).reshape([128, 64]);
      const sum = a.add(b); // one part spanning both
      const prod = a.matmul(w);
      const flipped = all.flip([0]).narrow(0, 0, 4).contiguous();
      const total = all.narrow(1, 64, 64).sum(1);
      const target = ax.zeros([40, 128]);
      target.narrow(0, 20, 8).copy_(a);
      return [sum, prod, flipped, total, target];
    });
  });
});
