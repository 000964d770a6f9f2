// Layers over volumes [N, C, D, H, W] (video, medical scans): Conv3d, MaxPool3d, AvgPool3d.
import type { Tensor } from '../../tensor/tensor.js';
import { intArg, checkGroups } from '../functional/args.js';
import {
  type Conv3dOptions,
  type Pool3dOptions,
  type Triple,
  avgPool3d,
  conv3d,
  maxPool3d,
} from '../functional/index.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { convParams } from './conv-params.js';
import { joinRepr, optionsRepr } from './repr.js';

const triple = (v: Triple): [number, number, number] => (typeof v === 'number' ? [v, v, v] : [v[0], v[1], v[2]]);

export class Conv3d extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  readonly kernelSize: [number, number, number];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Triple,
    readonly options: Conv3dOptions & { bias?: boolean } = {},
  ) {
    super();
    intArg('Conv3d', 'inChannels', inChannels, 1);
    intArg('Conv3d', 'outChannels', outChannels, 1);
    this.kernelSize = triple(kernelSize);
    this.kernelSize.forEach((k) => intArg('Conv3d', 'kernelSize', k, 1));
    const groups = checkGroups('Conv3d', inChannels, outChannels, options.groups ?? 1);
    const fanIn = (inChannels / groups) * this.kernelSize.reduce((a, b) => a * b, 1);
    [this.weight, this.bias] = convParams(
      this,
      [outChannels, inChannels / groups, ...this.kernelSize],
      fanIn,
      outChannels,
      options.bias !== false,
    );
  }

  forward(x: Tensor): Tensor {
    const { bias: _bias, ...conv } = this.options;
    return conv3d(x, this.weight, this.bias, conv);
  }

  override extraRepr(): string {
    return joinRepr(
      `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}]`,
      optionsRepr(this.options),
    );
  }
}

export class MaxPool3d extends Module {
  constructor(
    readonly kernelSize: Triple,
    readonly options: Pool3dOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return maxPool3d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return joinRepr(`kernelSize=${JSON.stringify(this.kernelSize)}`, optionsRepr(this.options));
  }
}

export class AvgPool3d extends Module {
  constructor(
    readonly kernelSize: Triple,
    readonly options: Omit<Pool3dOptions, 'dilation'> = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return avgPool3d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    return joinRepr(`kernelSize=${JSON.stringify(this.kernelSize)}`, optionsRepr(this.options));
  }
}
