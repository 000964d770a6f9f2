import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import * as ax from '../src/index.js';
import { info, init, modelBytes, node } from './helpers/onnx-build.js';

// ONNX Resize against onnxruntime-node: nearest (each nearest_mode) and linear, each
// coordinate_transformation_mode, by scales and by sizes, up and down; and a gradient through it.
const x = ax
  .arange(0, 2 * 3 * 5)
  .to('float32')
  .mul(0.7)
  .sin()
  .reshape([1, 2, 3, 5]);
const emptyF = ax.zeros([0]);

function model(attrs: Record<string, string>, by: { scales?: number[]; sizes?: number[] }) {
  const inits = [init('roi', emptyF), init('scales', by.scales ? ax.tensor(by.scales) : emptyF)];
  if (by.sizes) inits.push(init('sizes', ax.tensor(by.sizes, { dtype: 'int32' })));
  return modelBytes({
    nodes: [node('Resize', ['x', 'roi', 'scales', ...(by.sizes ? ['sizes'] : [])], ['y'], attrs)],
    inputs: [info('x', 1, [1, 2, 3, 5])],
    outputs: [info('y', 1)],
    initializers: inits,
    opset: 13,
  });
}

const CASES: [Record<string, string>, { scales?: number[]; sizes?: number[] }][] = [];
for (const nearest of ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'])
  CASES.push([
    { mode: 'nearest', nearest_mode: nearest, coordinate_transformation_mode: 'asymmetric' },
    { scales: [1, 1, 2, 2] },
  ]);
for (const ctm of ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric']) {
  CASES.push([{ mode: 'linear', coordinate_transformation_mode: ctm }, { scales: [1, 1, 2, 1.6] }]);
  CASES.push([{ mode: 'linear', coordinate_transformation_mode: ctm }, { sizes: [1, 2, 2, 3] }]);
  CASES.push([{ mode: 'nearest', coordinate_transformation_mode: ctm }, { sizes: [1, 2, 7, 4] }]);
}

test('Resize: Axon and onnxruntime agree on every mode', async () => {
  for (const [attrs, by] of CASES) {
    const bytes = model(attrs, by);
    const got = ax.onnx.load(bytes).forward(x) as ax.Tensor;
    const session = await ort.InferenceSession.create(bytes);
    const r = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x.toTypedArray()), x.shape) });
    const want = r['y']!;
    const what = `${JSON.stringify(attrs)} ${JSON.stringify(by)}`;
    assert.deepEqual(got.shape, [...want.dims], what);
    const g = got.contiguous().toTypedArray();
    (want.data as Float32Array).forEach((v, i) =>
      assert.ok(Math.abs(g[i]! - v) < 1e-5, `${what}: ${i}: ${g[i]} vs ${v}`),
    );
  }
});

test('Resize: gradients flow to the input; unsupported modes are named', () => {
  const m = ax.onnx.load(model({ mode: 'linear' }, { scales: [1, 1, 2, 2] }));
  const xi = x.clone().requiresGrad_();
  (m.forward(xi) as ax.Tensor).sum().backward();
  // Linear interpolation splits each output's weight 1 among its sources: the gradient sums to the output count.
  assert.ok(Math.abs(xi.grad!.sum().item() - 2 * 6 * 10) < 1e-3);
  assert.throws(
    () => ax.onnx.load(model({ mode: 'cubic' }, { scales: [1, 1, 2, 2] })).forward(x),
    /mode 'cubic' is not supported/,
  );
});
