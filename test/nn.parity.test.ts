import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { type EncodedTensor, assertClose, backwardThrough, decode, loadFixture } from './helpers/fixtures.js';

const { nn } = ax;
const F = nn.functional;
type Args = Record<string, any>;

interface Case {
  name: string;
  module: string;
  args: Args;
  train: boolean;
  kwargs: Args;
  state: Record<string, EncodedTensor>;
  inputs: EncodedTensor[];
  nograd: number[];
  outputs: EncodedTensor[];
  gradOutputs: (EncodedTensor | null)[];
  inputGrads: (EncodedTensor | null)[];
  paramGrads: Record<string, EncodedTensor>;
  stateAfter: Record<string, EncodedTensor> | null;
}

/** How Axon builds the layer each fixture names (same arguments as the PyTorch side). */
const BUILD: Record<string, (a: Args) => ax.nn.Module> = {
  Linear: (a) => new nn.Linear(a.inF, a.outF, { bias: a.bias }),
  Bilinear: (a) => new nn.Bilinear(a.in1, a.in2, a.outF),
  Conv1d: (a) =>
    new nn.Conv1d(a.cin, a.cout, a.k, { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups }),
  Conv2d: (a) =>
    new nn.Conv2d(a.cin, a.cout, a.k, {
      stride: a.stride,
      padding: a.padding,
      dilation: a.dilation,
      groups: a.groups,
      bias: a.bias,
    }),
  ConvTranspose2d: (a) =>
    new nn.ConvTranspose2d(a.cin, a.cout, a.k, {
      stride: a.stride,
      padding: a.padding,
      outputPadding: a.outputPadding,
      groups: a.groups,
      dilation: a.dilation,
    }),
  ConvTranspose1d: (a) => new nn.ConvTranspose1d(a.cin, a.cout, a.k, { stride: a.stride }),
  MaxPool2d: (a) =>
    new nn.MaxPool2d(a.k, { stride: a.stride, padding: a.padding, dilation: a.dilation, ceilMode: a.ceilMode }),
  MaxPool1d: (a) => new nn.MaxPool1d(a.k, { stride: a.stride, padding: a.padding }),
  AvgPool2d: (a) =>
    new nn.AvgPool2d(a.k, {
      stride: a.stride,
      padding: a.padding,
      ceilMode: a.ceilMode,
      countIncludePad: a.countIncludePad,
    }),
  AvgPool1d: (a) => new nn.AvgPool1d(a.k),
  AdaptiveAvgPool2d: (a) => new nn.AdaptiveAvgPool2d(a.out),
  BatchNorm1d: (a) => new nn.BatchNorm1d(a.n, { momentum: a.momentum }),
  BatchNorm2d: (a) => new nn.BatchNorm2d(a.n),
  LayerNorm: (a) => new nn.LayerNorm(a.shape, { eps: a.eps }),
  GroupNorm: (a) => new nn.GroupNorm(a.groups, a.channels),
  Embedding: (a) => new nn.Embedding(a.num, a.dim, { paddingIdx: a.paddingIdx }),
  RNN: (a) =>
    new nn.RNN(a.inp, a.hid, {
      numLayers: a.numLayers,
      bidirectional: a.bidirectional,
      batchFirst: a.batchFirst,
      nonlinearity: a.nonlinearity,
    }),
  LSTM: (a) =>
    new nn.LSTM(a.inp, a.hid, { numLayers: a.numLayers, bidirectional: a.bidirectional, batchFirst: a.batchFirst }),
  GRU: (a) =>
    new nn.GRU(a.inp, a.hid, { numLayers: a.numLayers, bidirectional: a.bidirectional, batchFirst: a.batchFirst }),
  MultiheadAttention: (a) => new nn.MultiheadAttention(a.e, a.heads, { batchFirst: a.batchFirst }),
  TransformerEncoderLayer: (a) =>
    new nn.TransformerEncoderLayer(a.d, a.heads, {
      dimFeedforward: a.ff,
      dropout: 0,
      normFirst: a.normFirst,
      activation: a.activation,
      batchFirst: a.batchFirst,
    }),
  TransformerDecoderLayer: (a) =>
    new nn.TransformerDecoderLayer(a.d, a.heads, { dimFeedforward: a.ff, dropout: 0, batchFirst: a.batchFirst }),
  TransformerEncoder: (a) =>
    new nn.TransformerEncoder(
      new nn.TransformerEncoderLayer(a.d, a.heads, { dimFeedforward: a.ff, dropout: 0, batchFirst: a.batchFirst }),
      a.layers,
      { norm: new nn.LayerNorm(a.d) },
    ),
  Transformer: (a) =>
    new nn.Transformer({
      dModel: a.d,
      nhead: a.heads,
      numEncoderLayers: a.enc,
      numDecoderLayers: a.dec,
      dimFeedforward: a.ff,
      dropout: 0,
      batchFirst: a.batchFirst,
    }),
  Loss: () => new nn.Identity(),
  RNNCell: (a) => new nn.RNNCell(a.inp, a.hid, { nonlinearity: a.nonlinearity }),
  LSTMCell: (a) => new nn.LSTMCell(a.inp, a.hid),
  GRUCell: (a) => new nn.GRUCell(a.inp, a.hid, { bias: a.bias }),
  Upsample: (a) =>
    new nn.Upsample({ size: a.size, scaleFactor: a.scaleFactor, mode: a.mode, alignCorners: a.alignCorners }),
  PixelShuffle: (a) => new nn.PixelShuffle(a.r),
  PixelUnshuffle: (a) => new nn.PixelUnshuffle(a.r),
  PReLU: (a) => new nn.PReLU(a.n, a.init),
  InstanceNorm1d: (a) => new nn.InstanceNorm1d(a.n),
  InstanceNorm2d: (a) => new nn.InstanceNorm2d(a.n, { affine: a.affine }),
  Conv3d: (a) => new nn.Conv3d(a.cin, a.cout, a.k, { stride: a.stride, padding: a.padding }),
  MaxPool3d: (a) => new nn.MaxPool3d(a.k, { stride: a.stride }),
  AvgPool3d: (a) => new nn.AvgPool3d(a.k),
  AdaptiveMaxPool2d: (a) => new nn.AdaptiveMaxPool2d(a.out),
  AdaptiveMaxPool1d: (a) => new nn.AdaptiveMaxPool1d(a.out),
};

const causal = (n: number) => ax.ones([n, n], { dtype: 'bool' }).triu(1);

/** How each fixture calls the layer; returns every output tensor in PyTorch's order. */
function call(c: Case, m: ax.nn.Module, xs: ax.Tensor[]): ax.Tensor[] {
  const a = c.args;
  const lengths = c.kwargs.lengths ? { lengths: ax.tensor(c.kwargs.lengths, { dtype: 'int32' }) } : {};
  switch (c.module) {
    case 'LSTM': {
      const [out, [h, cc]] = (m as ax.nn.LSTM).forward(xs[0]!, xs.length > 1 ? [xs[1]!, xs[2]!] : null, lengths);
      return [out, h, cc];
    }
    case 'RNN':
    case 'GRU': {
      const [out, h] = (m as ax.nn.GRU).forward(xs[0]!, xs[1] ?? null, lengths);
      return [out, h];
    }
    case 'MultiheadAttention': {
      const [out, w] = (m as ax.nn.MultiheadAttention).forward(xs[0]!, xs[1]!, xs[2]!, {
        keyPaddingMask: xs[3]?.dtype === 'bool' ? xs[3] : null,
        attnMask: xs[4] ?? (xs[3]?.dtype !== 'bool' ? xs[3] : null),
        averageAttnWeights: a.average,
      });
      return [out, w!];
    }
    case 'TransformerEncoderLayer':
      return [
        (m as ax.nn.TransformerEncoderLayer).forward(
          xs[0]!,
          a.normFirst ? { srcMask: causal(5) } : { srcKeyPaddingMask: xs[1] },
        ),
      ];
    case 'TransformerDecoderLayer':
      return [
        (m as ax.nn.TransformerDecoderLayer).forward(xs[0]!, xs[1]!, {
          tgtMask: causal(4),
          memoryKeyPaddingMask: xs[2],
        }),
      ];
    case 'TransformerEncoder':
      return [(m as ax.nn.TransformerEncoder).forward(xs[0]!, { mask: causal(5), srcKeyPaddingMask: xs[1] })];
    case 'Transformer':
      return [(m as ax.nn.Transformer).forward(xs[0]!, xs[1]!, { tgtMask: causal(4) })];
    case 'Bilinear':
      return [(m as ax.nn.Bilinear).forward(xs[0]!, xs[1]!)];
    case 'RNNCell':
    case 'GRUCell':
      return [(m as ax.nn.GRUCell).forward(xs[0]!, xs[1])];
    case 'LSTMCell':
      return (m as ax.nn.LSTMCell).forward(xs[0]!, [xs[1]!, xs[2]!]);
    case 'Loss':
      return [callLoss(a, xs)];
    default:
      return [m.forward(xs[0]!)];
  }
}

function callLoss(a: Args, [x, y, z]: ax.Tensor[]): ax.Tensor {
  const reduction = a.reduction;
  switch (a.fn) {
    case 'mseLoss':
      return F.mseLoss(x!, y!, { reduction });
    case 'l1Loss':
      return F.l1Loss(x!, y!, { reduction });
    case 'smoothL1Loss':
      return F.smoothL1Loss(x!, y!, { beta: a.beta });
    case 'huberLoss':
      return F.huberLoss(x!, y!, { delta: a.delta });
    case 'binaryCrossEntropy':
      return F.binaryCrossEntropy(x!, y!, { weight: z });
    case 'binaryCrossEntropyWithLogits':
      return F.binaryCrossEntropyWithLogits(x!, y!, { posWeight: z });
    case 'crossEntropy':
      return F.crossEntropy(x!, y!, {
        weight: z,
        labelSmoothing: a.labelSmoothing,
        ignoreIndex: a.ignoreIndex,
        reduction,
      });
    case 'nllLoss':
      return F.nllLoss(x!, y!, { weight: z });
    case 'hingeEmbeddingLoss':
      return F.hingeEmbeddingLoss(x!, y!, { margin: a.margin });
    case 'multiMarginLoss':
      return F.multiMarginLoss(x!, y!, { p: a.p, margin: a.margin, weight: z });
    case 'klDiv':
      return F.klDiv(x!, y!, { reduction, logTarget: a.logTarget });
    case 'cosineEmbeddingLoss':
      return F.cosineEmbeddingLoss(x!, y!, z!, { margin: a.margin });
    default:
      throw new Error(`no loss mapped for '${a.fn}'`);
  }
}

const fixture = loadFixture<{ generator: string; cases: Case[] }>('nn.json');
const tol = (c: Case): [number, number] =>
  /Transformer|Attention|LSTM|GRU|RNN/.test(c.module) ? [5e-5, 2e-4] : [2e-5, 1e-4];

describe(`layers and losses against PyTorch (${fixture.generator})`, () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      const m = BUILD[c.module]!(c.args);
      m.train(c.train);
      // strict: the fixture's keys are PyTorch's; any naming difference fails here.
      m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v)])));
      const leaves = c.inputs.map((e, i) => {
        const t = decode(e);
        return t.dtype === 'float32' && !c.nograd.includes(i) ? t.requiresGrad_(true) : t;
      });
      const outs = call(c, m, leaves);
      const [atol, rtol] = tol(c);
      if (outs.length !== c.outputs.length) throw new Error(`${outs.length} outputs, expected ${c.outputs.length}`);
      outs.forEach((o, k) => assertClose(o, decode(c.outputs[k]!), `output ${k}`, atol, rtol));
      backwardThrough(outs, c.gradOutputs);
      c.inputGrads.forEach((g, i) => {
        if (g) assertClose(leaves[i]!.grad ?? ax.zerosLike(leaves[i]!), decode(g), `grad of input ${i}`, atol, rtol);
      });
      const params = Object.fromEntries(m.namedParameters());
      for (const [k, g] of Object.entries(c.paramGrads)) {
        const p = params[k];
        if (!p) throw new Error(`no parameter named ${k}`);
        assertClose(p.grad ?? ax.zerosLike(p), decode(g), `grad of ${k}`, atol, rtol);
      }
      if (c.stateAfter) {
        const state = m.stateDict();
        for (const [k, v] of Object.entries(c.stateAfter))
          assertClose(state[k]!, decode(v), `state ${k} after forward`, atol, rtol);
      }
    });
  }
});
