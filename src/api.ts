/**
 * Axon: tensors, automatic differentiation and neural networks for TypeScript.
 *
 *   import * as ax from 'axon';
 *   const x = ax.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 *   x.matmul(x).tanh().sum().backward();
 */
import './ops/methods.js';
import * as engine from './autograd/engine.js';
import * as recordModule from './autograd/record.js';
import * as backend from './backend/index.js';
import { guardAll } from './guard.js';
import * as activations from './ops/activations.js';
import * as binary from './ops/binary.js';
import * as cast from './ops/cast.js';
import * as combine from './ops/combine.js';
import * as indexing from './ops/indexing.js';
import * as lstmCellModule from './ops/lstm-cell.js';
import * as matmulModule from './ops/matmul.js';
import * as reduce from './ops/reduce.js';
import * as softmaxModule from './ops/softmax.js';
import * as pointwiseModule from './ops/pointwise.js';
import * as views from './ops/views.js';
import * as sorting from './ops/sorting.js';
import * as scan from './ops/scan.js';
import * as logical from './ops/logical.js';
import * as rollModule from './ops/roll.js';
import * as linalg from './ops/linalg.js';
import * as sampling from './ops/sampling.js';
import * as lerpModule from './ops/lerp.js';
import * as selection from './ops/selection.js';
import * as einsumModule from './ops/einsum.js';
import * as distance from './nn/functional/distance.js';
import * as create from './tensor/create.js';
import * as dtype from './tensor/dtype.js';
import * as shape from './tensor/shape.js';

export { Tensor, Storage } from './tensor/tensor.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export { Generator, manualSeed, defaultGenerator } from './tensor/random.js';
export {
  AxonError,
  ShapeError,
  DTypeError,
  ValueError,
  IndexError,
  AutogradError,
  BackendError,
  FormatError,
  IOError,
  OnnxError,
  DistributedError,
} from './errors.js';
export type { CreateOptions, RandomOptions, NestedArray } from './tensor/create.js';
export type { BackwardOptions, GradOptions } from './autograd/engine.js';
export type { BackwardFn } from './autograd/node.js';
export type { GradcheckOptions } from './testing/gradcheck.js';
export type { Backend, View, UnaryOp, BinaryOp, ReduceOp } from './backend/index.js';
export type { TensorLike } from './ops/util.js';
export type { ReduceOptions, VarOptions } from './ops/reduce.js';
export type { SortOptions, TopkOptions, KeepdimOptions } from './ops/sorting.js';
export type { CloseOptions, NanToNumOptions } from './ops/logical.js';
export type { MultinomialOptions } from './ops/sampling.js';
export type { UniqueResult } from './ops/selection.js';

// Every public function below is guarded (src/guard.ts): whatever a plain JavaScript caller passes,
// the error is one of Axon's types. This list is the public API; tests/api.surface.test.ts keeps it.
export const { promoteTypes } = guardAll(dtype);
export const { broadcastShapes } = guardAll(shape);
export const {
  tensor,
  fromTypedArray,
  full,
  zeros,
  ones,
  arange,
  linspace,
  eye,
  rand,
  randn,
  randint,
  randperm,
  zerosLike,
  onesLike,
  fullLike,
  randLike,
  randnLike,
} = guardAll(create);
// Functions that run user callbacks are not guarded (a user's own TypeError must pass unchanged): they check their arguments.
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd/grad-mode.js';
export const { grad } = guardAll(engine);
export const { recordCustom: recordOp } = guardAll(recordModule);
export { gradcheck, gradgradcheck } from './testing/gradcheck.js';
export const { setBackend, getBackend, registerBackend, listBackends, backendInfo, setNumThreads } = guardAll(backend);
// Async, and throws only BackendError: not guarded (a guard would not see its rejection).
export { initWasm, type WasmSource } from './backend/wasm/init.js';
export { initWebGpu, gpuMemory } from './backend/webgpu/init.js';
export type { GpuMemoryStats } from './backend/webgpu/memory.js';
export { tidy, keep } from './tensor/scope.js';
export { autocast } from './ops/autocast.js';
export const { to } = guardAll(cast);
// The pointwise op table's functions (src/ops/pointwise.ts): a new entry adds its name here.
export const {
  neg,
  abs,
  sign,
  exp,
  expm1,
  log,
  log1p,
  sqrt,
  rsqrt,
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  sinh,
  cosh,
  log2,
  log10,
  isinf,
  isfinite,
  tanh,
  sigmoid,
  erf,
  reciprocal,
  square,
  floor,
  ceil,
  round,
  clamp,
  isnan,
  logicalNot,
  relu,
  leakyRelu,
  elu,
  gelu,
  silu,
  mish,
  softplus,
  hardtanh,
  relu6,
  hardsigmoid,
  hardswish,
  logsigmoid,
  softsign,
} = guardAll(pointwiseModule.pointwise);
export const { selu } = guardAll(activations);
export const {
  add,
  sub,
  rsub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  logicalAnd,
  logicalOr,
  logicalXor,
  atan2,
  fmod,
  remainder,
  where,
} = guardAll(binary);
export const { sum, mean, max, min, amax, amin, prod, argmax, argmin, std, logsumexp, norm } = guardAll(reduce);
const { variance } = guardAll(reduce);
export { variance as var };
export const { softmax, logSoftmax } = guardAll(softmaxModule);
export const { matmul, addmm } = guardAll(matmulModule);
export const {
  view,
  reshape,
  flatten,
  unflatten,
  permute,
  transpose,
  t,
  expand,
  squeeze,
  unsqueeze,
  slice,
  narrow,
  select,
  sliceScatter,
  contiguous,
  clone,
  detach,
} = guardAll(views);
export const { cat, stack, split, chunk, flip, pad, repeat } = guardAll(combine);
export const { gather, scatter, scatterAdd, indexSelect, maskedFill, oneHot, tril, triu } = guardAll(indexing);
export const { lstmCell } = guardAll(lstmCellModule);
export const { sort, argsort, topk, kthvalue, median, mode } = guardAll(sorting);
export const { cumsum, cumprod } = guardAll(scan);
export const { any, all, isclose, allclose, nanToNum } = guardAll(logical);
export const { roll } = guardAll(rollModule);
export const { mm, bmm, outer, diag, trace } = guardAll(linalg);
export const { multinomial, bernoulli, normal } = guardAll(sampling);
export const { lerp } = guardAll(lerpModule);
export const { nonzero, maskedSelect, maskedScatter, unique, bincount, histc, searchsorted } = guardAll(selection);
export const { einsum } = guardAll(einsumModule);
export const { cdist } = guardAll(distance);

export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * as train from './train/index.js';
export * as io from './io/index.js';
export * as onnx from './onnx/index.js';
export * as explain from './explain/index.js';
export * as fairness from './fairness/index.js';
export * as monitor from './monitor/index.js';
