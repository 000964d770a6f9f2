/**
 * Axon: tensors, automatic differentiation and neural networks for TypeScript.
 *
 *   import * as ax from 'axon';
 *   const x = ax.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 *   x.matmul(x).tanh().sum().backward();
 */
import './ops/methods.js';

export { Tensor, Storage } from './tensor/tensor.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export { promoteTypes } from './tensor/dtype.js';
export { broadcastShapes } from './tensor/shape.js';
export { broadcastView } from './ops/util.js';
export { Generator, manualSeed, defaultGenerator } from './tensor/random.js';
export * from './tensor/create.js';
export * from './errors.js';

export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd/grad-mode.js';
export { grad, type BackwardOptions, type GradOptions } from './autograd/engine.js';
export { record as recordOp } from './autograd/record.js';
export type { BackwardFn } from './autograd/node.js';
export { gradcheck, gradgradcheck, type GradcheckOptions } from './testing/gradcheck.js';

export { setBackend, getBackend, registerBackend, listBackends, backendInfo, setNumThreads } from './backend/index.js';
export type { Backend, View, UnaryOp, BinaryOp, ReduceOp } from './backend/index.js';

export type { TensorLike } from './ops/util.js';
export { to } from './ops/cast.js';
export * from './ops/unary.js';
export * from './ops/activations.js';
export * from './ops/binary.js';
export { sum, mean, max, min, prod, argmax, argmin, variance as var, std, logsumexp, norm } from './ops/reduce.js';
export type { ReduceOptions, VarOptions } from './ops/reduce.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { matmul, addmm } from './ops/matmul.js';
export * from './ops/views.js';
export * from './ops/combine.js';
export * from './ops/indexing.js';

export * as nn from './nn/index.js';
export { lstmCell } from './ops/lstm-cell.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * as train from './train/index.js';
export * as io from './io/index.js';
