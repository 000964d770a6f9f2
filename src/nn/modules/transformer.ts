import { optionsArg, show } from '../../check.js';
import { ValueError } from '../../errors.js';
import { intArg } from '../functional/args.js';
import { gelu, relu } from '../functional/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { causalMask } from '../functional/index.js';
import { Module } from '../module.js';
import { MultiheadAttention } from './attention.js';
import { ModuleList } from './containers.js';
import { Dropout } from './dropout.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';

export interface TransformerLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor);
  layerNormEps?: number;
  batchFirst?: boolean;
  /** Pre-norm (LayerNorm before attention and feed-forward) instead of PyTorch's default post-norm. */
  normFirst?: boolean;
  bias?: boolean;
}

/** Registers the parts both layer kinds share, under PyTorch's names: linear1, dropout, linear2, norm1..normN, dropout1..dropoutN. */
function sharedParts(m: Module, dModel: number, options: TransformerLayerOptions, blocks: number) {
  const ff = options.dimFeedforward ?? 2048,
    p = options.dropout ?? 0.1,
    eps = options.layerNormEps ?? 1e-5,
    bias = options.bias !== false;
  const linear1 = m.registerModule('linear1', new Linear(dModel, ff, { bias }));
  const dropout = m.registerModule('dropout', new Dropout(p));
  const linear2 = m.registerModule('linear2', new Linear(ff, dModel, { bias }));
  const norms = Array.from({ length: blocks }, (_, i) =>
    m.registerModule(`norm${i + 1}`, new LayerNorm(dModel, { eps, bias })),
  );
  const dropouts = Array.from({ length: blocks }, (_, i) => m.registerModule(`dropout${i + 1}`, new Dropout(p)));
  return {
    linear1,
    dropout,
    linear2,
    norms,
    dropouts,
    act: activationFn(options.activation),
    normFirst: options.normFirst ?? false,
  };
}

function activationFn(a: TransformerLayerOptions['activation']): (x: Tensor) => Tensor {
  if (a === undefined || a === 'relu') return relu;
  if (a === 'gelu') return (x) => gelu(x);
  if (typeof a === 'function') return a;
  throw new ValueError(`Transformer: activation must be 'relu', 'gelu' or a function, got '${String(a)}'`);
}

/** Self-attention + feed-forward block, PyTorch's submodule names and default (post-norm) order. */
export class TransformerEncoderLayer extends Module {
  readonly self_attn: MultiheadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  private readonly act: (x: Tensor) => Tensor;
  readonly normFirst: boolean;

  constructor(
    readonly dModel: number,
    readonly nhead: number,
    options: TransformerLayerOptions = {},
  ) {
    super();
    optionsArg(this.constructor.name, options);
    const attn = { dropout: options.dropout ?? 0.1, batchFirst: options.batchFirst, bias: options.bias !== false };
    this.self_attn = this.registerModule('self_attn', new MultiheadAttention(dModel, nhead, attn));
    const s = sharedParts(this, dModel, options, 2);
    [this.linear1, this.dropout, this.linear2, this.act, this.normFirst] = [
      s.linear1,
      s.dropout,
      s.linear2,
      s.act,
      s.normFirst,
    ];
    [this.norm1, this.norm2] = s.norms as [LayerNorm, LayerNorm];
    [this.dropout1, this.dropout2] = s.dropouts as [Dropout, Dropout];
  }

  forward(
    src: Tensor,
    options: { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean } = {},
  ): Tensor {
    const sa = (x: Tensor) =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: options.srcMask,
          keyPaddingMask: options.srcKeyPaddingMask,
          isCausal: options.isCausal && !options.srcMask,
          needWeights: false,
        })[0],
      );
    const ff = (x: Tensor) =>
      this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.act(this.linear1.forward(x)))));
    let x = src;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(ff(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(sa(x)));
      x = this.norm2.forward(x.add(ff(x)));
    }
    return x;
  }
}

export interface DecoderForwardOptions {
  tgtMask?: Tensor | null;
  memoryMask?: Tensor | null;
  tgtKeyPaddingMask?: Tensor | null;
  memoryKeyPaddingMask?: Tensor | null;
  tgtIsCausal?: boolean;
}

/** Self-attention, cross-attention over the encoder's memory, feed-forward. */
export class TransformerDecoderLayer extends Module {
  readonly self_attn: MultiheadAttention;
  readonly multihead_attn: MultiheadAttention;
  readonly linear1: Linear;
  readonly dropout: Dropout;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly norm3: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  readonly dropout3: Dropout;
  private readonly act: (x: Tensor) => Tensor;
  readonly normFirst: boolean;

  constructor(
    readonly dModel: number,
    readonly nhead: number,
    options: TransformerLayerOptions = {},
  ) {
    super();
    optionsArg(this.constructor.name, options);
    const attn = { dropout: options.dropout ?? 0.1, batchFirst: options.batchFirst, bias: options.bias !== false };
    this.self_attn = this.registerModule('self_attn', new MultiheadAttention(dModel, nhead, attn));
    this.multihead_attn = this.registerModule('multihead_attn', new MultiheadAttention(dModel, nhead, attn));
    const s = sharedParts(this, dModel, options, 3);
    [this.linear1, this.dropout, this.linear2, this.act, this.normFirst] = [
      s.linear1,
      s.dropout,
      s.linear2,
      s.act,
      s.normFirst,
    ];
    [this.norm1, this.norm2, this.norm3] = s.norms as [LayerNorm, LayerNorm, LayerNorm];
    [this.dropout1, this.dropout2, this.dropout3] = s.dropouts as [Dropout, Dropout, Dropout];
  }

  forward(tgt: Tensor, memory: Tensor, options: DecoderForwardOptions = {}): Tensor {
    const sa = (x: Tensor) =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: options.tgtMask,
          keyPaddingMask: options.tgtKeyPaddingMask,
          isCausal: options.tgtIsCausal && !options.tgtMask,
          needWeights: false,
        })[0],
      );
    const mha = (x: Tensor) =>
      this.dropout2.forward(
        this.multihead_attn.forward(x, memory, memory, {
          attnMask: options.memoryMask,
          keyPaddingMask: options.memoryKeyPaddingMask,
          needWeights: false,
        })[0],
      );
    const ff = (x: Tensor) =>
      this.dropout3.forward(this.linear2.forward(this.dropout.forward(this.act(this.linear1.forward(x)))));
    let x = tgt;
    if (this.normFirst) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(mha(this.norm2.forward(x)));
      x = x.add(ff(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(x.add(sa(x)));
      x = this.norm2.forward(x.add(mha(x)));
      x = this.norm3.forward(x.add(ff(x)));
    }
    return x;
  }
}

/** A stack of copies of an encoder layer (`layers.0`, `layers.1`, ...) and an optional final norm. */
export class TransformerEncoder extends Module {
  readonly layers: ModuleList<TransformerEncoderLayer>;
  readonly norm: LayerNorm | null;

  constructor(
    encoderLayer: TransformerEncoderLayer,
    readonly numLayers: number,
    options: { norm?: LayerNorm | null } = {},
  ) {
    super();
    intArg('TransformerEncoder', 'numLayers', numLayers, 1);
    if (!(encoderLayer instanceof Module))
      throw new ValueError(
        `TransformerEncoder: encoderLayer must be a TransformerEncoderLayer, got ${show(encoderLayer)}`,
      );
    this.layers = this.registerModule(
      'layers',
      new ModuleList(Array.from({ length: numLayers }, () => encoderLayer.clone())),
    );
    this.norm = this.registerModule('norm', optionsArg('TransformerEncoder', options).norm ?? null);
  }

  forward(
    src: Tensor,
    options: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean } = {},
  ): Tensor {
    let x = src;
    for (const layer of this.layers)
      x = layer.forward(x, {
        srcMask: options.mask,
        srcKeyPaddingMask: options.srcKeyPaddingMask,
        isCausal: options.isCausal,
      });
    return this.norm ? this.norm.forward(x) : x;
  }
}

export class TransformerDecoder extends Module {
  readonly layers: ModuleList<TransformerDecoderLayer>;
  readonly norm: LayerNorm | null;

  constructor(
    decoderLayer: TransformerDecoderLayer,
    readonly numLayers: number,
    options: { norm?: LayerNorm | null } = {},
  ) {
    super();
    intArg('TransformerDecoder', 'numLayers', numLayers, 1);
    if (!(decoderLayer instanceof Module))
      throw new ValueError(
        `TransformerDecoder: decoderLayer must be a TransformerDecoderLayer, got ${show(decoderLayer)}`,
      );
    this.layers = this.registerModule(
      'layers',
      new ModuleList(Array.from({ length: numLayers }, () => decoderLayer.clone())),
    );
    this.norm = this.registerModule('norm', optionsArg('TransformerDecoder', options).norm ?? null);
  }

  forward(tgt: Tensor, memory: Tensor, options: DecoderForwardOptions = {}): Tensor {
    let x = tgt;
    for (const layer of this.layers) x = layer.forward(x, memory, options);
    return this.norm ? this.norm.forward(x) : x;
  }
}

export interface TransformerOptions extends TransformerLayerOptions {
  dModel?: number;
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
}

/** The encoder-decoder Transformer of "Attention Is All You Need", as nn.Transformer. */
export class Transformer extends Module {
  readonly encoder: TransformerEncoder;
  readonly decoder: TransformerDecoder;

  constructor(options: TransformerOptions = {}) {
    super();
    optionsArg('Transformer', options);
    const d = options.dModel ?? 512,
      h = options.nhead ?? 8,
      eps = options.layerNormEps ?? 1e-5;
    this.encoder = this.registerModule(
      'encoder',
      new TransformerEncoder(new TransformerEncoderLayer(d, h, options), options.numEncoderLayers ?? 6, {
        norm: new LayerNorm(d, { eps }),
      }),
    );
    this.decoder = this.registerModule(
      'decoder',
      new TransformerDecoder(new TransformerDecoderLayer(d, h, options), options.numDecoderLayers ?? 6, {
        norm: new LayerNorm(d, { eps }),
      }),
    );
  }

  forward(
    src: Tensor,
    tgt: Tensor,
    options: DecoderForwardOptions & { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null } = {},
  ): Tensor {
    const memory = this.encoder.forward(src, { mask: options.srcMask, srcKeyPaddingMask: options.srcKeyPaddingMask });
    return this.decoder.forward(tgt, memory, options);
  }

  /** A float mask with -inf above the diagonal, for causal (autoregressive) attention. */
  static generateSquareSubsequentMask(size: number): Tensor {
    return causalMask(size);
  }
}
