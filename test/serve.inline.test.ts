import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';
import { DynamicBatcher } from '../src/serve/batcher.js';
import { InlineRunner } from '../src/serve/inline-runner.js';
import { createServer } from '../src/serve/server.js';
import { warmUp, warmupInputs } from '../src/serve/warmup.js';
import { type WireTensors, fromWire } from '../src/serve/wire.js';

// Where a batch runs: lone requests of a small model on the event loop (no thread hop), the rest on
// the model workers; requests arriving in the same turn of the event loop batched even with no delay;
// and each copy of a model warmed up before it serves.
const MODEL = fileURLToPath(new URL('../examples/models/digits-cnn.onnx', import.meta.url));
const image = (seed: number) => Float32Array.from({ length: 784 }, (_, i) => Math.sin(i * 0.1 + seed) * 0.5 + 0.5);
const wire = (data: Float32Array, n = 1): WireTensors => ({
  images: { dtype: 'float32', shape: [n, 1, 28, 28], data },
});

describe('InlineRunner', () => {
  test('runs a batch size here once measured under the limit; a pause does not move the estimate', () => {
    const r = new InlineRunner(MODEL, 100e-6);
    assert.equal(r.decide(1), false, 'unmeasured');
    r.record(1, 150e-6, 'worker');
    r.record(1, 40e-6, 'here');
    assert.equal(r.decide(1), 'fits');
    assert.equal(r.decide(2), false, 'another size, unmeasured');
    r.record(4, 90e-6, 'here');
    assert.equal(r.decide(3), 'fits', '3 and 4 share an estimate');
    assert.equal(r.decide(5), false);
    for (let i = 0; i < 10; i++) r.record(1, 40e-6, 'here');
    r.record(1, 0.05, 'here'); // a collector pause
    assert.equal(r.decide(1), 'fits');
    for (let i = 0; i < 15; i++) r.record(1, 300e-6, 'here');
    assert.equal(r.decide(1), false, 'slower than the limit now');
    // ... but measured again now and then (every 16th time), in case that was a slow spell.
    const asked = Array.from({ length: 64 }, () => r.decide(1)).filter((d) => d === 'try').length;
    assert.equal(asked, 4);
    const never = new InlineRunner(MODEL, 0);
    never.record(1, 1e-9, 'here');
    assert.equal(never.decide(1), false, 'a limit of 0 never runs inline');
  });

  test("the worker's times only say whether to try here: a cold worker is slower than this thread", () => {
    const r = new InlineRunner(MODEL, 100e-6);
    r.record(1, 350e-6, 'worker');
    assert.equal(r.decide(1), 'try', 'within 4× the limit: measure it here');
    r.record(1, 60e-6, 'here');
    for (let i = 0; i < 15; i++) r.record(1, 900e-6, 'worker');
    assert.equal(r.decide(1), 'fits', 'measured here: the worker no longer decides');
    assert.equal(r.estimate(1), 60e-6);
    r.record(8, 2e-3, 'worker');
    assert.equal(r.decide(8), false, 'a batch far past the limit never runs here');
    // A first run here that was slow (a cold start) is retried while the worker says the size is small.
    r.record(16, 150e-6, 'worker');
    r.record(16, 7e-3, 'here');
    const tries = Array.from({ length: 64 }, () => r.decide(16)).filter((d) => d === 'try').length;
    assert.equal(tries, 4);
    assert.equal(r.estimate(8), 2e-3);
  });

  test('gives the numbers a direct forward gives; a file that cannot load leaves batches to the workers', () => {
    const r = new InlineRunner(MODEL, 1);
    const x = image(3);
    const out = r.run(wire(x.slice()), 1)!.logits!;
    assert.ok(r.estimate(1)! > 0, 'the run was timed');
    const direct = ax.onnx.load(MODEL).eval();
    const want = (ax.noGrad(() => direct.forward(ax.tensor(x).reshape([1, 1, 28, 28]))) as ax.Tensor).toTypedArray();
    assert.deepEqual(out.shape, [1, 10]);
    out.data.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-5, `${i}: ${v} vs ${want[i]}`));
    const missing = new InlineRunner('/nonexistent/model.onnx', 1);
    missing.record(1, 1e-6, 'here');
    assert.equal(missing.run(wire(x), 1), null);
    assert.equal(missing.decide(1), false);
  });
});

describe('DynamicBatcher with no queue delay', () => {
  test('requests submitted in the same turn run as one batch; a later one runs alone', async () => {
    const runs: [number, number][] = [];
    const b = new DynamicBatcher(
      async (inputs, samples, requests) => {
        runs.push([samples, requests]);
        return { y: inputs.images! };
      },
      { maxBatchSize: 8, maxQueueDelayUs: 0, maxQueueSize: 100, concurrency: 1 },
    );
    const never = Date.now() + 60_000;
    const first = await Promise.all([1, 2, 3].map((s) => b.submit(wire(image(s)), never)));
    assert.deepEqual(runs, [[3, 3]]);
    first.forEach((r, i) => assert.equal(r.outputs.y!.data[0], image(i + 1)[0]));
    await b.submit(wire(image(4)), never);
    assert.deepEqual(runs, [
      [3, 3],
      [1, 1],
    ]);
  });
});

describe('axon serve: lone requests inline', () => {
  for (const inlineMaxUs of [1e9, 0]) {
    test(`inlineMaxUs ${inlineMaxUs}: right answers; the workers see ${inlineMaxUs ? 'only the first (measuring) request' : 'every request'}`, async () => {
      const s = await createServer([{ path: MODEL }], { maxQueueDelayUs: 0, inlineMaxUs });
      try {
        const m = s.repository.get('digits-cnn');
        const run = m.pool.run.bind(m.pool);
        let pooled = 0;
        m.pool.run = (inputs) => {
          pooled++;
          return run(inputs);
        };
        const direct = ax.onnx.load(MODEL).eval();
        for (let seed = 0; seed < 5; seed++) {
          const x = image(seed);
          const r = await s.app.inject({
            method: 'POST',
            url: '/v2/models/digits-cnn/infer',
            payload: { inputs: [{ name: 'images', shape: [1, 1, 28, 28], datatype: 'FP32', data: Array.from(x) }] },
          });
          assert.equal(r.statusCode, 200, r.body);
          const got = (r.json() as { outputs: { data: number[] }[] }).outputs[0]!.data;
          const want = (
            ax.noGrad(() => direct.forward(ax.tensor(x).reshape([1, 1, 28, 28]))) as ax.Tensor
          ).toTypedArray();
          got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-5, `${i}: ${v} vs ${want[i]}`));
        }
        assert.equal(pooled, inlineMaxUs ? 1 : 5);
      } finally {
        await s.close();
      }
    });
  }
});

describe('warm-up before serving', () => {
  // A model with only the batch free: its warm-up is timed. (digits-cnn.onnx leaves the image size free.)
  const dir = mkdtempSync(join(tmpdir(), 'axon-warmup-'));
  const FIXED = join(dir, 'mlp.onnx');
  ax.manualSeed(1);
  const mlp = new ax.nn.Sequential(new ax.nn.Linear(16, 32), new ax.nn.ReLU(), new ax.nn.Linear(32, 4));
  ax.onnx.export(mlp, ax.rand([2, 16]), FIXED, { inputNames: ['x'], dynamicAxes: { x: { 0: 'batch' } } });
  const info = (shape: (number | string | null)[] | undefined, elemType = 1) => ({ name: 'x', elemType, shape });

  test('inputs: zeros of batch one; timed only when the batch is the one free dimension', () => {
    const fixed = warmupInputs([info(['batch', 16]), { ...info([3], 7), name: 'k' }])!;
    assert.equal(fixed.timed, true);
    assert.deepEqual(fixed.inputs.x!.shape, [1, 16]);
    assert.ok(fixed.inputs.x!.data instanceof Float32Array && fixed.inputs.x!.data.every((v) => v === 0));
    assert.equal(fixed.inputs.k!.dtype, 'int32', 'INT64 is held as int32');
    const image = warmupInputs([info(['batch', 1, 'height', null])])!;
    assert.equal(image.timed, false);
    assert.deepEqual(image.inputs.x!.shape, [1, 1, 1, 1]);
    assert.equal(warmupInputs([info(undefined)]), null, 'no declared shape');
    assert.equal(warmupInputs([info([1], 8)]), null, 'strings');
  });

  test('runs up to its count; a model that fails on its inputs stops it', async () => {
    const model = ax.onnx.load(FIXED).eval();
    const w = warmupInputs(model.signature().inputs)!;
    assert.equal((await warmUp(model, w.inputs, { runs: 7 })).length, 7);
    assert.equal((await warmUp(model, w.inputs, { runs: 7, seconds: 0 })).length, 0);
    const cnn = ax.onnx.load(MODEL).eval();
    const tiny = warmupInputs(cnn.signature().inputs)!; // a 1×1 image: too small for the CNN's pooling
    assert.throws(() => cnn.run({ images: fromWire(tiny.inputs.images!) }));
    assert.deepEqual(await warmUp(cnn, tiny.inputs, { runs: 7 }), []);
  });

  test("the event loop's copy is warmed when the worker's times say it is small, and then judged warm", async () => {
    const w = warmupInputs(ax.onnx.load(FIXED).signature().inputs)!;
    const r = new InlineRunner(FIXED, 1e-3);
    const times = await r.warmUp([50e-6, 40e-6], w, { runs: 200 });
    assert.equal(times.length, 200);
    assert.equal(r.decide(1), 'fits', 'measured here at once');
    assert.ok(r.estimate(1)! <= Math.max(...times.slice(-15)));
    const big = new InlineRunner(FIXED, 1e-3);
    assert.deepEqual(await big.warmUp([9e-3], w, { runs: 200 }), [], 'a worker time past 4× the limit: no copy here');
    assert.equal(big.decide(1), false);
    const free = new InlineRunner(MODEL, 1e-3);
    assert.deepEqual(await free.warmUp([50e-6], { ...w, timed: false }, { runs: 200 }), [], 'untimed: no estimate');
    assert.equal(free.decide(1), false);
  });

  for (const warm of [true, false]) {
    test(`a served model ${warm ? 'warmed up answers its first lone request inline' : 'without warm-up sends it to a worker'}`, async () => {
      const s = await createServer([{ path: FIXED }], {
        maxQueueDelayUs: 0,
        warmup: warm ? { runs: 300 } : { seconds: 0 },
      });
      try {
        const m = s.repository.get('mlp');
        let pooled = 0;
        const run = m.pool.run.bind(m.pool);
        m.pool.run = (inputs) => {
          pooled++;
          return run(inputs);
        };
        const x = Array.from({ length: 16 }, (_, i) => Math.cos(i));
        const r = await s.app.inject({
          method: 'POST',
          url: '/v2/models/mlp/infer',
          payload: { inputs: [{ name: 'x', shape: [1, 16], datatype: 'FP32', data: x }] },
        });
        assert.equal(r.statusCode, 200, r.body);
        const want = (ax.noGrad(() => mlp.forward(ax.tensor([x]))) as ax.Tensor).toTypedArray();
        const got = (r.json() as { outputs: { data: number[] }[] }).outputs[0]!.data;
        got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-5, `${i}: ${v} vs ${want[i]}`));
        assert.equal(pooled, warm ? 0 : 1);
        const metrics = (await s.app.inject({ url: '/metrics' })).body;
        for (const thread of ['worker', 'event_loop']) {
          const v = Number(
            new RegExp(`axon_model_warmup_seconds\\{[^}]*thread="${thread}"[^}]*\\} (\\S+)`).exec(metrics)?.[1],
          );
          assert.ok(warm ? v > 0 : v === 0, `${thread}: ${v}`);
        }
      } finally {
        await s.close();
      }
    });
  }
});
