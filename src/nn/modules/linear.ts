import { zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { intArg } from '../functional/args.js';
import { bilinear, linear } from '../functional/index.js';
import * as init from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/** PyTorch's default bound U(±1/sqrt(fanIn)); 0 for a layer without inputs (PyTorch does the same). */
export function defaultBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/** A parameter of the given shape, initialised by PyTorch's default for weights: U(±bound). */
export function uniformParameter(shape: number[], bound: number): Parameter {
  const p = new Parameter(zeros(shape));
  init.uniform(p, -bound, bound);
  return p;
}

/** y = x Wᵀ + b. weight [out, in], bias [out]; PyTorch's default initialisation. */
export class Linear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { bias?: boolean } = {},
  ) {
    super();
    intArg('Linear', 'inFeatures', inFeatures);
    intArg('Linear', 'outFeatures', outFeatures);
    const bound = defaultBound(inFeatures);
    this.weight = this.registerParameter('weight', uniformParameter([outFeatures, inFeatures], bound));
    this.bias = this.registerParameter('bias', options.bias === false ? null : uniformParameter([outFeatures], bound));
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** y = x1ᵀ A x2 + b. weight [out, in1, in2]. */
export class Bilinear extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(
    readonly in1Features: number,
    readonly in2Features: number,
    readonly outFeatures: number,
    options: { bias?: boolean } = {},
  ) {
    super();
    for (const [name, v] of [
      ['in1Features', in1Features],
      ['in2Features', in2Features],
      ['outFeatures', outFeatures],
    ] as const)
      intArg('Bilinear', name, v);
    const bound = defaultBound(in1Features);
    this.weight = this.registerParameter('weight', uniformParameter([outFeatures, in1Features, in2Features], bound));
    this.bias = this.registerParameter('bias', options.bias === false ? null : uniformParameter([outFeatures], bound));
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    return bilinear(x1, x2, this.weight, this.bias);
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}

export class Unflatten extends Module {
  constructor(
    readonly dim: number,
    readonly sizes: number[],
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.unflatten(this.dim, this.sizes);
  }
}
