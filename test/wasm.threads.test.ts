import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { NativeBackend } from '../src/backend/native/index.js';
import { wasmAddon } from '../src/backend/wasm/addon.js';
import { WasmKernels } from '../src/backend/wasm/kernels.js';
import { awaitWorkers } from './helpers/kernels.js';
import { wasmBuild, wasmBuildsExist, wasmPassSkip } from './helpers/wasm-builds.js';

// The threaded WebAssembly build (axon-threads.wasm): its workers join the kernels' thread pool,
// and every kernel gives what the single-threaded build (axon.wasm) gives, call after call.

const built = wasmBuildsExist;
const skip = wasmPassSkip;
const THREADS = Math.min(2, availableParallelism());

function kernels(file: string): WasmKernels {
  return new WasmKernels(wasmBuild(file));
}

/** Runs `compute` on the single-threaded and threaded builds (every size in the kernels); compares. */
function agree(single: WasmKernels, threaded: WasmKernels, label: string, compute: () => ax.Tensor[]): void {
  ax.registerBackend('wasm-single', () => new NativeBackend(wasmAddon(single), { minElements: 0, name: 'wasm' }));
  ax.registerBackend('wasm-threaded', () => new NativeBackend(wasmAddon(threaded), { minElements: 0, name: 'wasm' }));
  const before = ax.getBackend().name;
  let want: Float32Array[], got: Float32Array[];
  try {
    ax.setBackend('wasm-single');
    want = compute().map((t) => t.toTypedArray() as Float32Array);
    ax.setBackend('wasm-threaded');
    got = compute().map((t) => t.toTypedArray() as Float32Array);
  } finally {
    ax.setBackend(before);
  }
  want.forEach((w, k) => {
    const g = got[k]!;
    assert.equal(g.length, w.length);
    for (let i = 0; i < w.length; i++)
      assert.ok(
        Math.abs(g[i]! - w[i]!) <= 1e-5 * Math.max(1, Math.abs(w[i]!)),
        `${label}: output ${k} element ${i}: threaded ${g[i]}, single ${w[i]}`,
      );
  });
}

describe('the threaded WebAssembly kernels (axon-threads.wasm)', { skip }, () => {
  if (!built) {
    test('both WebAssembly builds exist', () =>
      assert.fail('native/wasm/build lacks axon.wasm or axon-threads.wasm: scripts/build-wasm.mjs failed'));
    return;
  }
  const single = kernels('axon.wasm');
  const threaded = kernels('axon-threads.wasm');

  test('its workers join the thread pool; setThreads changes how many threads the kernels use', () => {
    assert.equal(single.threaded, false);
    assert.equal(threaded.threaded, true);
    threaded.setThreads(THREADS);
    awaitWorkers(threaded, THREADS);
    assert.equal(threaded.threads(), THREADS);
    threaded.setThreads(1);
    assert.equal(threaded.threads(), 1);
    threaded.setThreads(THREADS);
    assert.equal(threaded.threads(), THREADS);
    single.setThreads(4);
    assert.equal(single.threads(), 1, 'the single-threaded build stays on one thread');
  });

  test('products, convolutions, normalisation, softmax and the LSTM cell agree with the single-threaded build, gradients included', () => {
    awaitWorkers(threaded, THREADS);
    ax.manualSeed(7);
    const net = new ax.nn.Sequential(
      new ax.nn.Conv2d(3, 32, 3, { padding: 1 }),
      new ax.nn.BatchNorm2d(32),
      new ax.nn.ReLU(),
      new ax.nn.Conv2d(32, 32, 3, { padding: 1 }),
      new ax.nn.ReLU(),
      new ax.nn.MaxPool2d(2),
      new ax.nn.Flatten(),
      new ax.nn.LayerNorm(32 * 8 * 8),
      new ax.nn.Linear(32 * 8 * 8, 10),
    );
    const lstm = new ax.nn.LSTM(24, 48, { batchFirst: true });
    const x = ax.randn([12, 3, 16, 16]);
    const seq = ax.randn([16, 9, 24]);
    const labels = ax.randint(0, 10, [12]);
    const params = [...net.parameters(), ...lstm.parameters()];
    agree(single, threaded, 'training step', () => {
      for (const p of params) p.grad = null;
      const logits = net.forward(x);
      const [out] = lstm.forward(seq);
      const loss = ax.nn.functional.crossEntropy(logits, labels).add(out.pow(2).mean());
      loss.backward();
      return [logits, out, ax.softmax(logits, 1), ...params.map((p) => p.grad!)];
    });
    for (const [m, k, n] of [
      [300, 200, 250],
      [4096, 16, 8], // tall and skinny
      [3, 1000, 700], // few rows
    ] as const) {
      const a = ax.randn([m, k]),
        b = ax.randn([k, n]);
      agree(single, threaded, `matmul ${m}x${k}x${n}`, () => [a.matmul(b), a.matmul(b).relu()]);
    }
  });

  test('a thousand threaded calls in a row, with the workers growing their buffers, keep agreeing', () => {
    awaitWorkers(threaded, THREADS);
    ax.manualSeed(11);
    // Growing convolutions make each worker enlarge its thread-local buffers (allocations under the
    // allocator's lock) while the other threads run.
    for (const size of [6, 10, 18, 34]) {
      const x = ax.randn([4, 8, size, size]),
        w = ax.randn([16, 8, 3, 3]);
      agree(single, threaded, `conv2d ${size}x${size}`, () => [ax.nn.functional.conv2d(x, w, null, { padding: 1 })]);
    }
    const a = ax.randn([64, 48]),
      b = ax.randn([48, 80]);
    agree(single, threaded, '1000 products', () => {
      const first = a.matmul(b);
      const firstValues = first.toTypedArray();
      for (let i = 0; i < 1000; i++) {
        const again = a.matmul(b).toTypedArray();
        for (let j = 0; j < again.length; j += 97)
          if (again[j] !== firstValues[j]) assert.fail(`call ${i}: element ${j} is ${again[j]}, was ${firstValues[j]}`);
      }
      return [first];
    });
  });
});
