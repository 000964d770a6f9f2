/** nn: modules, layers, losses and initialisation with PyTorch's names and semantics. */
export { Module, type StateDict, type ForwardHook, type ForwardPreHook, type HookHandle } from './module.js';
export { Parameter } from './parameter.js';
export { summary } from './summary.js';
export * as functional from './functional/index.js';
export * as init from './init.js';
export * from './modules/containers.js';
export { Linear, Bilinear, Identity, Flatten, Unflatten } from './modules/linear.js';
export * from './modules/activation.js';
export * from './modules/conv.js';
export * from './modules/pooling.js';
export * from './modules/normalization.js';
export * from './modules/dropout.js';
export * from './modules/embedding.js';
export * from './modules/rnn.js';
export * from './modules/attention.js';
export * from './modules/transformer.js';
export * from './modules/positional.js';
export * from './modules/loss.js';
export * from './modules/perceptron.js';
export * from './modules/cells.js';
export * from './modules/resample.js';
export * from './modules/volumetric.js';
export * from './modules/parameter-containers.js';
import * as utilsModule from './utils.js';
import { guardAll } from '../guard.js';
/** nn.utils: parametersToVector, vectorToParameters, weightNorm, clipGradNorm_, clipGradValue_. */
export const utils = guardAll(utilsModule, 'nn.utils.');
