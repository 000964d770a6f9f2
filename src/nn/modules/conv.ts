import { joinRepr, optionsRepr } from './repr.js';
import { convParams } from './conv-params.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type Pair, checkGroups, intArg, positivePair } from '../functional/args.js';
import type { ConvOptions } from '../functional/conv.js';
// The public (guarded) functional forms, so an ONNX export trace sees each call.
import { conv1d, conv2d, convTranspose1d, convTranspose2d } from '../functional/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';

export interface ConvLayerOptions extends ConvOptions {
  bias?: boolean;
}

/** Weight [Cout, Cin/groups, ...kernel], PyTorch's default init U(±1/sqrt(fanIn)). */

export class Conv2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly kernelSize: [number, number];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    readonly options: ConvLayerOptions = {},
  ) {
    super();
    intArg('Conv2d', 'inChannels', inChannels, 1);
    intArg('Conv2d', 'outChannels', outChannels, 1);
    const groups = checkGroups('Conv2d', inChannels, outChannels, options.groups ?? 1);
    this.kernelSize = positivePair('Conv2d', 'kernelSize', kernelSize);
    const fanIn = (inChannels / groups) * this.kernelSize[0] * this.kernelSize[1];
    [this.weight, this.bias] = convParams(
      this,
      [outChannels, inChannels / groups, ...this.kernelSize],
      fanIn,
      outChannels,
      options.bias !== false,
    );
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.options);
  }

  override extraRepr(): string {
    return joinRepr(
      `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}]`,
      optionsRepr(this.options),
    );
  }
}

export class Conv1d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    readonly options: ConvLayerOptions = {},
  ) {
    super();
    intArg('Conv1d', 'inChannels', inChannels, 1);
    intArg('Conv1d', 'outChannels', outChannels, 1);
    intArg('Conv1d', 'kernelSize', kernelSize, 1);
    const groups = checkGroups('Conv1d', inChannels, outChannels, options.groups ?? 1);
    [this.weight, this.bias] = convParams(
      this,
      [outChannels, inChannels / groups, kernelSize],
      (inChannels / groups) * kernelSize,
      outChannels,
      options.bias !== false,
    );
  }

  forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, this.options);
  }

  override extraRepr(): string {
    return joinRepr(
      `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}`,
      optionsRepr(this.options),
    );
  }
}

export interface ConvTransposeLayerOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}

/** Weight [Cin, Cout/groups, kh, kw]; PyTorch computes its init fan-in from weight.size(1)·kernel. */
export class ConvTranspose2d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly kernelSize: [number, number];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    readonly options: ConvTransposeLayerOptions = {},
  ) {
    super();
    intArg('ConvTranspose2d', 'inChannels', inChannels, 1);
    intArg('ConvTranspose2d', 'outChannels', outChannels, 1);
    const groups = checkGroups('ConvTranspose2d', inChannels, outChannels, options.groups ?? 1);
    this.kernelSize = positivePair('ConvTranspose2d', 'kernelSize', kernelSize);
    const fanIn = (outChannels / groups) * this.kernelSize[0] * this.kernelSize[1];
    [this.weight, this.bias] = convParams(
      this,
      [inChannels, outChannels / groups, ...this.kernelSize],
      fanIn,
      outChannels,
      options.bias !== false,
    );
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, this.options);
  }
}

export class ConvTranspose1d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    readonly options: ConvTransposeLayerOptions = {},
  ) {
    super();
    intArg('ConvTranspose1d', 'inChannels', inChannels, 1);
    intArg('ConvTranspose1d', 'outChannels', outChannels, 1);
    intArg('ConvTranspose1d', 'kernelSize', kernelSize, 1);
    const groups = checkGroups('ConvTranspose1d', inChannels, outChannels, options.groups ?? 1);
    [this.weight, this.bias] = convParams(
      this,
      [inChannels, outChannels / groups, kernelSize],
      (outChannels / groups) * kernelSize,
      outChannels,
      options.bias !== false,
    );
  }

  forward(x: Tensor): Tensor {
    return convTranspose1d(x, this.weight, this.bias, this.options);
  }
}
