import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import * as ax from '../src/index.js';
import { loadFixture } from './helpers/fixtures.js';
import { ZOO, type ZooEntry, exportEntry, grownInputs, structureHash } from './helpers/export-zoo.js';

// ax.onnx.export against a real peer: every nn layer and example model is exported, run by
// onnxruntime-node at the example size and at other sizes of its dynamic axes, and compared with
// Axon's own output (1e-4); the same bytes passed onnx.checker.check_model(full_check=True)
// (test/fixtures/onnx-export/checker.json, written by scripts/check_onnx_export.py) at opset 17, the
// newest that checker knows; opset 18, the default, runs in onnxruntime too.

const { nn } = ax;
const checker = loadFixture<Record<string, { structure: string; checker: string }>>('onnx-export/checker.json');

function toOrt(t: ax.Tensor): ort.Tensor {
  const data = t.contiguous().toTypedArray();
  if (t.dtype === 'int32') return new ort.Tensor('int32', Int32Array.from(data), t.shape);
  if (t.dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(data), t.shape);
  if (t.dtype === 'float64') return new ort.Tensor('float64', Float64Array.from(data), t.shape);
  return new ort.Tensor('float32', Float32Array.from(data), t.shape);
}

function assertClose(got: ArrayLike<number | bigint>, want: ax.Tensor, what: string): void {
  const w = want.contiguous().toTypedArray();
  assert.equal(got.length, w.length, `${what}: size`);
  for (let i = 0; i < w.length; i++) {
    const a = Number(got[i]!);
    const b = w[i]!;
    assert.ok(Math.abs(a - b) <= 1e-4 * (1 + Math.abs(b)), `${what}: element ${i}: ${a} vs ${b}`);
  }
}

async function roundTrip(entry: ZooEntry, opset: number): Promise<Uint8Array> {
  const bytes = exportEntry(entry, opset);
  ax.manualSeed(1);
  const model = entry.make().eval();
  const session = await ort.InferenceSession.create(bytes);
  for (const inputs of [entry.inputs(), grownInputs(entry)]) {
    const feeds = Object.fromEntries(inputs.map((x, i) => [`input_${i}`, toOrt(x)]));
    const result = await session.run(feeds);
    const want = ax.noGrad(() => model.forward(...inputs)) as ax.Tensor;
    const got = result[session.outputNames[0]!]!;
    assert.deepEqual([...got.dims], want.shape, `${entry.name}: output shape at input [${inputs[0]!.shape}]`);
    assertClose(got.data as ArrayLike<number>, want, `${entry.name} in onnxruntime`);
    // And back into Axon: the exported graph imports and gives the same numbers.
    const back = ax.onnx
      .load(bytes)
      .eval()
      .forward(...inputs) as ax.Tensor;
    assertClose(back.contiguous().toTypedArray(), want, `${entry.name} re-imported`);
  }
  return bytes;
}

describe('ax.onnx.export: every layer and example model, checked in onnxruntime-node', () => {
  for (const entry of ZOO) {
    test(entry.name, async () => {
      const bytes = await roundTrip(entry, 17);
      await roundTrip(entry, 18);
      const fixture = checker[entry.name];
      assert.ok(fixture, `no checker result for ${entry.name}: run scripts/gen-onnx-export-fixtures.ts`);
      assert.equal(fixture.checker, 'ok', `onnx.checker: ${fixture.checker}`);
      assert.equal(
        structureHash(bytes),
        fixture.structure,
        'the exported graph changed since onnx.checker saw it: run scripts/gen-onnx-export-fixtures.ts',
      );
    });
  }
});

describe('ax.onnx.export: what it refuses, and how', () => {
  test('ops without an ONNX form are all listed, with where they were called', () => {
    class Odd extends nn.Module {
      lin = new nn.Linear(4, 4);
      forward(x: ax.Tensor): ax.Tensor {
        const s = x.std(1, { keepdim: true });
        const y = this.lin.forward(x).div(s);
        const index = ax.zeros([3, 4], { dtype: 'int32' });
        return ax.scatterAdd(ax.zeros([3, 4]), 1, index, y);
      }
    }
    assert.throws(
      () => ax.onnx.export(new Odd(), ax.randn([3, 4])),
      (e: Error) =>
        e instanceof ax.OnnxError &&
        /2 call\(s\) have no ONNX form/.test(e.message) &&
        /std \(no ONNX form\) at .*onnx\.export\.test\.ts/.test(e.message) &&
        /scatterAdd \(no ONNX form\) at .*onnx\.export\.test\.ts/.test(e.message),
    );
  });

  test('in-place ops on traced values are refused', () => {
    class InPlace extends nn.Module {
      forward(x: ax.Tensor): ax.Tensor {
        const y = x.mul(2);
        y.add_(1);
        return y;
      }
    }
    assert.throws(() => ax.onnx.export(new InPlace(), ax.randn([2])), /add_ \(in-place ops cannot be exported/);
  });

  test('a size computed in forward that follows a dynamic axis is refused, not baked in', () => {
    class Baked extends nn.Module {
      forward(x: ax.Tensor): ax.Tensor {
        return x.add(ax.tensor(new Array<number>(x.shape[0]!).fill(1)).unsqueeze(1));
      }
    }
    // Static sizes export; with the batch axis dynamic the constant is caught.
    ax.onnx.export(new Baked(), ax.randn([3, 2]));
    assert.throws(
      () => ax.onnx.export(new Baked(), ax.randn([3, 2]), null, { dynamicAxes: { input_0: { 0: 'batch' } } }),
      /constant 'const' changes with a dynamic axis/,
    );
  });

  test('arguments are checked', () => {
    const m = new nn.Linear(2, 2);
    const x = ax.randn([1, 2]);
    assert.throws(() => ax.onnx.export({} as never, x), /expected an nn.Module/);
    assert.throws(() => ax.onnx.export(m, [] as never), /example inputs/);
    assert.throws(() => ax.onnx.export(m, x, null, { opset: 9 }), /opset must be an integer from 17 to 20/);
    assert.throws(() => ax.onnx.export(m, x, null, { opSet: 18 } as never), /unknown option 'opSet'/);
    assert.throws(() => ax.onnx.export(m, x, null, { dynamicAxes: { y: [0] } }), /'y', which is not an input/);
    assert.throws(() => ax.onnx.export(m, x, null, { dynamicAxes: { input_0: [2] } }), /axis 2 of 'input_0'/);
    assert.throws(() => ax.onnx.export(m, x, null, { inputNames: ['a', 'b'] }), /inputNames must name each/);
  });

  test('external data: weights in a side file, read back by Axon and onnxruntime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axon-export-ext-'));
    const path = join(dir, 'mlp.onnx');
    ax.manualSeed(2);
    const m = new nn.Sequential(new nn.Linear(32, 64), new nn.ReLU(), new nn.Linear(64, 4)).eval();
    const x = ax.randn([3, 32]);
    const bytes = ax.onnx.export(m, x, path, { externalData: true });
    assert.ok(bytes.length < 2000, `the model holds the graph only (${bytes.length} bytes)`);
    assert.equal(
      readFileSync(`${path}.data`).length,
      4 * (32 * 64 + 64 * 4),
      'the two weight matrices (the biases are under 1 KiB)',
    );
    const want = m.forward(x) as ax.Tensor;
    const back = ax.onnx.load(path).forward(x) as ax.Tensor;
    assertClose(back.toTypedArray(), want, 'external data re-imported');
    const s = await ort.InferenceSession.create(path);
    const r = await s.run({ input_0: toOrt(x) });
    assertClose(r[s.outputNames[0]!]!.data as Float32Array, want, 'external data in onnxruntime');
    assert.throws(() => ax.onnx.export(m, x, null, { externalData: true }), /externalData needs a path/);
  });

  test('writes the file atomically, names inputs and outputs, restores training mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axon-export-'));
    const path = join(dir, 'm.onnx');
    const m = new nn.Sequential(new nn.Linear(3, 2), new nn.Dropout(0.5));
    m.train();
    const bytes = ax.onnx.export(m, ax.randn([4, 3]), path, {
      inputNames: ['features'],
      outputNames: ['scores'],
      dynamicAxes: { features: { 0: 'batch' } },
    });
    assert.ok(m.training, 'training mode restored');
    assert.ok(existsSync(path));
    assert.deepEqual(readFileSync(path), Buffer.from(bytes));
    const s = await ort.InferenceSession.create(path);
    assert.deepEqual(s.inputNames, ['features']);
    assert.deepEqual(s.outputNames, ['scores']);
    const imported = ax.onnx.load(path);
    assert.deepEqual(imported.inputNames, ['features']);
    assert.deepEqual(Object.keys(imported.stateDict()).sort(), ['0.bias', '0.weight'], 'parameters keep their names');
  });
});
