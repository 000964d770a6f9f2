import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ax from '../src/index.js';
import { JsBackend } from '../src/backend/js/index.js';
import { roundToBf16 } from '../src/backend/js/bf16.js';

// ax.autocast('bfloat16'): products round their operands to bfloat16 and accumulate in float32, on
// the backend under test; the JS backend's rounded copies are the reference.
const gen = new ax.Generator(21);
const js = new JsBackend();

/** The reference: operands rounded on the host, multiplied by the JS backend in float32. */
function reference(a: ax.Tensor, b: ax.Tensor): Float32Array {
  const out = ax.zeros([a.shape[0]!, b.shape[1]!]);
  js.matmulBf16(a, b, out);
  return out.toTypedArray() as Float32Array;
}

test('roundToBf16 rounds to nearest, ties to even, and keeps NaN and infinities', () => {
  const v = new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -7, -2.5, 3.4e38, NaN, Infinity, -0, 1e-40]);
  roundToBf16(v);
  assert.deepEqual([...v.slice(0, 4)], [1, 1 + 2 ** -6, 1 + 2 ** -7, -2.5]);
  assert.equal(v[4], Infinity, 'past the largest bfloat16, rounding overflows');
  assert.ok(Number.isNaN(v[5]!));
  assert.equal(v[6], Infinity);
  assert.ok(Object.is(v[7], -0));
  assert.ok(v[8]! > 0 && v[8]! < 1e-39, 'subnormals round like the rest');
});

test(`products inside autocast use bfloat16 operands on the ${ax.getBackend().name} backend, for every shape path`, () => {
  for (const [M, K, N] of [
    [1, 1, 1],
    [7, 3, 5],
    [33, 65, 47],
    [128, 300, 40],
  ] as const) {
    const a = ax.randn([M, K], { generator: gen }),
      b = ax.randn([N, K], { generator: gen }).t();
    const f32 = a.matmul(b).toTypedArray();
    const got = ax.autocast('bfloat16', () => a.matmul(b)).toTypedArray();
    const want = reference(a, b);
    let moved = 0;
    for (let i = 0; i < got.length; i++) {
      // Summation order differs between kernels: float32 rounding of sums of K terms.
      assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * K, `${M}×${K}×${N} element ${i}: ${got[i]} vs ${want[i]}`);
      moved = Math.max(moved, Math.abs(got[i]! - f32[i]!));
    }
    if (K > 1) assert.ok(moved > 0, `${M}×${K}×${N}: the bf16 product equals the float32 one`);
  }
  // Values bfloat16 holds exactly give exactly the float32 product.
  const a = ax.randint(-8, 8, [9, 12], { generator: gen }).float(),
    b = ax.randint(-8, 8, [12, 10], { generator: gen }).float();
  assert.deepEqual(ax.autocast('bfloat16', () => a.matmul(b)).toArray(), a.matmul(b).toArray());
});

test('autocast covers linear, conv2d, batched matmul and backward run inside it; other ops and dtypes are unchanged', () => {
  const layer = new ax.nn.Linear(64, 16);
  const x = ax.randn([8, 64], { generator: gen });
  const yF = layer.forward(x);
  const yB = ax.autocast('bfloat16', () => layer.forward(x));
  const diff = yB.sub(yF).abs().amax().item();
  assert.ok(diff > 0 && diff < 0.05, `linear: bf16 vs float32 differ by ${diff}`);
  assert.equal(yB.dtype, 'float32');
  const img = ax.randn([2, 3, 8, 8], { generator: gen }),
    w = ax.randn([4, 3, 3, 3], { generator: gen });
  const cF = ax.nn.functional.conv2d(img, w);
  const cB = ax.autocast('bfloat16', () => ax.nn.functional.conv2d(img, w));
  const cd = cB.sub(cF).abs().amax().item();
  assert.ok(cd > 0 && cd < 0.1, `conv2d: ${cd}`);
  const q = ax.randn([2, 5, 7], { generator: gen });
  const bd = ax
    .autocast('bfloat16', () => q.matmul(q.transpose(1, 2)))
    .sub(q.matmul(q.transpose(1, 2)))
    .abs()
    .amax()
    .item();
  assert.ok(bd > 0 && bd < 0.1, `batched: ${bd}`);
  // backward inside autocast: gradients close to float32's, not equal.
  const grads = (cast: boolean) => {
    const wl = layer.weight.detach().clone().requiresGrad_();
    const run = () => ax.nn.functional.linear(x, wl).square().sum().backward();
    if (cast) ax.autocast('bfloat16', run);
    else run();
    return wl.grad!;
  };
  const gd = grads(true).sub(grads(false)).abs().amax().item() / grads(false).abs().amax().item();
  assert.ok(gd > 0 && gd < 0.02, `weight gradient relative difference ${gd}`);
  // float64 products stay float64.
  const d = ax.randn([4, 4], { dtype: 'float64', generator: gen });
  assert.deepEqual(ax.autocast('bfloat16', () => d.matmul(d)).toArray(), d.matmul(d).toArray());
});

test('autocast restores the previous mode after fn returns or throws, nests, and refuses bad arguments', () => {
  const a = ax.randn([6, 6], { generator: gen });
  const f32 = a.matmul(a).toArray();
  assert.throws(
    () =>
      ax.autocast('bfloat16', () => {
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.deepEqual(a.matmul(a).toArray(), f32, 'autocast ended with the throw');
  const inner = ax.autocast('bfloat16', () => ax.autocast('bfloat16', () => a.matmul(a)));
  assert.notDeepEqual(inner.toArray(), f32);
  assert.deepEqual(a.matmul(a).toArray(), f32);
  assert.throws(
    () => ax.autocast('float16' as 'bfloat16', () => 1),
    (e: Error) => e instanceof ax.ValueError && /dtype must be 'bfloat16'/.test(e.message),
  );
  assert.throws(() => ax.autocast('bfloat16', 3 as never), /expected a function/);
  assert.throws(() => ax.autocast('bfloat16', () => Promise.resolve(1)), /must be synchronous/);
});

test("fit({ autocast: 'bfloat16' }) trains in bfloat16 products, close to float32, and refuses other values", () => {
  const x = ax.randn([64, 10], { generator: new ax.Generator(3) });
  const y = x.narrow(1, 0, 3).argmax(1);
  const run = (cast?: 'bfloat16') => {
    ax.manualSeed(4);
    const model = new ax.nn.Sequential(new ax.nn.Linear(10, 32), new ax.nn.ReLU(), new ax.nn.Linear(32, 3));
    const loader = new ax.data.DataLoader(new ax.data.TensorDataset(x, y), { batchSize: 16 });
    const opt = new ax.optim.Adam(model.parameters(), { lr: 1e-2 });
    const h = ax.train.fit(model, loader, {
      epochs: 5,
      optimizer: opt,
      loss: ax.nn.functional.crossEntropy,
      ...(cast ? { autocast: cast } : {}),
    });
    return h.epochs.map((e) => e['loss']!);
  };
  const f32 = run(),
    bf16 = run('bfloat16');
  assert.ok(bf16.at(-1)! < bf16[0]! / 2, `bf16 losses ${bf16}`);
  assert.notDeepEqual(bf16, f32);
  for (let i = 0; i < f32.length; i++)
    assert.ok(Math.abs(bf16[i]! - f32[i]!) < 0.05, `epoch ${i + 1}: ${bf16[i]} vs ${f32[i]}`);
  const model = new ax.nn.Linear(10, 3);
  assert.throws(
    () =>
      ax.train.fit(model, [[x, y]], {
        epochs: 1,
        optimizer: new ax.optim.SGD(model.parameters(), { lr: 0.1 }),
        loss: ax.nn.functional.crossEntropy,
        autocast: 'float16' as 'bfloat16',
      }),
    /fit: autocast must be 'bfloat16' or left out, got "float16"/,
  );
});
