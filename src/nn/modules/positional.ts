import { optionsArg } from '../../check.js';
import { ShapeError, fmtShape } from '../../errors.js';
import { intArg } from '../functional/args.js';
import { fromTypedArray } from '../../tensor/create.js';
import * as create from '../../tensor/create.js';
import { guardAll } from '../../guard.js';
import { allocArray } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { Module } from '../module.js';

/**
 * Adds the fixed sinusoidal encodings of "Attention Is All You Need" (sin on even, cos on odd
 * features) to x [N, L, dModel] (batchFirst, the default here) or [L, N, dModel], then dropout.
 */
// The public (guarded) arange, so an ONNX export trace records the positions as a Range of the length.
const { arange } = guardAll(create);

export class SinusoidalPositionalEncoding extends Module {
  readonly pe: Tensor;

  constructor(
    readonly dModel: number,
    readonly options: { maxLen?: number; dropout?: number; batchFirst?: boolean } = {},
  ) {
    super();
    intArg('SinusoidalPositionalEncoding', 'dModel', dModel, 1);
    const maxLen = intArg(
      'SinusoidalPositionalEncoding',
      'maxLen',
      optionsArg('SinusoidalPositionalEncoding', options).maxLen ?? 5000,
      1,
    );
    const data = allocArray('float32', maxLen * dModel, 'SinusoidalPositionalEncoding') as Float32Array;
    for (let pos = 0; pos < maxLen; pos++) {
      for (let i = 0; i < dModel; i += 2) {
        const angle = pos * Math.exp((-i * Math.log(10000)) / dModel);
        data[pos * dModel + i] = Math.sin(angle);
        if (i + 1 < dModel) data[pos * dModel + i + 1] = Math.cos(angle);
      }
    }
    this.pe = this.registerBuffer('pe', fromTypedArray(data, [maxLen, dModel]));
    this.registerModule('dropout', new Dropout(options.dropout ?? 0.1));
  }

  protected override isNonPersistent(name: string): boolean {
    return name === 'pe';
  }

  forward(x: Tensor): Tensor {
    const batchFirst = this.options.batchFirst ?? true;
    const L = x.shape[batchFirst ? 1 : 0]!;
    if (x.ndim !== 3 || x.shape[2] !== this.dModel || L > this.pe.shape[0]!) {
      throw new ShapeError(
        `SinusoidalPositionalEncoding: expected input [${batchFirst ? 'N, L' : 'L, N'}, ${this.dModel}] with L ≤ ${this.pe.shape[0]}, got ${fmtShape(x.shape)}`,
      );
    }
    const pe = this.pe.narrow(0, 0, L);
    const dropout = [...this.children()][0]!;
    return dropout.forward(x.add(batchFirst ? pe.unsqueeze(0) : pe.unsqueeze(1)));
  }
}

/** Adds a learned embedding of each position (0..maxLen-1) to x [N, L, dModel] (batchFirst). */
export class LearnedPositionalEncoding extends Module {
  readonly embedding: Embedding;

  constructor(
    readonly maxLen: number,
    readonly dModel: number,
    readonly options: { batchFirst?: boolean } = {},
  ) {
    super();
    optionsArg('LearnedPositionalEmbedding', options);
    this.embedding = this.registerModule('embedding', new Embedding(maxLen, dModel));
  }

  forward(x: Tensor): Tensor {
    const batchFirst = this.options.batchFirst ?? true;
    const L = x.shape[batchFirst ? 1 : 0]!;
    if (x.ndim !== 3 || x.shape[2] !== this.dModel || L > this.maxLen) {
      throw new ShapeError(
        `LearnedPositionalEncoding: expected input [${batchFirst ? 'N, L' : 'L, N'}, ${this.dModel}] with L ≤ ${this.maxLen}, got ${fmtShape(x.shape)}`,
      );
    }
    const positions = this.embedding.forward(arange(L));
    return x.add(batchFirst ? positions.unsqueeze(0) : positions.unsqueeze(1));
  }
}
