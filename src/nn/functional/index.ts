/** nn.functional: the stateless forms of the layers and losses. Every function is guarded (src/guard.ts). */
import { guardAll } from '../../guard.js';
import * as activations from '../../ops/activations.js';
import * as combine from '../../ops/combine.js';
import * as indexing from '../../ops/indexing.js';
import * as softmaxModule from '../../ops/softmax.js';
import * as pointwiseModule from '../../ops/pointwise.js';
import * as unary from '../../ops/unary.js';
import * as attention from './attention.js';
import * as conv from './conv.js';
import * as dropoutModule from './dropout.js';
import * as embeddingModule from './embedding.js';
import * as linearModule from './linear.js';
import * as losses from './losses.js';
import * as normalization from './normalization.js';
import * as interpolateModule from './interpolate.js';
import * as pooling from './pooling.js';
import * as resample from './resample.js';
import * as distance from './distance.js';
import * as volumetric from './volumetric.js';

export type { ConvOptions, ConvTransposeOptions } from './conv.js';
export type { MaxPoolOptions, AvgPoolOptions } from './pooling.js';
export type { BatchNormOptions } from './normalization.js';
export type { DropoutOptions } from './dropout.js';
export type { AttentionOptions } from './attention.js';
export type { Reduction } from './args.js';
export type { InterpolateOptions } from './interpolate.js';
export type { Conv3dOptions, Pool3dOptions, Triple } from './volumetric.js';

export const { linear, bilinear } = guardAll(linearModule, 'functional.');
export const { conv1d, conv2d, convTranspose1d, convTranspose2d } = guardAll(conv, 'functional.');
export const {
  maxPool1d,
  maxPool2d,
  avgPool1d,
  avgPool2d,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
} = guardAll(pooling, 'functional.');
export const { conv3d, maxPool3d, avgPool3d } = guardAll(volumetric, 'functional.');
export const { batchNorm, layerNorm, groupNorm, instanceNorm } = guardAll(normalization, 'functional.');
export const { dropout, dropout2d } = guardAll(dropoutModule, 'functional.');
export const { embedding } = guardAll(embeddingModule, 'functional.');
export const { scaledDotProductAttention, causalMask } = guardAll(attention, 'functional.');
export const {
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  nllLoss,
  crossEntropy,
  hingeEmbeddingLoss,
  multiMarginLoss,
  klDiv,
  cosineEmbeddingLoss,
} = guardAll(losses, 'functional.');
export const { relu, leakyRelu, elu, selu, gelu, silu, softplus } = guardAll(activations, 'functional.');
export const { sigmoid, tanh } = guardAll(unary, 'functional.');
export const { softmax, logSoftmax } = guardAll(softmaxModule, 'functional.');
export const { pad } = guardAll(combine, 'functional.');
export const { interpolate } = guardAll(interpolateModule, 'functional.');
export const { pixelShuffle, pixelUnshuffle, prelu } = guardAll(resample, 'functional.');
export const { normalize, cosineSimilarity, pairwiseDistance, glu } = guardAll(distance, 'functional.');
export const { oneHot } = guardAll(indexing, 'functional.');
export const { mish, hardtanh, relu6, hardsigmoid, hardswish, logsigmoid, softsign } = guardAll(
  pointwiseModule.pointwise,
  'functional.',
);
