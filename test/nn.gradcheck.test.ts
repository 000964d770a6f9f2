import { describe, test } from 'node:test';
import * as ax from '../src/index.js';

// The ops added for layers, against finite differences in float64: weights are inputs too.
const { nn } = ax;
const F = nn.functional;
const gen = new ax.Generator(7);
const r = (...shape: number[]) => ax.randn(shape, { dtype: 'float64', generator: gen });
const idx = (data: number[]) => ax.tensor(data, { dtype: 'int32' });

type Fn = (...xs: ax.Tensor[]) => ax.Tensor;
const CASES: [string, Fn, ax.Tensor[]][] = [
  ['linear', (x, w, b) => F.linear(x, w, b), [r(2, 3, 4), r(5, 4), r(5)]],
  ['bilinear', (x, y, w, b) => F.bilinear(x, y, w, b), [r(3, 2), r(3, 4), r(2, 2, 4), r(2)]],
  [
    'conv2d padding stride',
    (x, w, b) => F.conv2d(x, w, b, { padding: 1, stride: 2 }),
    [r(2, 2, 5, 4), r(3, 2, 3, 3), r(3)],
  ],
  [
    'conv2d groups dilation',
    (x, w) => F.conv2d(x, w, null, { groups: 2, dilation: 2 }),
    [r(1, 4, 5, 5), r(2, 2, 2, 2)],
  ],
  [
    'conv3d stride padding dilation groups',
    (x, w, b) => F.conv3d(x, w, b, { stride: [2, 1, 1], padding: [1, 0, 1], dilation: [1, 2, 1], groups: 2 }),
    [r(1, 4, 4, 5, 3), r(2, 2, 2, 2, 2), r(2)],
  ],
  ['pixelShuffle', (x) => F.pixelShuffle(x, 2), [r(1, 8, 2, 3)]],
  ['pixelUnshuffle', (x) => F.pixelUnshuffle(x, 2), [r(1, 2, 4, 2)]],
  ['prelu per channel', (x, w) => F.prelu(x.add(x.sign().mul(0.1)), w), [r(2, 3, 4), r(3)]],
  ['instanceNorm affine', (x, w, b) => F.instanceNorm(x, { weight: w, bias: b }), [r(2, 3, 5), r(3), r(3)]],
  ['interpolate bilinear', (x) => F.interpolate(x, { size: [5, 3], mode: 'bilinear' }), [r(1, 2, 3, 4)]],
  [
    'interpolate bilinear alignCorners',
    (x) => F.interpolate(x, { scaleFactor: 1.7, mode: 'bilinear', alignCorners: true }),
    [r(1, 1, 3, 3)],
  ],
  ['interpolate nearest', (x) => F.interpolate(x, { scaleFactor: [2, 3], mode: 'nearest' }), [r(2, 1, 2, 2)]],
  ['interpolate trilinear', (x) => F.interpolate(x, { size: [3, 2, 3], mode: 'trilinear' }), [r(1, 1, 2, 3, 2)]],
  ['maxPool3d', (x) => F.maxPool3d(x, [2, 2, 2], { stride: 1, padding: [1, 0, 1] }), [r(1, 2, 3, 3, 3)]],
  ['maxPool3d ceil', (x) => F.maxPool3d(x, 2, { ceilMode: true }), [r(1, 1, 3, 3, 5)]],
  [
    'avgPool3d without padding in the count',
    (x) => F.avgPool3d(x, [2, 3, 2], { stride: [1, 2, 2], padding: 1, countIncludePad: false }),
    [r(2, 2, 3, 4, 4)],
  ],
  [
    'conv2d depthwise (multiplier 2, stride, padding, dilation)',
    (x, w, b) => F.conv2d(x, w, b, { groups: 3, padding: [1, 2], stride: [2, 1], dilation: [1, 2] }),
    [r(2, 3, 5, 6), r(6, 1, 3, 2), r(6)],
  ],
  ['conv2d 1×1', (x, w, b) => F.conv2d(x, w, b), [r(2, 3, 4, 5), r(4, 3, 1, 1), r(4)]],
  ['conv2d same', (x, w) => F.conv2d(x, w, null, { padding: 'same' }), [r(1, 1, 4, 4), r(2, 1, 2, 3)]],
  ['conv1d', (x, w, b) => F.conv1d(x, w, b, { padding: 1 }), [r(2, 2, 6), r(3, 2, 3), r(3)]],
  [
    'convTranspose2d',
    (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
    [r(1, 2, 3, 3), r(2, 3, 3, 3), r(3)],
  ],
  [
    'convTranspose1d groups',
    (x, w) => F.convTranspose1d(x, w, null, { stride: 2, groups: 2 }),
    [r(1, 4, 4), r(4, 1, 3)],
  ],
  ['maxPool2d', (x) => F.maxPool2d(x, 2, { stride: 1, padding: 1 }), [r(1, 2, 4, 4)]],
  ['maxPool1d', (x) => F.maxPool1d(x, 3, { stride: 2 }), [r(2, 2, 7)]],
  [
    'avgPool2d exclude padding',
    (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
    [r(1, 2, 5, 5)],
  ],
  ['avgPool1d', (x) => F.avgPool1d(x, 2), [r(1, 2, 6)]],
  ['adaptiveAvgPool2d', (x) => F.adaptiveAvgPool2d(x, [2, 3]), [r(1, 2, 5, 4)]],
  [
    'batchNorm (batch statistics)',
    (x, w, b) => F.batchNorm(x, null, null, w, b, { training: true }),
    [r(4, 3, 2), r(3), r(3)],
  ],
  [
    'batchNorm (running statistics)',
    (x, w) =>
      F.batchNorm(x, ax.zeros([3], { dtype: 'float64' }).add(0.5), ax.ones([3], { dtype: 'float64' }).mul(2), w, null, {
        training: false,
      }),
    [r(4, 3), r(3)],
  ],
  ['layerNorm', (x, w, b) => F.layerNorm(x, [4], w, b), [r(3, 4), r(4), r(4)]],
  ['groupNorm', (x, w, b) => F.groupNorm(x, 2, w, b), [r(2, 4, 3), r(4), r(4)]],
  // (With paddingIdx the padding row deliberately gets no gradient, so it is tested in nn.module.test.ts.)
  ['embedding', (w) => F.embedding(idx([1, 0, 3, 1]), w), [r(4, 3)]],
  ['dropout in eval mode is the identity', (x) => F.dropout(x, 0.3, { training: false }), [r(5)]],
  [
    'attention with masks',
    (q, k, v) =>
      F.scaledDotProductAttention(q, k, v, {
        attnMask: ax.tensor([
          [false, true, false],
          [false, false, false],
        ]),
        keyPaddingMask: ax.tensor([[false, false, true]]),
      })[0],
    [r(1, 2, 2, 4), r(1, 2, 3, 4), r(1, 2, 3, 4)],
  ],
  [
    'causal attention',
    (q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true })[0],
    [r(1, 1, 3, 2), r(1, 1, 3, 2), r(1, 1, 3, 2)],
  ],
  [
    'crossEntropy, weights and smoothing',
    (x, w) => F.crossEntropy(x, idx([0, 2, 1, 2]), { weight: w.abs(), labelSmoothing: 0.1 }),
    [r(4, 3), r(3)],
  ],
  ['crossEntropy with probabilities', (x, t) => F.crossEntropy(x, t.softmax(1)), [r(3, 4), r(3, 4)]],
  ['nllLoss with ignoreIndex', (x) => F.nllLoss(x.logSoftmax(1), idx([0, 1, 1]), { ignoreIndex: 1 }), [r(3, 2)]],
  [
    'bce with logits and posWeight',
    (x) =>
      F.binaryCrossEntropyWithLogits(x, ax.tensor([[1, 0, 1]], { dtype: 'float64' }), {
        posWeight: ax.tensor([2, 1, 0.5], { dtype: 'float64' }),
      }),
    [r(1, 3)],
  ],
  ['bce', (x) => F.binaryCrossEntropy(x.sigmoid(), ax.tensor([0.2, 1, 0], { dtype: 'float64' })), [r(3)]],
  [
    'smoothL1, huber, mse, l1',
    (x, y) => F.smoothL1Loss(x, y, { beta: 0.5 }).add(F.huberLoss(x, y)).add(F.mseLoss(x, y)).add(F.l1Loss(x, y)),
    [r(5).mul(2), r(5)],
  ],
  ['klDiv', (x, t) => F.klDiv(x.logSoftmax(1), t.softmax(1), { reduction: 'batchmean' }), [r(2, 3), r(2, 3)]],
  ['multiMarginLoss', (x) => F.multiMarginLoss(x, idx([1, 0]), { p: 2 }), [r(2, 4)]],
  [
    'cosineEmbeddingLoss',
    (a, b) => F.cosineEmbeddingLoss(a, b, ax.tensor([1, -1], { dtype: 'float64' })),
    [r(2, 3), r(2, 3)],
  ],
  ['hingeEmbeddingLoss', (x) => F.hingeEmbeddingLoss(x, ax.tensor([1, -1, -1], { dtype: 'float64' })), [r(3)]],
];

describe('gradcheck: layer ops and losses (float64)', () => {
  for (const [name, fn, inputs] of CASES)
    test(name, () => {
      ax.gradcheck(fn, inputs);
    });
});

describe('gradcheck: whole layers in float64 (module.double())', () => {
  ax.manualSeed(11);
  const layers: [string, ax.nn.Module, Fn, ax.Tensor[]][] = [
    [
      'LSTM bidirectional 2 layers',
      new nn.LSTM(3, 2, { numLayers: 2, bidirectional: true }).double(),
      function (this: void, x) {
        return (layers[0]![1] as ax.nn.LSTM).forward(x)[0];
      },
      [r(3, 2, 3)],
    ],
    [
      'GRU with lengths',
      new nn.GRU(2, 3, { batchFirst: true }).double(),
      (x) => (layers[1]![1] as ax.nn.GRU).forward(x, null, { lengths: idx([3, 1]) })[0],
      [r(2, 3, 2)],
    ],
    [
      'RNN relu',
      new nn.RNN(2, 2, { nonlinearity: 'relu' }).double(),
      (x) => (layers[2]![1] as ax.nn.RNN).forward(x)[1],
      [r(3, 1, 2)],
    ],
    [
      'TransformerEncoderLayer',
      new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, batchFirst: true }).double(),
      (x) => (layers[3]![1] as ax.nn.TransformerEncoderLayer).forward(x, { isCausal: true }),
      [r(1, 3, 4)],
    ],
    ['BatchNorm2d train', new nn.BatchNorm2d(2).double(), (x) => layers[4]![1].forward(x), [r(2, 2, 2, 2)]],
  ];
  for (const [name, , fn, inputs] of layers)
    test(name, () => {
      ax.gradcheck(fn, inputs);
    });
});

describe('gradgradcheck: second derivatives of the window ops', () => {
  test('conv2d', () => {
    ax.gradgradcheck((x, w) => F.conv2d(x, w, null, { padding: 1 }).tanh(), [r(1, 1, 3, 3), r(1, 1, 2, 2)]);
    ax.gradgradcheck((x, w) => F.conv2d(x, w, null, { padding: 1, groups: 2 }).tanh(), [r(1, 2, 3, 3), r(4, 1, 2, 2)]);
  });
  test('convTranspose2d', () => {
    ax.gradgradcheck((x, w) => F.convTranspose2d(x, w, null, { stride: 2 }).square(), [r(1, 1, 2, 2), r(1, 1, 2, 2)]);
  });
  test('layerNorm', () => {
    ax.gradgradcheck((x) => F.layerNorm(x, [3]), [r(2, 3)]);
  });
});
