import { IndexError } from '../../errors.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { embedding } from '../functional/index.js';
import * as init from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** A lookup table [numEmbeddings, embeddingDim], initialised N(0, 1) with the padding row zeroed. */
export class Embedding extends Module {
  readonly weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: { paddingIdx?: number | null } = {},
  ) {
    super();
    let pad = options.paddingIdx ?? null;
    if (pad !== null) {
      if (pad < -numEmbeddings || pad >= numEmbeddings)
        throw new IndexError(`Embedding: paddingIdx ${pad} must be within [${-numEmbeddings}, ${numEmbeddings})`);
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.weight = this.registerParameter('weight', new Parameter(zeros([numEmbeddings, embeddingDim])));
    init.normal(this.weight);
    if (pad !== null) noGrad(() => this.weight.select(0, pad!).zero_());
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }
}
