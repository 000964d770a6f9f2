import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';

// The WebGPU backend (tensors in GPU memory) against the JS backend, through the public ops. Needs a
// WebGPU adapter: headless Chromium with --enable-unsafe-webgpu (SwiftShader) in
// test/browser.test.ts; Node has none, so here the suite skips.
const hasGpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu !== undefined;
const F = ax.nn.functional;

/** Runs fn on the JS backend and on WebGPU with the same host inputs; compares the values. */
async function agree(what: string, fn: () => ax.Tensor, tol = 1e-5): Promise<void> {
  ax.setBackend('js');
  const want = fn();
  ax.setBackend('webgpu');
  const got = fn();
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  const g = await got.dataAsync(),
    w = want.toTypedArray();
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!,
      b = w[i]!;
    const ok = Number.isNaN(b) ? Number.isNaN(a) : a === b || Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
    if (!ok) assert.fail(`${what}: element ${i}: webgpu ${a} vs js ${b}`);
  }
}

describe(
  'the WebGPU backend agrees with the JS backend, keeps tensors on the GPU, and frees their memory',
  { skip: hasGpu ? false : 'no WebGPU adapter (the page test runs this suite in Chromium)' },
  () => {
    const gen = new ax.Generator(11);
    const x = ax.randn([5, 7], { generator: gen });
    const y = ax.randn([5, 7], { generator: gen });
    const special = ax.tensor([0, -0.5, 0.5, 2.5, -3, 30, -30, NaN, Infinity, -Infinity]);

    test('initWebGpu selects the backend; values are read asynchronously, and the sync accessors say so', async () => {
      const b = await ax.initWebGpu();
      assert.equal(ax.getBackend().name, 'webgpu');
      assert.equal(b.name, 'webgpu');
      const z = x.mul(2).add(1);
      assert.throws(() => z.data, /webgpu memory; read them with `await t\.dataAsync\(\)`/);
      assert.throws(() => z.sum().item(), ax.BackendError);
      assert.throws(() => z.toArray(), /toArray: .*webgpu memory/);
      assert.match(String(z), /^tensor\(<webgpu memory: await t\.dataAsync\(\)>, size=\[5, 7\], dtype=float32\)$/);
      const nested = (await z.toArrayAsync()) as number[][];
      assert.equal(nested.length, 5);
      assert.ok(Math.abs(nested[1]![2]! - (2 * (x.toArray() as number[][])[1]![2]! + 1)) < 1e-6);
      assert.ok(
        Math.abs((await z.sum().itemAsync()) - (x.toTypedArray() as Float32Array).reduce((s, v) => s + 2 * v + 1, 0)) <
          1e-3,
      );
      // After an async read the host copy is current: the synchronous accessors work again.
      assert.equal(z.toArray()[0][0], nested[0]![0]);
    });

    test('every unary kernel, on ordinary values and on 0, ±0.5, 2.5, ±30, NaN and ±∞', async () => {
      // WGSL allows sin and cos an absolute error of 2^-11 (tan inherits it) and the inverse functions
      // 4096 ULP (their atan2 form).
      const trig = 2 ** -11;
      const tolerances: Record<string, number> = {
        sin: trig,
        cos: trig,
        tan: 4 * trig,
        asin: 2e-4,
        acos: 2e-4,
        atan: 2e-4,
        powScalar: 1e-5,
        rpowScalar: 1e-5,
      };
      // Tensor methods without arguments, by name.
      const method = (n: string): [string, (t: ax.Tensor) => ax.Tensor] => [
        n,
        (t) => (t as unknown as Record<string, () => ax.Tensor>)[n]!(),
      ];
      const ops: [string, (t: ax.Tensor) => ax.Tensor][] = [
        ...['neg', 'abs', 'sign', 'exp', 'expm1', 'log', 'log1p', 'sqrt', 'rsqrt', 'sin', 'cos', 'tan'].map(method),
        ...['asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'erf', 'reciprocal'].map(method),
        ...['square', 'floor', 'ceil', 'round', 'log2', 'log10'].map(method),
        ['isnan', (t) => t.isnan()],
        ['isinf', (t) => t.isinf()],
        ['isfinite', (t) => t.isfinite()],
        ['logicalNot', (t) => t.logicalNot()],
        ['relu6', (t) => F.relu6(t)],
        ['hardsigmoid', (t) => F.hardsigmoid(t)],
        ['hardswish', (t) => F.hardswish(t)],
        ['logsigmoid', (t) => F.logsigmoid(t)],
        ['softsign', (t) => F.softsign(t)],
        ['leakyRelu', (t) => F.leakyRelu(t, 0.1)],
        ['elu', (t) => F.elu(t, 0.7)],
        ['gelu', (t) => F.gelu(t)],
        ['geluTanh', (t) => F.gelu(t, { approximate: 'tanh' })],
        ['silu', (t) => F.silu(t)],
        ['mish', (t) => F.mish(t)],
        ['softplus', (t) => F.softplus(t, { beta: 2, threshold: 10 })],
        ['clamp', (t) => t.clamp(-1, 2)],
        ['powScalar', (t) => t.pow(3)],
        ['powScalar 0.5', (t) => t.pow(0.5)],
        ['rpowScalar', (t) => ax.pow(2, t)],
      ];
      for (const [name, op] of ops) {
        await agree(`${name} (randn)`, () => op(x), tolerances[name.split(' ')[0]!] ?? 1e-5);
        await agree(`${name} (special values)`, () => op(special), tolerances[name.split(' ')[0]!] ?? 1e-5);
      }
    });

    test('every binary kernel with broadcasting, int32 and bool operands, in-place updates', async () => {
      const row = ax.randn([7], { generator: gen });
      const ints = ax.tensor([[3, -7, 0, 5]], { dtype: 'int32' });
      const intCol = ax.tensor([[2], [-3]], { dtype: 'int32' });
      for (const name of [
        'add',
        'sub',
        'mul',
        'div',
        'pow',
        'maximum',
        'minimum',
        'atan2',
        'fmod',
        'remainder',
        'eq',
        'ne',
        'lt',
        'le',
        'gt',
        'ge',
        'logicalAnd',
        'logicalOr',
        'logicalXor',
      ]) {
        const f = (ax as unknown as Record<string, (a: ax.Tensor, b: ax.Tensor) => ax.Tensor>)[name]!;
        await agree(`${name} (broadcast row)`, () => f(x, row), 1e-5);
        if (name !== 'pow' && name !== 'div' && name !== 'atan2') await agree(`${name} (int32)`, () => f(ints, intCol));
      }
      await agree('pow of negative bases', () =>
        ax.pow(ax.tensor([-2, -2, -0.5, 0, 0, 1]), ax.tensor([3, 0.5, 2, -1, 2, NaN])),
      );
      await agree('where', () => ax.where(x.gt(0), x, y.mul(3)));
      await agree('bool to float', () => x.gt(y).float().add(ints.sum().float()));
      await agree('add_ in place into a view of itself', () => {
        const t = x.clone();
        t.add_(t.t().t().mul(2));
        return t;
      });
      await agree('slice assignment', () => {
        const t = x.clone();
        t.slice(1, 2, 5).copy_(y.slice(1, 0, 3));
        return t;
      });
    });

    test('reductions, argmax, matmul with transposes and batches, softmax, gather, cat', async () => {
      const big = ax.randn([3, 300, 4], { generator: gen });
      await agree('sum of all', () => big.sum(), 1e-5);
      await agree('sum over dims 0 and 2', () => big.sum([0, 2]), 1e-5);
      await agree('mean keepdim', () => big.mean(1, { keepdim: true }), 1e-5);
      await agree(
        'amax / amin',
        () => big.amax(1).add(big.amin(2).sum(0, { keepdim: true }).t().reshape([300]).sum()),
        1e-5,
      );
      await agree('argmax / argmin', () => big.argmax(1).add(big.argmin(2).sum()));
      await agree('sum of bool', () => big.gt(0).sum());
      await agree('matmul transposed', () => x.t().matmul(y), 1e-5);
      await agree(
        'batched matmul, broadcast weight',
        () => big.transpose(1, 2).matmul(ax.randn([300, 9], { generator: new ax.Generator(2) })),
        1e-4,
      );
      await agree('softmax / logSoftmax', () => x.softmax(1).add(x.logSoftmax(0)), 1e-5);
      const idx = ax.tensor(
        [
          [0, 6, 3],
          [2, 2, 1],
        ],
        { dtype: 'int32' },
      );
      await agree('gather', () => x.slice(0, 0, 2).gather(1, idx));
      await agree('scatterAdd with repeated indices', () => ax.zeros([2, 7]).scatterAdd(1, idx, ax.ones([2, 3])));
      await agree('cat and stack', () => ax.cat([x, y.mul(2)], 0).add(ax.stack([x, y]).sum(0).repeat([2, 1])));
      await agree('indexSelect and embedding', () =>
        F.embedding(
          ax.tensor(
            [
              [1, 4],
              [4, 0],
            ],
            { dtype: 'int32' },
          ),
          y,
        ),
      );
    });

    test('convolution, pooling, batch and layer norm, dropout in eval, and their gradients', async () => {
      const img = ax.randn([2, 3, 9, 9], { generator: gen });
      const w = ax.randn([4, 3, 3, 3], { generator: gen });
      await agree('conv2d', () => F.conv2d(img, w, null, { stride: 2, padding: 1 }), 1e-5);
      await agree('maxPool2d', () => F.maxPool2d(img, 3, { stride: 2 }));
      await agree('avgPool2d', () => F.avgPool2d(img, 2), 1e-6);
      await agree('batchNorm (training)', () => F.batchNorm(img, null, null, null, null, { training: true }), 1e-4);
      await agree('layerNorm', () => F.layerNorm(img, [9]), 1e-4);
      const affine = (n: number) => [ax.randn([n], { generator: gen }), ax.randn([n], { generator: gen })] as const;
      const [bw, bb] = affine(3),
        [lw, lb] = affine(9);
      // Each gradient on its own, weighted by a random g so that no sum cancels.
      const weights = ax.randn(img.shape, { generator: gen });
      const grads = (f: (x: ax.Tensor, w: ax.Tensor, b: ax.Tensor) => ax.Tensor, w0: ax.Tensor, b0: ax.Tensor) => {
        const xi = img.clone().requiresGrad_(),
          w = w0.clone().requiresGrad_(),
          b = b0.clone().requiresGrad_();
        f(xi, w, b).mul(weights).sum().backward();
        return ax.cat([xi.grad!.reshape([-1]), w.grad!, b.grad!]);
      };
      await agree(
        'batchNorm gradients (x, weight, bias)',
        () => grads((x, w, b) => F.batchNorm(x, null, null, w, b, { training: true }), bw, bb),
        1e-4,
      );
      await agree(
        'layerNorm gradients (x, weight, bias)',
        () => grads((x, w, b) => F.layerNorm(x, [9], w, b), lw, lb),
        1e-4,
      );
      await agree('maxPool2d gradient, padded and dilated', () => {
        const xi = img.clone().requiresGrad_();
        F.maxPool2d(xi, 3, { stride: 2, padding: 1, dilation: 2 }).mul(2).sum().backward();
        return xi.grad!;
      });
      await agree(
        'conv2d weight gradient',
        () => {
          const wg = w.clone().requiresGrad_();
          F.conv2d(img, wg, null, { padding: 1 }).relu().sum().backward();
          return wg.grad!;
        },
        1e-4,
      );
    });

    test('an MLP trains on the GPU exactly as on the JS backend (SGD momentum, then AdamW, cross-entropy)', async () => {
      const inputs = ax.randn([64, 20], { generator: new ax.Generator(3) });
      const targets = ax.randint(0, 4, [64], { generator: new ax.Generator(4), dtype: 'int32' });
      const run = (backend: string) => {
        ax.setBackend(backend);
        ax.manualSeed(7);
        const model = new ax.nn.Sequential(new ax.nn.Linear(20, 32), new ax.nn.ReLU(), new ax.nn.Linear(32, 4));
        const losses: ax.Tensor[] = [];
        for (const opt of [
          new ax.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }),
          new ax.optim.AdamW(model.parameters(), { lr: 0.01 }),
        ]) {
          for (let step = 0; step < 15; step++) {
            opt.zeroGrad();
            const loss = F.crossEntropy(model.forward(inputs), targets);
            loss.backward();
            opt.step();
            losses.push(loss.detach());
          }
        }
        return { losses, weight: model.parameters()[0]! };
      };
      const want = run('js');
      const got = run('webgpu');
      assert.throws(() => got.weight.data, /webgpu memory/);
      for (let i = 0; i < want.losses.length; i++) {
        const g = await got.losses[i]!.itemAsync(),
          w = want.losses[i]!.item();
        assert.ok(Math.abs(g - w) < 1e-4, `step ${i}: webgpu loss ${g} vs js ${w}`);
      }
      assert.ok(want.losses.at(-1)!.item() < want.losses[0]!.item() / 2, 'the model learns');
      const gw = await got.weight.dataAsync(),
        ww = want.weight.toTypedArray();
      for (let i = 0; i < ww.length; i++) assert.ok(Math.abs(gw[i]! - ww[i]!) < 1e-4, `weight ${i}`);
    });

    test('GPU memory stays flat over a training loop in ax.tidy; dispose and tidy free at once', async () => {
      ax.setBackend('webgpu');
      const model = new ax.nn.Sequential(new ax.nn.Linear(16, 32), new ax.nn.Tanh(), new ax.nn.Linear(32, 1));
      const opt = new ax.optim.Adam(model.parameters(), { lr: 1e-3 });
      const inputs = ax.randn([32, 16], { generator: gen });
      const targets = inputs.sum(1, { keepdim: true }).tanh();
      const step = () =>
        ax.tidy(() => {
          opt.zeroGrad();
          const loss = F.mseLoss(model.forward(inputs), targets);
          loss.backward();
          opt.step();
          return loss.detach();
        });
      // Each step's returned loss escapes its tidy: disposed when the next one arrives, so that live
      // bytes do not depend on when the collector finalizes them (it let 17 of them through in a CI run).
      let last = step();
      const next = () => {
        const previous = last;
        last = step();
        previous.dispose();
      };
      for (let i = 0; i < 5; i++) next();
      await last.itemAsync();
      const before = ax.gpuMemory();
      for (let i = 0; i < 200; i++) next();
      const first = await last.itemAsync();
      const after = ax.gpuMemory();
      assert.ok(Number.isFinite(first));
      assert.equal(
        after.created,
        before.created,
        `buffers created during 200 steps: ${after.created - before.created}`,
      );
      // (it may fall: earlier tests' garbage is finalized at the collector's pace)
      assert.ok(after.liveBytes <= before.liveBytes, `live bytes ${before.liveBytes} -> ${after.liveBytes}`);
      const t = x.mul(3);
      const live = ax.gpuMemory().liveBuffers;
      t.dispose();
      assert.equal(ax.gpuMemory().liveBuffers, live - 1);
      assert.throws(() => t.add(1), /disposed/);
      await assert.rejects(t.dataAsync(), /disposed/);
      const kept = ax.tidy(() => {
        const a = x.mul(2);
        const b = ax.keep(a.add(1));
        return { a, list: [b.mul(2)] };
      });
      assert.equal((await kept.a.dataAsync()).length, 35);
      assert.equal((await kept.list[0]!.dataAsync()).length, 35);
      assert.throws(() => ax.tidy(() => Promise.resolve(1) as never), /fn must be synchronous/);
    });

    test('without tidy or dispose, tensors the garbage collector takes give their GPU buffers back', async () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      assert.ok(gc, 'the page runs with --js-flags=--expose-gc');
      ax.setBackend('webgpu');
      // 200 tensors, reachable until the function returns.
      const make = async () => {
        let sum = x.mul(1);
        const held: ax.Tensor[] = [];
        for (let i = 0; i < 100; i++) held.push((sum = sum.add(x.mul(i))), x.mul(i));
        return { total: await sum.sum().itemAsync(), before: ax.gpuMemory(), count: held.length };
      };
      const { total, before, count } = await make();
      assert.equal(count, 200);
      // FinalizationRegistry callbacks run in tasks after a collection.
      for (let i = 0; i < 5 && ax.gpuMemory().liveBuffers > before.liveBuffers - 150; i++) {
        gc!();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const after = ax.gpuMemory();
      assert.ok(
        after.liveBuffers <= before.liveBuffers - 150,
        `live buffers ${before.liveBuffers} -> ${after.liveBuffers}`,
      );
      assert.ok(
        after.pooledBuffers >= before.pooledBuffers + 150,
        `pooled ${before.pooledBuffers} -> ${after.pooledBuffers}`,
      );
      assert.ok(Math.abs(total - (await x.sum().itemAsync()) * 4951) < 0.05 * Math.abs(total) + 1e-2);
    });

    test('float64 and unsupported uses are refused with typed errors naming the op', async () => {
      ax.setBackend('webgpu');
      assert.throws(
        () => ax.randn([2, 2], { dtype: 'float64' }).add(1),
        (e: Error) => e instanceof ax.DTypeError && /webgpu\.\w+: float64 tensors are not supported/.test(e.message),
      );
      assert.throws(
        () => ax.tensor([[1, 2]], { dtype: 'int32' }).matmul(ax.tensor([[1], [2]], { dtype: 'int32' })),
        /webgpu\.matmul: expected float32 tensors, got int32/,
      );
      ax.setBackend('js');
      assert.throws(() => ax.gpuMemory(), /the backend in use is 'js', not 'webgpu'/);
    });
  },
);
