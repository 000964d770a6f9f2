import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { LAYER_OP_CASES } from './helpers/gradcheck-cases.js';

// The ops added for layers, against finite differences in float64: weights are inputs too.
const { nn } = ax;
const F = nn.functional;
const gen = new ax.Generator(7);
const r = (...shape: number[]) => ax.randn(shape, { dtype: 'float64', generator: gen });
const idx = (data: number[]) => ax.tensor(data, { dtype: 'int32' });

type Fn = (...xs: ax.Tensor[]) => ax.Tensor;
describe('gradcheck: layer ops and losses (float64)', () => {
  for (const [name, fn, inputs] of LAYER_OP_CASES)
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
