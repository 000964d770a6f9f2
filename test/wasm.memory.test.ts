import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ax from '../src/index.js';
import { NativeBackend } from '../src/backend/native/index.js';
import { wasmAddon } from '../src/backend/wasm/addon.js';
import { WasmKernels } from '../src/backend/wasm/kernels.js';
import { ModuleArrays } from '../src/backend/wasm/module-arrays.js';
import { wasmBackend } from '../src/backend/wasm/init.js';
import { platform, installPlatform } from '../src/platform/platform.js';
import { awaitWorkers } from './helpers/kernels.js';
import { wasmBuild, wasmBuildsExist, wasmPassSkip } from './helpers/wasm-builds.js';

// The threaded wasm build keeps tensors' arrays in its shared memory (src/backend/wasm/module-arrays.ts):
// kernels read and write them in place, dispose/tidy and the collector free them, and everything else
// in Axon sees ordinary typed arrays.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const built = wasmBuildsExist;
const skip = wasmPassSkip;

const module = wasmBuild;
const isShared = (a: ArrayBufferView) => Object.prototype.toString.call(a.buffer) === '[object SharedArrayBuffer]';

/** Runs fn on a wasm backend of its own (so its kernels' counters are this test's), then restores. */
function onKernels<T>(kernels: WasmKernels, fn: () => T): T {
  const before = ax.getBackend().name;
  ax.registerBackend('wasm-memory-test', () => wasmBackend(kernels));
  ax.setBackend('wasm-memory-test');
  try {
    return fn();
  } finally {
    ax.setBackend(before);
  }
}

/** Lets the collector run and the finalizers it queued (they run as tasks after it). */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 0));
  }
}

describe('tensors in the threaded wasm build’s memory', { skip }, () => {
  if (!built) {
    test('both WebAssembly builds exist', () =>
      assert.fail('native/wasm/build lacks axon.wasm or axon-threads.wasm: scripts/build-wasm.mjs failed'));
    return;
  }
  const kernels = new WasmKernels(module('axon-threads.wasm'));
  awaitWorkers(kernels);

  test('op outputs of 4 KB and more are views of the module’s shared memory, smaller ones ordinary arrays; values as on the JS backend', () => {
    ax.manualSeed(3);
    const a = ax.randn([64, 96]),
      b = ax.randn([96, 80]);
    const { big, small, relu } = onKernels(kernels, () => {
      const big = a.matmul(b);
      return { big, small: ax.randn([200]).add(1), relu: big.relu() };
    });
    assert.ok(isShared(big.data) && isShared(relu.data), 'outputs in module memory');
    assert.ok(isShared(a.data), 'the inputs too: allocated while the wasm backend was selected');
    assert.ok(!isShared(small.data), 'an 800-byte array stays ordinary');
    ax.setBackend('js');
    try {
      const want = a.matmul(b);
      const got = big.toTypedArray();
      const w = want.toTypedArray();
      for (let i = 0; i < w.length; i++) assert.ok(Math.abs(got[i]! - w[i]!) < 1e-4, `element ${i}`);
      assert.deepEqual(
        relu.toTypedArray(),
        want
          .relu()
          .toTypedArray()
          .map((v, i) => (v > 0 ? got[i]! : 0)),
      );
    } finally {
      ax.setBackend('wasm');
    }
  });

  test('a training step copies no tensor in or out of the module (only arrays under 4 KB)', () => {
    ax.manualSeed(5);
    const copied = onKernels(kernels, () => {
      const model = new ax.nn.Sequential(new ax.nn.Linear(784, 256), new ax.nn.ReLU(), new ax.nn.Linear(256, 10));
      const opt = new ax.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
      const x = ax.randn([128, 784]);
      const y = ax.randint(0, 10, [128]);
      const step = () =>
        ax.tidy(() => {
          opt.zeroGrad();
          ax.nn.functional.crossEntropy(model.forward(x), y).backward();
          opt.step();
        });
      step();
      const before = kernels.copiedBytes;
      step();
      return kernels.copiedBytes - before;
    });
    // The same step with every array copied moves ~5 MB (parameters, activations, gradients).
    assert.ok(copied < 16 * 1024, `${copied} bytes copied in one step`);
  });

  test('dispose and ax.tidy give the memory back: 300 training steps leave it as they found it', async () => {
    ax.manualSeed(6);
    const arrays = kernels.arrays!;
    await collect(); // (earlier tests' garbage, freed now rather than during the loop)
    onKernels(kernels, () => {
      const model = new ax.nn.Sequential(new ax.nn.Linear(64, 128), new ax.nn.Tanh(), new ax.nn.Linear(128, 8));
      const opt = new ax.optim.Adam(model.parameters(), { lr: 1e-3 });
      const x = ax.randn([256, 64]);
      const y = ax.randint(0, 8, [256]);
      const step = () =>
        ax.tidy(() => {
          opt.zeroGrad();
          const loss = ax.nn.functional.crossEntropy(model.forward(x), y);
          loss.backward();
          opt.step();
        });
      step(); // Adam's state is made on its first step and kept
      const lent = arrays.lentBytes();
      const memory = kernels.memoryBytes();
      for (let i = 0; i < 300; i++) step();
      assert.equal(arrays.lentBytes(), lent);
      assert.equal(kernels.memoryBytes(), memory, 'the module memory did not grow');
      const t = ax.randn([32, 64]);
      assert.equal(arrays.lentBytes(), lent + 32 * 64 * 4);
      t.dispose();
      assert.equal(arrays.lentBytes(), lent);
    });
  });

  test('arrays nobody disposed are freed when the collector finds them unreachable', async () => {
    const arrays = kernels.arrays!;
    await collect();
    const lent = arrays.lentBytes();
    onKernels(kernels, () => {
      for (let i = 0; i < 50; i++) ax.randn([100, 100]).mul(2);
    });
    assert.ok(arrays.lentBytes() > lent, 'the loop lent memory');
    await collect();
    assert.equal(arrays.lentBytes(), lent);
  });

  test('a loop that never disposes stays within a bound: past it, arrays are ordinary ones and the collector catches up', () => {
    const fresh = new WasmKernels(module('axon-threads.wasm'));
    onKernels(fresh, () => {
      // 1.2 GB of 1 MB results, none disposed: the module's 2 GB would fill without the bound
      let ordinary = 0;
      for (let i = 0; i < 1200; i++) if (!isShared(ax.zeros([512, 512]).add(1).data)) ordinary++;
      assert.ok(ordinary > 0, 'some results were ordinary arrays');
      assert.ok(ordinary < 1200, 'and some were lent');
    });
    assert.ok(fresh.arrays!.lentBytes() <= 256 * 1024 * 1024, `${fresh.arrays!.lentBytes()} bytes lent`);
    assert.ok(fresh.memoryBytes() < 400 * 1024 * 1024, `module memory ${fresh.memoryBytes()} bytes`);
  });

  test('only an array it lent goes back, and only once: not a subarray, not a copy, not an ordinary array', () => {
    const arrays = kernels.arrays!;
    const a = arrays.take('float32', 4096)!;
    assert.ok(isShared(a));
    assert.ok(
      a.every((v) => v === 0),
      'zeroed',
    );
    a.fill(7);
    assert.equal(arrays.give(a.subarray(1)), false);
    assert.equal(arrays.give(new Float32Array(4096)), false);
    assert.equal(arrays.give(a), true);
    assert.equal(arrays.give(a), false, 'a second give would free the memory twice');
    const b = arrays.take('float32', 4096)!;
    assert.ok(
      b.every((v) => v === 0),
      'memory given back comes out zeroed again',
    );
    arrays.give(b);
  });

  test('an array in another module’s memory, or in none, is copied; one in this module’s is not', () => {
    const other = new WasmKernels(module('axon-threads.wasm'));
    const mine = kernels.arrays!.take('float32', 2048)!.fill(-1);
    const theirs = other.arrays!.take('float32', 2048)!.fill(-1);
    const out = kernels.arrays!.take('float32', 2048)!;
    const backend = new NativeBackend(wasmAddon(kernels), { minElements: 0 });
    const view = (data: ax.TypedArray) => ({ data, shape: [2048], strides: [1], offset: 0 });
    const unary = (x: ax.TypedArray, o: ax.TypedArray) => backend.unary('relu', view(x), view(o));
    // (the call's shape descriptor, a few doubles, is copied either way)
    let before = kernels.copiedBytes;
    unary(mine, out);
    assert.ok(kernels.copiedBytes - before < 128, `${kernels.copiedBytes - before} bytes`);
    assert.ok(out.every((v) => v === 0));
    before = kernels.copiedBytes;
    unary(theirs, out);
    assert.ok(kernels.copiedBytes - before >= 2048 * 4, 'the other module’s array is copied in');
    assert.ok(kernels.copiedBytes - before < 2048 * 4 + 128);
    before = kernels.copiedBytes;
    unary(new Float32Array(2048).fill(3), new Float32Array(2048));
    assert.ok(kernels.copiedBytes - before >= 2 * 2048 * 4, 'ordinary arrays: in, and the output back out');
    kernels.arrays!.give(mine);
    kernels.arrays!.give(out);
    other.arrays!.give(theirs);
  });

  test('growing the memory keeps earlier arrays valid, and kernels still read them in place', () => {
    const grown = new WasmKernels(module('axon-threads.wasm'));
    const start = grown.memoryBytes();
    onKernels(grown, () => {
      ax.manualSeed(8);
      const a = ax.randn([64, 64]);
      const values = a.toTypedArray();
      // 48 MB more than the module started with: its memory grows, its buffer is a new object
      const big = [ax.zeros([4096, 4096]), ax.zeros([4096, 4096]), ax.zeros([4096, 4096])];
      assert.ok(grown.memoryBytes() > start, `memory ${grown.memoryBytes()} > ${start}`);
      assert.deepEqual(a.toTypedArray(), values, 'an array made before the growth still reads its values');
      const before = grown.copiedBytes;
      const y = a.matmul(a);
      assert.ok(grown.copiedBytes - before < 128, 'and is passed in place (only the descriptors are copied)');
      ax.setBackend('js');
      const want = a.matmul(a).toTypedArray();
      ax.setBackend('wasm-memory-test');
      const got = y.toTypedArray();
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-4, `element ${i}`);
      for (const t of big) t.dispose();
    });
  });

  test('an array made on wasm stays valid on another backend and goes back to the module when disposed', () => {
    const arrays = kernels.arrays!;
    const t = onKernels(kernels, () => ax.randn([50, 50]));
    const lent = arrays.lentBytes();
    ax.setBackend('js');
    try {
      const u = t.add(1); // made on the JS backend: an ordinary array
      assert.ok(!isShared(u.data));
      assert.ok(Math.abs(u.sub(t).sum().item() - 2500) < 1e-3);
      ax.tidy(() => t.mul(1)); // (tidy frees the result, not t)
      assert.equal(arrays.lentBytes(), lent);
    } finally {
      ax.setBackend('wasm');
    }
    t.dispose();
    assert.equal(arrays.lentBytes(), lent - 50 * 50 * 4);
  });

  test('when the module cannot grow, arrays are ordinary ones (copied per call) instead of failing', () => {
    let freed = 0;
    const full = new ModuleArrays({
      buffer: () => new SharedArrayBuffer(16),
      allocZeroed: () => 0,
      free: () => freed++,
    });
    assert.equal(full.take('float32', 1 << 20), undefined);
    assert.equal(full.lentBytes(), 0);
    assert.equal(freed, 0);
  });

  test('the single-threaded build keeps ordinary arrays and copies them (its memory detaches when it grows)', () => {
    const single = new WasmKernels(module('axon.wasm'));
    assert.equal(single.arrays, null);
    const t = onKernels(single, () => ax.randn([64, 96]).matmul(ax.randn([96, 80])));
    assert.ok(!isShared(t.data));
    assert.ok(single.copiedBytes > 0);
  });

  test('a host that cannot make shared memory is told to load axon.wasm; one that cannot share it with workers runs on one thread', () => {
    const host = platform();
    try {
      installPlatform({ ...host, sharedMemory: () => false });
      assert.throws(
        () => new WasmKernels(module('axon-threads.wasm')),
        (e: Error) =>
          e instanceof ax.BackendError &&
          /the threaded build needs shared memory.*load axon\.wasm instead/.test(e.message),
      );
      installPlatform({ ...host, workersShareMemory: () => false });
      const alone = new WasmKernels(module('axon-threads.wasm'));
      alone.setThreads(4);
      assert.equal(alone.threads(), 1);
      assert.ok(alone.arrays !== null, 'its tensors still live in its memory');
    } finally {
      installPlatform(host);
    }
  });
});
