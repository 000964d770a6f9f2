import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { clearArrayPool, giveArray, pooledArrayBytes, takeArray } from '../src/tensor/array-pool.js';

// `ax.tidy` and `dispose()` on the CPU backends (js, native, wasm): the tensors they free throw when
// used, and the arrays ops allocated for them go to the array pool, which later allocations take —
// so a step in tidy reuses the previous step's memory instead of faulting in fresh pages. A recycled
// array something still used would corrupt results silently, so training in tidy is compared with
// training without it, loss for loss.

const { nn } = ax;
const cpu = ax.getBackend().name !== 'webgpu';

describe('ax.tidy on a CPU backend', { skip: cpu ? false : 'CPU backends only' }, () => {
  test('tensors made inside and not returned are freed and their arrays reused; results, kept tensors and inputs stay', () => {
    clearArrayPool();
    const a = ax.randn([64, 64]);
    let inner: ax.Tensor | undefined;
    let innerArray: ax.TypedArray | undefined;
    const out = ax.tidy(() => {
      inner = a.mul(2);
      innerArray = inner.data;
      const k = ax.keep(a.add(1));
      return { r: a.sub(1), list: [k] };
    });
    assert.ok(pooledArrayBytes() >= 64 * 64 * 4, `pooled ${pooledArrayBytes()} bytes`);
    const want = a.toTypedArray();
    assert.deepEqual(
      out.r.toTypedArray(),
      want.map((v) => v - 1),
    );
    assert.deepEqual(
      out.list[0]!.toTypedArray(),
      want.map((v) => v + 1),
    );
    // The next tensor of that size takes the freed array, with its own values.
    const b = a.mul(3);
    assert.equal(b.data, innerArray);
    assert.deepEqual(
      b.toTypedArray(),
      want.map((v) => v * 3),
    );
    assert.throws(() => inner!.add(1), /disposed/);
  });

  test('dispose() recycles arrays ops and factories allocated, never an array the user handed in', () => {
    clearArrayPool();
    const mine = new Float32Array(4096).fill(5);
    const t = ax.fromTypedArray(mine, [64, 64]);
    t.dispose();
    assert.equal(pooledArrayBytes(), 0, 'the user array stays the user’s');
    assert.ok(mine.every((v) => v === 5));
    const ones = ax.ones([64, 64]);
    const u = ones.mul(2);
    u.dispose();
    assert.equal(pooledArrayBytes(), 64 * 64 * 4);
    assert.throws(() => u.sum(), /disposed/);
    ones.dispose();
    assert.equal(pooledArrayBytes(), 2 * 64 * 64 * 4, 'a factory’s array too');
    clearArrayPool(); // (else ax.tensor takes a pooled array and gives the same back)
    ax.tensor(new Float32Array(4096)).dispose(); // ax.tensor copies into an array of its own
    assert.equal(pooledArrayBytes(), 64 * 64 * 4);
  });

  for (const [name, makeOpt] of [
    ['SGD with momentum', (p: ax.nn.Parameter[]) => new ax.optim.SGD(p, { lr: 0.05, momentum: 0.9 })],
    ['Adam', (p: ax.nn.Parameter[]) => new ax.optim.Adam(p, { lr: 1e-3 })],
  ] as const) {
    test(`training in tidy gives the losses training without it gives, and the pool stops growing (${name})`, () => {
      const run = (tidy: boolean) => {
        ax.manualSeed(3);
        const model = new nn.Sequential(new nn.Linear(64, 128), new nn.Tanh(), new nn.Linear(128, 10));
        const opt = makeOpt(model.parameters());
        const x = ax.randn([32, 64]);
        const y = ax.randint(0, 10, [32]);
        const step = () => {
          opt.zeroGrad();
          const loss = nn.functional.crossEntropy(model.forward(x), y);
          loss.backward();
          opt.step();
          return loss.item();
        };
        const losses: number[] = [];
        const pooled: number[] = [];
        for (let i = 0; i < 12; i++) {
          losses.push(tidy ? ax.tidy(step) : step());
          pooled.push(pooledArrayBytes());
        }
        return { losses, pooled, weight: model.parameters()[0]!.toTypedArray() };
      };
      clearArrayPool();
      const plain = run(false);
      clearArrayPool();
      const tidy = run(true);
      assert.deepEqual(tidy.losses, plain.losses);
      assert.deepEqual(tidy.weight, plain.weight);
      assert.ok(tidy.pooled[11]! > 0, 'the steps gave arrays back');
      // Each step takes what the one before gave back: the pool holds one step's arrays, not more.
      assert.equal(tidy.pooled[11], tidy.pooled[5], `pooled bytes by step: ${tidy.pooled.join(', ')}`);
    });
  }

  test('fit() runs each step in tidy: the model still trains, its parameters and optimizer state intact', () => {
    ax.manualSeed(1);
    const x = ax.randn([256, 8]);
    const y = x.sum(1).gt(0).int();
    const model = new nn.Sequential(new nn.Linear(8, 32), new nn.ReLU(), new nn.Linear(32, 2));
    const loader = new ax.data.DataLoader(new ax.data.TensorDataset(x, y), { batchSize: 32, shuffle: true });
    const history = ax.train.fit(model, loader, {
      epochs: 4,
      loss: nn.functional.crossEntropy,
      optimizer: new ax.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }),
      progress: false,
    });
    const losses = history.epochs.map((e) => e['loss']!);
    assert.ok(losses[3]! < losses[0]!, `losses ${losses.join(', ')}`);
    assert.ok(Number.isFinite(model.forward(x).sum().item()));
  });
});

describe('array pool bound', () => {
  test('past the bound the sizes given back least recently are dropped, the newest kept', () => {
    clearArrayPool();
    const MB16 = 4 * 2 ** 20; // float32 elements in 16 MB
    const old = new Float32Array(MB16 - 1024);
    giveArray('float32', old);
    for (let i = 0; i < 16; i++) giveArray('float32', new Float32Array(MB16));
    const newest = new Float32Array(MB16 + 1024);
    assert.equal(giveArray('float32', newest), true);
    assert.ok(pooledArrayBytes() <= 256 * 2 ** 20, `${pooledArrayBytes()} bytes pooled`);
    // (a 16 MB buffer serves the request now: the pool takes the smallest buffer that holds it)
    assert.notEqual(takeArray('float32', MB16 - 1024)?.buffer, old.buffer, 'the oldest size was dropped');
    assert.equal(takeArray('float32', MB16 + 1024), newest);
    clearArrayPool();
  });
});
