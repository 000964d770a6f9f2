import { joinRepr, optionsRepr } from './repr.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Pair } from '../functional/args.js';
import * as P from '../functional/index.js';
import { Module } from '../module.js';

export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: P.MaxPoolOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return P.maxPool2d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return joinRepr(
      `kernelSize=${Array.isArray(this.kernelSize) ? `[${this.kernelSize.join(',')}]` : this.kernelSize}`,
      optionsRepr(this.options),
    );
  }
}

export class MaxPool1d extends Module {
  constructor(
    readonly kernelSize: number,
    readonly options: { stride?: number | null; padding?: number; dilation?: number; ceilMode?: boolean } = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return P.maxPool1d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return joinRepr(
      `kernelSize=${Array.isArray(this.kernelSize) ? `[${this.kernelSize.join(',')}]` : this.kernelSize}`,
      optionsRepr(this.options),
    );
  }
}

export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: P.AvgPoolOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return P.avgPool2d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return joinRepr(
      `kernelSize=${Array.isArray(this.kernelSize) ? `[${this.kernelSize.join(',')}]` : this.kernelSize}`,
      optionsRepr(this.options),
    );
  }
}

export class AvgPool1d extends Module {
  constructor(
    readonly kernelSize: number,
    readonly options: { stride?: number | null; padding?: number; ceilMode?: boolean; countIncludePad?: boolean } = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return P.avgPool1d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return joinRepr(
      `kernelSize=${Array.isArray(this.kernelSize) ? `[${this.kernelSize.join(',')}]` : this.kernelSize}`,
      optionsRepr(this.options),
    );
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) {
    super();
  }
  forward(x: Tensor): Tensor {
    return P.adaptiveAvgPool2d(x, this.outputSize);
  }
}

export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return P.adaptiveAvgPool1d(x, this.outputSize);
  }
}

export class AdaptiveMaxPool2d extends Module {
  constructor(readonly outputSize: Pair) {
    super();
  }
  forward(x: Tensor): Tensor {
    return P.adaptiveMaxPool2d(x, this.outputSize);
  }
}

export class AdaptiveMaxPool1d extends Module {
  constructor(readonly outputSize: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return P.adaptiveMaxPool1d(x, this.outputSize);
  }
}
