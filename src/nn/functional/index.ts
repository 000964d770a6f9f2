/** nn.functional: the stateless forms of the layers and losses. */
export { linear, bilinear } from './linear.js';
export { conv1d, conv2d, convTranspose1d, convTranspose2d, type ConvOptions, type ConvTransposeOptions } from './conv.js';
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d, type MaxPoolOptions, type AvgPoolOptions } from './pooling.js';
export { batchNorm, layerNorm, groupNorm, type BatchNormOptions } from './normalization.js';
export { dropout, dropout2d, type DropoutOptions } from './dropout.js';
export { embedding } from './embedding.js';
export { scaledDotProductAttention, causalMask, type AttentionOptions } from './attention.js';
export * from './losses.js';
export { relu, leakyRelu, elu, selu, gelu, silu, softplus } from '../../ops/activations.js';
export { sigmoid, tanh } from '../../ops/unary.js';
export { softmax, logSoftmax } from '../../ops/softmax.js';
export { pad } from '../../ops/combine.js';
export { oneHot } from '../../ops/indexing.js';
