import { optionsArg, show } from '../../check.js';
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { intArg } from '../functional/args.js';
import { ones, zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { batchNorm, groupNorm, instanceNorm, layerNorm } from '../functional/index.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

export interface BatchNormOptions {
  eps?: number;
  /** null: cumulative moving average of all batches. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/** The base of BatchNorm1d, BatchNorm2d and SyncBatchNorm: weights, running statistics, and their forward. */
export abstract class BatchNormBase extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;

  constructor(
    readonly numFeatures: number,
    readonly options: BatchNormOptions = {},
  ) {
    super();
    intArg(this.constructor.name, 'numFeatures', numFeatures, 1);
    optionsArg(this.constructor.name, options);
    const affine = options.affine ?? true;
    this.weight = this.registerParameter('weight', affine ? new Parameter(ones([numFeatures])) : null);
    this.bias = this.registerParameter('bias', affine ? new Parameter(zeros([numFeatures])) : null);
    const track = options.trackRunningStats ?? true;
    this.runningMean = this.registerBuffer('running_mean', track ? zeros([numFeatures]) : null);
    this.runningVar = this.registerBuffer('running_var', track ? ones([numFeatures]) : null);
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', track ? zeros([], { dtype: 'int32' }) : null);
  }

  protected abstract checkRank(x: Tensor): void;

  forward(x: Tensor): Tensor {
    this.checkRank(x);
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: this.training || this.runningMean === null,
      momentum: this.options.momentum === undefined ? 0.1 : this.options.momentum,
      eps: this.options.eps ?? 1e-5,
      numBatchesTracked: this.training ? this.numBatchesTracked : null,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.options.eps ?? 1e-5}, momentum=${this.options.momentum === undefined ? 0.1 : this.options.momentum}`;
  }
}

/** Batch norm over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNormBase {
  protected checkRank(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3)
      throw new ShapeError(`BatchNorm1d: expected 2-D or 3-D input ([N, C] or [N, C, L]), got ${fmtShape(x.shape)}`);
  }
}

/** Batch norm over [N, C, H, W]. */
export class BatchNorm2d extends BatchNormBase {
  protected checkRank(x: Tensor): void {
    if (x.ndim !== 4) throw new ShapeError(`BatchNorm2d: expected 4-D input [N, C, H, W], got ${fmtShape(x.shape)}`);
  }
}

export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(
    normalizedShape: number | number[],
    readonly options: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {},
  ) {
    super();
    optionsArg('LayerNorm', options);
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape))
      throw new ValueError(
        `LayerNorm: normalizedShape must be a size or a list of sizes, got ${show(normalizedShape)}`,
      );
    shape.forEach((d) => intArg('LayerNorm', 'normalizedShape', d, 1));
    this.normalizedShape = [...shape];
    const affine = options.elementwiseAffine ?? true;
    this.weight = this.registerParameter('weight', affine ? new Parameter(ones(this.normalizedShape)) : null);
    this.bias = this.registerParameter(
      'bias',
      affine && options.bias !== false ? new Parameter(zeros(this.normalizedShape)) : null,
    );
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.options.eps ?? 1e-5);
  }

  override extraRepr(): string {
    return `[${this.normalizedShape}], eps=${this.options.eps ?? 1e-5}`;
  }
}

export class GroupNorm extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    readonly options: { eps?: number; affine?: boolean } = {},
  ) {
    super();
    if (numChannels % numGroups !== 0)
      throw new ShapeError(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    const affine = options.affine ?? true;
    this.weight = this.registerParameter('weight', affine ? new Parameter(ones([numChannels])) : null);
    this.bias = this.registerParameter('bias', affine ? new Parameter(zeros([numChannels])) : null);
  }

  forward(x: Tensor): Tensor {
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.options.eps ?? 1e-5);
  }
}

/** InstanceNorm1d / 2d: each sample's each channel normalised over its positions (affine off by default, as PyTorch). */
abstract class InstanceNormBase extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;

  constructor(
    private readonly rank: number,
    readonly numFeatures: number,
    readonly options: { eps?: number; affine?: boolean; trackRunningStats?: false } = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1)
      throw new ValueError(`${this.constructor.name}: numFeatures must be a positive integer, got ${numFeatures}`);
    if ((options as { trackRunningStats?: boolean }).trackRunningStats)
      throw new ValueError(
        `${this.constructor.name}: running statistics are not supported (trackRunningStats must be false)`,
      );
    const affine = options.affine ?? false;
    this.weight = this.registerParameter('weight', affine ? new Parameter(ones([numFeatures])) : null);
    this.bias = this.registerParameter('bias', affine ? new Parameter(zeros([numFeatures])) : null);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== this.rank || x.shape[1] !== this.numFeatures)
      throw new ShapeError(
        `${this.constructor.name}: expected [N, ${this.numFeatures}, ${this.rank === 3 ? 'L' : 'H, W'}], got ${fmtShape(x.shape)}`,
      );
    return instanceNorm(x, { weight: this.weight, bias: this.bias, eps: this.options.eps });
  }
}

export class InstanceNorm1d extends InstanceNormBase {
  constructor(numFeatures: number, options: { eps?: number; affine?: boolean; trackRunningStats?: false } = {}) {
    super(3, numFeatures, options);
  }
}

export class InstanceNorm2d extends InstanceNormBase {
  constructor(numFeatures: number, options: { eps?: number; affine?: boolean; trackRunningStats?: false } = {}) {
    super(4, numFeatures, options);
  }
}
