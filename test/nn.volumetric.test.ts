import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ax from '../src/index.js';

// 3-D convolution and pooling are built from the 2-D kernels (src/nn/functional/volumetric.ts);
// here they meet a by-definition loop (their PyTorch parity is in the ONNX conformance cases).
const F = ax.nn.functional;
const gen = new ax.Generator(5);

function naiveConv3d(x: ax.Tensor, w: ax.Tensor, s: number[], p: number[], d: number[]): number[] {
  const [N, C, D, H, W] = x.shape as number[];
  const [O, , kd, kh, kw] = w.shape as number[];
  const xv = x.toTypedArray();
  const wv = w.toTypedArray();
  const size = (n: number, k: number, i: number) => Math.floor((n! + 2 * p[i]! - d[i]! * (k! - 1) - 1) / s[i]!) + 1;
  const [od, oh, ow] = [size(D!, kd!, 0), size(H!, kh!, 1), size(W!, kw!, 2)];
  const out: number[] = [];
  for (let n = 0; n < N!; n++)
    for (let o = 0; o < O!; o++)
      for (let a = 0; a < od; a++)
        for (let b = 0; b < oh; b++)
          for (let c = 0; c < ow; c++) {
            let acc = 0;
            for (let ci = 0; ci < C!; ci++)
              for (let i = 0; i < kd!; i++)
                for (let j = 0; j < kh!; j++)
                  for (let k = 0; k < kw!; k++) {
                    const z = a * s[0]! - p[0]! + i * d[0]!;
                    const y = b * s[1]! - p[1]! + j * d[1]!;
                    const xx = c * s[2]! - p[2]! + k * d[2]!;
                    if (z < 0 || z >= D! || y < 0 || y >= H! || xx < 0 || xx >= W!) continue;
                    acc +=
                      xv[(((n * C! + ci) * D! + z) * H! + y) * W! + xx]! *
                      wv[(((o * C! + ci) * kd! + i) * kh! + j) * kw! + k]!;
                  }
            out.push(acc);
          }
  return out;
}

test('conv3d matches the definition (stride, padding, dilation)', () => {
  const x = ax.randn([2, 3, 5, 4, 6], { generator: gen });
  const w = ax.randn([4, 3, 3, 2, 2], { generator: gen });
  const y = F.conv3d(x, w, null, { stride: [2, 1, 2], padding: [1, 1, 0], dilation: [1, 2, 1] });
  const want = naiveConv3d(x, w, [2, 1, 2], [1, 1, 0], [1, 2, 1]);
  const got = Array.from(y.contiguous().toTypedArray());
  assert.equal(got.length, want.length);
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-4, `${i}: ${v} vs ${want[i]}`));
});

test('3-D pooling: shapes, the maximum, the mean with and without padding', () => {
  const x = ax
    .arange(0, 2 * 4 * 4 * 4)
    .reshape([1, 2, 4, 4, 4])
    .to('float32');
  const m = F.maxPool3d(x, 2);
  assert.deepEqual(m.shape, [1, 2, 2, 2, 2]);
  assert.equal(m.max().item(), 127);
  assert.equal(m.min().item(), 21); // the first window's last element: 1·16 + 1·4 + 1
  const a = F.avgPool3d(ax.ones([1, 1, 3, 3, 3]), 3, { stride: 1, padding: 1 });
  assert.ok(Math.abs(a.contiguous().toTypedArray()[0]! - 8 / 27) < 1e-6); // the corner window holds 8 of 27 real ones
  const b = F.avgPool3d(ax.ones([1, 1, 3, 3, 3]), 3, { stride: 1, padding: 1, countIncludePad: false });
  assert.ok(b.toTypedArray().every((v) => Math.abs(v - 1) < 1e-6));
});

test('3-D ops refuse bad arguments with typed errors', () => {
  assert.throws(() => F.conv3d(ax.ones([1, 2, 3, 3]), ax.ones([1, 2, 2, 2])), ax.ShapeError);
  assert.throws(() => F.conv3d(ax.ones([1, 1, 1, 3, 3]), ax.ones([1, 1, 2, 2, 2])), /shallower than the kernel/);
  assert.throws(() => F.maxPool3d(ax.ones([1, 1, 4, 4, 4]), [2, 2] as never), ax.ValueError);
  assert.throws(() => F.avgPool3d(ax.ones([1, 1, 4, 4, 4]), 2, { padding: 2 }), /at most half/);
});
