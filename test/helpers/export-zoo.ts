// Every nn layer and every example model, with an example input and its dynamic axes: the ONNX
// export tests run each through onnxruntime-node, and scripts/gen-onnx-export-fixtures.ts writes
// them for onnx.checker (fixtures in test/fixtures/onnx-export/).
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { createHash } from 'node:crypto';
import * as ax from '../../src/index.js';
import { ModelProtoSchema } from '../../src/onnx/proto/onnx_pb.js';
import * as M from '../../examples/models.js';

const { nn } = ax;
type Tensor = ax.Tensor;

export interface ZooEntry {
  name: string;
  make: () => ax.nn.Module;
  /** Example inputs (seeded: the same bytes every run). */
  inputs: () => Tensor[];
  /** Dynamic axes per input index; the first entry's sizes grow in the second check. */
  dynamic?: Record<number, Record<number, string>>;
  /** Inputs at other dynamic sizes, to run the exported graph at. */
  others?: () => Tensor[];
}

/** Runs `forward` and keeps the first output (layers that return [output, state]). */
class First extends nn.Module {
  constructor(
    readonly inner: ax.nn.Module,
    readonly extra: unknown[] = [],
  ) {
    super();
  }
  forward(...xs: Tensor[]): Tensor {
    const out = this.inner.forward(...xs, ...this.extra);
    return Array.isArray(out) ? (out[0] as Tensor) : (out as Tensor);
  }
}

/** Self-attention: query = key = value = x. */
class SelfAttention extends nn.Module {
  constructor(readonly attn: ax.nn.MultiheadAttention) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.attn.forward(x, x, x)[0];
  }
}

const g = () => new ax.Generator(11);
const randn =
  (...shape: number[]) =>
  () => [ax.randn(shape, { generator: g() })];
const tokens =
  (vocab: number, ...shape: number[]) =>
  () => [ax.randint(0, vocab, shape, { generator: g() }).to('int32')];
const batch = { 0: { 0: 'batch' } };

const activations: [string, () => ax.nn.Module][] = [
  ['ReLU', () => new nn.ReLU()],
  ['LeakyReLU', () => new nn.LeakyReLU(0.1)],
  ['ELU', () => new nn.ELU(0.7)],
  ['SELU', () => new nn.SELU()],
  ['GELU', () => new nn.GELU()],
  ['GELU-tanh', () => new nn.GELU({ approximate: 'tanh' })],
  ['SiLU', () => new nn.SiLU()],
  ['Sigmoid', () => new nn.Sigmoid()],
  ['Tanh', () => new nn.Tanh()],
  ['Softplus', () => new nn.Softplus({ beta: 2 })],
  ['Softmax', () => new nn.Softmax(1)],
  ['LogSoftmax', () => new nn.LogSoftmax(-1)],
  ['Mish', () => new nn.Mish()],
  ['Hardtanh', () => new nn.Hardtanh(-0.5, 0.5)],
  ['ReLU6', () => new nn.ReLU6()],
  ['Hardsigmoid', () => new nn.Hardsigmoid()],
  ['Hardswish', () => new nn.Hardswish()],
  ['LogSigmoid', () => new nn.LogSigmoid()],
  ['Softsign', () => new nn.Softsign()],
];

export const ZOO: ZooEntry[] = [
  ...activations.map(([name, make]) => ({
    name,
    make,
    inputs: () => [ax.randn([3, 5], { generator: g() }).mul(4)],
    dynamic: batch,
  })),
  { name: 'Linear', make: () => new nn.Linear(5, 4), inputs: randn(3, 5), dynamic: batch },
  {
    name: 'Linear-3d',
    make: () => new nn.Linear(5, 4),
    inputs: randn(2, 3, 5),
    dynamic: { 0: { 0: 'batch', 1: 'seq' } },
  },
  {
    name: 'Conv1d',
    make: () => new nn.Conv1d(2, 4, 3, { stride: 2, padding: 1 }),
    inputs: randn(2, 2, 9),
    dynamic: batch,
  },
  {
    name: 'Conv2d',
    make: () => new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, dilation: 1, groups: 2 }),
    inputs: randn(2, 4, 8, 7),
    dynamic: batch,
  },
  {
    name: 'Conv2d-same',
    make: () => new nn.Conv2d(2, 3, [2, 3], { padding: 'same' }),
    inputs: randn(1, 2, 5, 6),
    dynamic: batch,
  },
  {
    name: 'ConvTranspose1d',
    make: () => new nn.ConvTranspose1d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }),
    inputs: randn(2, 3, 5),
    dynamic: batch,
  },
  {
    name: 'ConvTranspose2d',
    make: () => new nn.ConvTranspose2d(3, 2, 3, { stride: 2 }),
    inputs: randn(2, 3, 4, 4),
    dynamic: batch,
  },
  {
    name: 'MaxPool1d',
    make: () => new nn.MaxPool1d(3, { stride: 2, ceilMode: true }),
    inputs: randn(2, 3, 10),
    dynamic: batch,
  },
  { name: 'MaxPool2d', make: () => new nn.MaxPool2d(2), inputs: randn(2, 3, 6, 6), dynamic: batch },
  {
    name: 'AvgPool1d',
    make: () => new nn.AvgPool1d(3, { stride: 2, padding: 1 }),
    inputs: randn(2, 3, 10),
    dynamic: batch,
  },
  {
    name: 'AvgPool2d',
    make: () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }),
    inputs: randn(2, 3, 7, 7),
    dynamic: batch,
  },
  { name: 'AdaptiveAvgPool1d', make: () => new nn.AdaptiveAvgPool1d(3), inputs: randn(2, 3, 9), dynamic: batch },
  { name: 'AdaptiveAvgPool2d', make: () => new nn.AdaptiveAvgPool2d(1), inputs: randn(2, 3, 5, 5), dynamic: batch },
  {
    name: 'BatchNorm1d',
    make: () => {
      const bn = new nn.BatchNorm1d(4);
      bn.forward(ax.randn([16, 4], { generator: g() }).mul(3).add(1)); // running statistics ≠ 0 / 1
      return bn;
    },
    inputs: randn(3, 4),
    dynamic: batch,
  },
  {
    name: 'BatchNorm2d',
    make: () => {
      const bn = new nn.BatchNorm2d(3);
      bn.forward(ax.randn([8, 3, 4, 4], { generator: g() }).mul(2).sub(1));
      return bn;
    },
    inputs: randn(2, 3, 4, 4),
    dynamic: batch,
  },
  { name: 'LayerNorm', make: () => new nn.LayerNorm([4, 5]), inputs: randn(2, 3, 4, 5), dynamic: batch },
  { name: 'GroupNorm', make: () => new nn.GroupNorm(2, 4), inputs: randn(2, 4, 3, 3), dynamic: batch },
  { name: 'Dropout', make: () => new nn.Dropout(0.5), inputs: randn(3, 4), dynamic: batch },
  { name: 'Dropout2d', make: () => new nn.Dropout2d(0.5), inputs: randn(2, 3, 4, 4), dynamic: batch },
  {
    name: 'Embedding',
    make: () => new nn.Embedding(10, 4),
    inputs: tokens(10, 2, 5),
    dynamic: { 0: { 0: 'batch', 1: 'seq' } },
  },
  { name: 'Flatten', make: () => new nn.Flatten(), inputs: randn(2, 3, 4), dynamic: batch },
  { name: 'Unflatten', make: () => new nn.Unflatten(1, [3, 4]), inputs: randn(2, 12), dynamic: batch },
  { name: 'Identity', make: () => new nn.Identity(), inputs: randn(2, 3), dynamic: batch },
  {
    name: 'RNN',
    make: () => new First(new nn.RNN(4, 5, { numLayers: 2 })),
    inputs: randn(6, 2, 4),
    dynamic: { 0: { 0: 'seq', 1: 'batch' } },
  },
  {
    name: 'LSTM',
    make: () => new First(new nn.LSTM(4, 5, { batchFirst: true, bidirectional: true })),
    inputs: randn(2, 6, 4),
    dynamic: { 0: { 0: 'batch', 1: 'seq' } },
  },
  {
    name: 'GRU',
    make: () => new First(new nn.GRU(4, 5, { numLayers: 2, bidirectional: true })),
    inputs: randn(6, 2, 4),
    dynamic: { 0: { 0: 'seq', 1: 'batch' } },
  },
  {
    name: 'MultiheadAttention',
    make: () => new SelfAttention(new nn.MultiheadAttention(8, 2, { batchFirst: true })),
    inputs: randn(2, 5, 8),
    dynamic: { 0: { 0: 'batch', 1: 'seq' } },
  },
  {
    name: 'TransformerEncoderLayer',
    make: () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }),
    inputs: randn(2, 5, 8),
    dynamic: { 0: { 0: 'batch', 1: 'seq' } },
  },
  {
    name: 'TransformerDecoderLayer',
    make: () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true, normFirst: true }),
    inputs: () => [ax.randn([2, 4, 8], { generator: g() }), ax.randn([2, 6, 8], { generator: new ax.Generator(12) })],
    dynamic: { 0: { 0: 'batch', 1: 'tgt' }, 1: { 0: 'batch', 1: 'src' } },
  },
  {
    name: 'Transformer',
    make: () =>
      new nn.Transformer({
        dModel: 8,
        nhead: 2,
        numEncoderLayers: 1,
        numDecoderLayers: 1,
        dimFeedforward: 16,
        batchFirst: true,
      }),
    inputs: () => [ax.randn([2, 6, 8], { generator: g() }), ax.randn([2, 4, 8], { generator: new ax.Generator(12) })],
    dynamic: { 0: { 0: 'batch', 1: 'src' }, 1: { 0: 'batch', 1: 'tgt' } },
  },
  {
    name: 'SinusoidalPositionalEncoding',
    make: () => new nn.SinusoidalPositionalEncoding(8, { maxLen: 32 }),
    inputs: randn(2, 5, 8),
    dynamic: { 0: { 0: 'batch', 1: 'seq' } },
  },
  {
    name: 'LearnedPositionalEncoding',
    make: () => new nn.LearnedPositionalEncoding(32, 8),
    inputs: randn(2, 5, 8),
    dynamic: { 0: { 0: 'batch', 1: 'seq' } },
  },
  {
    name: 'Bilinear',
    make: () => new nn.Bilinear(3, 4, 2),
    inputs: () => [ax.randn([2, 3], { generator: g() }), ax.randn([2, 4], { generator: new ax.Generator(12) })],
    dynamic: { 0: { 0: 'batch' }, 1: { 0: 'batch' } },
  },
  { name: 'Perceptron', make: () => new nn.Perceptron(4), inputs: randn(3, 4), dynamic: batch },
  // The example models (examples/models.ts).
  { name: 'ffn', make: M.ffn, inputs: randn(3, 64), dynamic: batch },
  { name: 'cnn', make: M.cnn, inputs: randn(2, 1, 28, 28), dynamic: batch },
  {
    name: 'CharLSTM',
    make: () => new M.CharLSTM(12),
    inputs: tokens(12, 2, 7),
    dynamic: { 0: { 0: 'batch', 1: 'seq' } },
  },
  {
    name: 'TinyGPT',
    make: () => new M.TinyGPT(12),
    inputs: tokens(12, 2, 7),
    dynamic: { 0: { 0: 'batch', 1: 'seq' } },
  },
  { name: 'Autoencoder', make: () => new M.Autoencoder(), inputs: randn(3, 30), dynamic: batch },
  { name: 'generator', make: M.generator, inputs: randn(3, 16), dynamic: batch },
  { name: 'discriminator', make: M.discriminator, inputs: randn(3, 1, 8, 8), dynamic: batch },
];

/** Inputs with every dynamic axis grown (by 2, 3, ... per axis), to run the exported graph at other sizes. */
export function grownInputs(entry: ZooEntry): Tensor[] {
  const xs = entry.inputs();
  return xs.map((x, i) => {
    let out = x;
    Object.keys(entry.dynamic?.[i] ?? {}).forEach((axis, k) => {
      const a = Number(axis);
      out = ax.cat([out, ...Array.from({ length: k + 2 }, () => out.narrow(a, 0, 1))], a);
    });
    return out;
  });
}

export function inputNames(entry: ZooEntry): string[] {
  return entry.inputs().map((_, i) => `input_${i}`);
}

/**
 * The entry exported at `opset`. The fixtures use opset 17, the newest that Debian's onnx (1.12)
 * checker knows; the tests also run the default (18) in onnxruntime.
 */
export function exportEntry(entry: ZooEntry, opset = 17): Uint8Array {
  ax.manualSeed(1);
  const model = entry.make();
  const names = inputNames(entry);
  const dynamicAxes = Object.fromEntries(
    Object.entries(entry.dynamic ?? {}).map(([i, axes]) => [names[Number(i)]!, axes]),
  );
  return ax.onnx.export(model, entry.inputs(), null, { dynamicAxes, inputNames: names, opset });
}

/** A hash of the graph without its float data (weights and statistics round differently by backend). */
export function structureHash(bytes: Uint8Array): string {
  const model = fromBinary(ModelProtoSchema, bytes);
  for (const t of model.graph!.initializer) if (t.dataType === 1 || t.dataType === 11) t.rawData = new Uint8Array(0);
  return createHash('sha256').update(toBinary(ModelProtoSchema, model)).digest('hex');
}
