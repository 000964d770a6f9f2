import type { Generator } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { dropout, dropout2d } from '../functional/index.js';
import { Module } from '../module.js';

/** Zeroes elements with probability p in training mode (scaling the rest); identity in eval mode. */
export class Dropout extends Module {
  constructor(
    readonly p = 0.5,
    readonly generator?: Generator,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, generator: this.generator });
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Zeroes whole channels with probability p in training mode. */
export class Dropout2d extends Module {
  constructor(
    readonly p = 0.5,
    readonly generator?: Generator,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, { training: this.training, generator: this.generator });
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
