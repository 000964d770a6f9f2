import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import * as ax from '../src/index.js';
import { writeWeights } from './helpers/onnx-weights.js';

// Real architectures as torch.onnx.export writes them (scripts/gen_onnx_torchvision.py, torchvision
// 0.14, opset 17; weights from a fixed formula, test/helpers/onnx-weights.ts): each runs in Axon and
// in onnxruntime-node on the same input, outputs within 1e-4 · max|output|. AlexNet and VGG-11 (60 and
// 130 M parameters) are checked the same way by `npm run bench:onnx`, not by the suite.
const root = fileURLToPath(new URL('./fixtures/onnx-models', import.meta.url));
const CNNS: [string, number][] = [
  ['resnet18', 64],
  ['mobilenet_v2', 64],
  ['mobilenet_v3_small', 64],
  ['squeezenet1_1', 64],
  ['shufflenet_v2_x0_5', 64],
  ['densenet121', 64],
  ['efficientnet_b0', 64],
  ['googlenet', 64],
  ['inception_v3', 96],
];

function image(n: number, size: number): ax.Tensor {
  return ax
    .arange(0, n * 3 * size * size)
    .to('float32')
    .mul(0.37)
    .sin()
    .reshape([n, 3, size, size]);
}

function assertNear(got: ax.Tensor, want: ArrayLike<number>, what: string): void {
  const g = got.contiguous().toTypedArray();
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  assert.equal(g.length, want.length);
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(g[i]! - want[i]!) <= 1e-4 * scale + 1e-6, `${what}: element ${i}: ${g[i]} vs ${want[i]}`);
}

async function ortRun(path: string | Uint8Array, feeds: Record<string, ort.Tensor>) {
  const session =
    typeof path === 'string' ? await ort.InferenceSession.create(path) : await ort.InferenceSession.create(path);
  const out = await session.run(feeds);
  return out[session.outputNames[0]!]!.data as Float32Array;
}

describe('torchvision CNNs and a BERT encoder, imported and checked against onnxruntime-node', () => {
  for (const [name, size] of CNNS) {
    test(name, async () => {
      const dir = join(root, name);
      writeWeights(dir);
      const model = ax.onnx.load(join(dir, 'model.onnx')).eval();
      const x = image(2, size);
      const y = ax.noGrad(() => model.forward(x)) as ax.Tensor;
      assert.deepEqual(y.shape, [2, 1000]);
      const want = await ortRun(join(dir, 'model.onnx'), {
        images: new ort.Tensor('float32', Float32Array.from(x.contiguous().toTypedArray()), x.shape),
      });
      assertNear(y, want, name);
    });
  }

  test('bert: a 2-layer encoder with an attention mask, dynamic batch and sequence', async () => {
    const dir = join(root, 'bert');
    writeWeights(dir);
    const model = ax.onnx.load(join(dir, 'model.onnx')).eval();
    for (const [n, len] of [
      [2, 16],
      [3, 9],
    ] as const) {
      const values = Array.from({ length: n * len }, (_, k) => (7 * k + 3) % 100);
      const ids = ax.tensor(values, { dtype: 'int32' }).reshape([n, len]);
      const maskValues = Array.from({ length: n * len }, (_, i) => (i % len < len - 2 ? 1 : 0));
      const mask = ax.tensor(maskValues, { dtype: 'int32' }).reshape([n, len]);
      const y = ax.noGrad(() => model.forward(ids, mask)) as ax.Tensor;
      assert.deepEqual(y.shape, [n, 64]);
      const i64 = (t: ax.Tensor) =>
        new ort.Tensor(
          'int64',
          BigInt64Array.from(Array.from(t.contiguous().toTypedArray(), (v) => BigInt(v))),
          t.shape,
        );
      const want = await ortRun(join(dir, 'model.onnx'), { input_ids: i64(ids), attention_mask: i64(mask) });
      assertNear(y, want, `bert [${n}, ${len}]`);
    }
  });

  test('fine-tuning: cut ResNet-18 at its pooled features, freeze, train a new head, export it back', async () => {
    const dir = join(root, 'resnet18');
    writeWeights(dir);
    const full = ax.onnx.load(join(dir, 'model.onnx'));
    const pooled = full.valueNames().find((v) => /GlobalAveragePool|pool/i.test(v) && v.length > 0);
    const features = full.truncate(full.valueNames().find((v) => v.includes('Flatten')) ?? pooled!).freeze();
    ax.manualSeed(0);
    const x = image(8, 64);
    const labels = ax.tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: 'int32' });
    const dims = (features.eval().forward(x) as ax.Tensor).shape;
    const head = new ax.nn.Linear(dims[1]!, 3);
    const net = new ax.nn.Sequential(features, head);
    const opt = new ax.optim.Adam(
      net.parameters().filter((p) => p.requiresGrad),
      { lr: 1e-3 },
    );
    assert.equal(opt.paramGroups[0]!.params.length, 2, 'only the head trains');
    const loss = () => ax.nn.functional.crossEntropy(net.forward(x) as ax.Tensor, labels);
    const before = loss().item();
    for (let i = 0; i < 20; i++) {
      opt.zeroGrad();
      loss().backward();
      opt.step();
    }
    assert.ok(loss().item() < before * 0.5, `${before} → ${loss().item()}`);
    // The fine-tuned model exports back to ONNX (at the imported opset) and runs in onnxruntime.
    const path = join(mkdtempSync(join(tmpdir(), 'axon-ft-')), 'tuned.onnx');
    ax.onnx.export(net, x, path, { inputNames: ['images'], dynamicAxes: { images: { 0: 'batch' } } });
    const want = ax.noGrad(() => net.eval().forward(image(3, 64))) as ax.Tensor;
    const got = await ortRun(path, {
      images: new ort.Tensor('float32', Float32Array.from(image(3, 64).contiguous().toTypedArray()), [3, 3, 64, 64]),
    });
    assertNear(want, got, 'exported fine-tuned model');
  });

  test('training the whole imported network: gradients reach the first convolution', () => {
    const dir = join(root, 'squeezenet1_1');
    writeWeights(dir);
    const model = ax.onnx.load(join(dir, 'model.onnx')).train();
    const x = image(2, 64);
    const out = model.forward(x) as ax.Tensor;
    out.square().mean().backward();
    const grads = model.parameters().filter((p) => p.grad && p.grad.abs().sum().item() > 0);
    assert.equal(grads.length, model.parameters().length, 'every parameter has a gradient');
  });
});
