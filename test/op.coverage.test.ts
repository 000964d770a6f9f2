import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { BINARY } from '../src/ops/binary-table.js';
import { POINTWISE } from '../src/ops/pointwise.js';
import { LAYER_OP_CASES, OP_CASES, SECOND_ORDER_CASES } from './helpers/gradcheck-cases.js';
import { loadFixture } from './helpers/fixtures.js';
import { fixtureOps } from './helpers/kernels.js';

// Every public op — each Tensor method, `ax` function and `nn.functional` function — must have a
// PyTorch fixture (test/fixtures/ops.json, or nn.json for a layer's function) and a finite-difference
// gradient check (test/helpers/gradcheck-cases.ts), unless it is listed below with the reason it needs
// none. The op tables' entries get all their checks from their recipes (pointwise.table, binary.table).
// Backend parity follows: the fixture suite runs on the JS, native and composite passes of `npm test`,
// and the table suites compare the compiled kernels with the JS ones directly.
// A new op without its cases fails here, naming what to add.

/** Names that compute no tensor: data access, autograd control, backends, test helpers. */
const NOT_OPS = new Set([
  ...['grad', 'requiresGrad', 'requiresGrad_', 'isLeaf', 'retainGrad', 'registerPostAccumulateGradHook', 'backward'],
  ...['setData', 'version', 'ndim', 'dim', 'numel', 'size', 'isContiguous', 'item', 'toTypedArray', 'toArray'],
  ...['data', 'dataAsync', 'toArrayAsync', 'itemAsync'],
  ...['allFinite', 'forEachOffset', 'toString', 'broadcastShapes', 'promoteTypes', 'recordOp'],
  ...['enableGrad', 'noGrad', 'isGradEnabled', 'setGradEnabled', 'gradcheck', 'gradgradcheck', 'manualSeed'],
  ...['backendInfo', 'getBackend', 'setBackend', 'listBackends', 'registerBackend', 'setNumThreads', 'initWasm'],
  ...['initWebGpu', 'gpuMemory', 'tidy', 'keep', 'dispose', 'autocast'],
]);

/** Tensors made from sizes, values or random draws: no input to differentiate; tested in tensor.test.ts. */
const CREATION = new Set([
  ...['tensor', 'fromTypedArray', 'zeros', 'ones', 'full', 'eye', 'arange', 'linspace', 'causalMask'],
  ...['zerosLike', 'onesLike', 'fullLike', 'rand', 'randn', 'randLike', 'randnLike', 'randint', 'randperm'],
  ...['normal', 'bernoulli', 'multinomial', 'uniform_', 'normal_', 'fill_', 'zero_'],
]);

/** Another name for a checked op (same function underneath), by the op that carries the checks. */
const ALIASES: Record<string, string> = {
  amax: 'max', // the fixture op 'max' is amax (max(dim) returns indices too: 'maxDim')
  amin: 'min',
  rsub: 'rsubScalar',
  view: 'reshape',
  unflatten: 'reshape',
  t: 'transpose',
  expandAs: 'expand',
  float: 'to',
  double: 'to',
  int: 'to',
  bool: 'to',
  // in-place forms: the same kernels and gradient rules (in-place autograd: autograd.test.ts)
  add_: 'add',
  sub_: 'sub',
  mul_: 'mul',
  div_: 'div',
  clamp_: 'clamp',
  copy_: 'to',
  allclose: 'isclose',
  contiguous: 'clone',
  binaryCrossEntropy: 'BCELoss',
  binaryCrossEntropyWithLogits: 'BCEWithLogits',
  cosineEmbeddingLoss: 'CosineEmbedding',
  hingeEmbeddingLoss: 'HingeEmbedding',
  multiMarginLoss: 'MultiMargin',
  instanceNorm: 'InstanceNorm1d',
  batchNorm: 'BatchNorm1d',
  interpolate: 'Upsample',
  scaledDotProductAttention: 'MultiheadAttention',
  adaptiveAvgPool1d: 'adaptiveAvgPool2d', // the 1-d form runs the 2-d one on a unit height
};

/** Ops without a PyTorch fixture, and why. */
const NO_FIXTURE: Record<string, string> = {
  clone: 'a copy: its values and gradient are the identity (tensor.test.ts checks independence)',
  detach: 'shares data without a graph (autograd.test.ts)',
  addmm: 'add(input, mm(a, b)): both checked against PyTorch; gradcheck covers the composition',
  sliceScatter: 'checked against slicing by hand in tensor.test.ts and by gradcheck',
  dropout: 'random; its statistics and eval identity are tested in nn.module.test.ts',
  dropout2d: 'random; whole-channel masks are tested in nn.module.test.ts',
  lstmCell:
    "the fused cell is checked against its op-by-op definition (gradcheck.test.ts) and PyTorch's LSTM (nn.json)",
};

/** Ops with no gradient to check: integer, bool or index results, or no differentiable input. */
const NOT_DIFFERENTIABLE = new Set([
  ...['argmax', 'argmin', 'argsort', 'any', 'all', 'isclose', 'nonzero', 'bincount', 'histc', 'oneHot'],
  ...['searchsorted', 'unique', 'detach'],
]);

/** Ops whose gradient is checked another way, and how. */
const OTHER_GRADIENT_CHECK: Record<string, string> = {
  to: "its gradient converts back to the input's dtype: checked against PyTorch's in ops.json (to_float64 …)",
  clone: 'the identity: checked in autograd.test.ts',
  lstmCell: 'gradcheck.test.ts: first and second order on the fused kernel',
};

const fixtureNames = fixtureOps();
const layerFixtures = new Set(
  loadFixture<{ cases: { name: string }[] }>('nn.json').cases.map((c) => c.name.split('_')[0]!.toLowerCase()),
);
/** Every word of a gradcheck label that names an op ("crossEntropy with probabilities" → crossEntropy). */
const gradchecked = new Set(
  [...OP_CASES, ...SECOND_ORDER_CASES, ...LAYER_OP_CASES].flatMap(([label]) => label.split(/[\s,/()]+/)),
);
const tables = new Set([...Object.keys(POINTWISE), ...Object.keys(BINARY)]);

const canonical = (name: string) => ALIASES[name] ?? name;
/** An op is covered when it, or the op it aliases, is: a table entry, a checked case or an exemption. */
const covered = (name: string, check: (n: string) => boolean) =>
  [name, canonical(name)].some((n) => tables.has(n) || check(n));
const hasFixture = (name: string) =>
  covered(name, (n) => fixtureNames.has(n) || layerFixtures.has(n.toLowerCase()) || n in NO_FIXTURE);
const hasGradcheck = (name: string) =>
  covered(name, (n) => gradchecked.has(n) || NOT_DIFFERENTIABLE.has(n) || n in OTHER_GRADIENT_CHECK);

const publicOps = (): string[] => {
  const methods = Object.getOwnPropertyNames(ax.Tensor.prototype).filter((n) => n !== 'constructor');
  const functions = Object.keys(ax).filter(
    (k) => typeof (ax as Record<string, unknown>)[k] === 'function' && /^[a-z]/.test(k),
  );
  const names = new Set([...methods, ...functions, ...Object.keys(ax.nn.functional)]);
  return [...names].filter((n) => !NOT_OPS.has(n) && !CREATION.has(n) && !tables.has(n)).sort();
};

describe('op coverage: every public op has a PyTorch fixture and a gradient check', () => {
  const ops = publicOps();
  test('the surface is what this test classifies (sanity: it sees the ops it should)', () => {
    for (const name of ['matmul', 'sum', 'conv2d', 'crossEntropy', 'gather', 'sort'])
      assert.ok(ops.includes(name), name);
    assert.ok(ops.length > 120, `only ${ops.length} ops found`);
  });
  test('a PyTorch fixture for each (ops.json, nn.json) or a reason it has none', () => {
    const missing = ops.filter((n) => !hasFixture(n));
    assert.deepEqual(
      missing,
      [],
      `ops without a PyTorch fixture: add a case to scripts/gen_op_fixtures.py (or gen_nn_fixtures.py), or a reason to NO_FIXTURE: ${missing.join(', ')}`,
    );
  });
  test('a finite-difference gradient check for each differentiable one', () => {
    const missing = ops.filter((n) => !hasGradcheck(n));
    assert.deepEqual(
      missing,
      [],
      `ops without a gradient check: add a case to test/helpers/gradcheck-cases.ts: ${missing.join(', ')}`,
    );
  });
  test('the exemption lists name only real ops (no stale entries)', () => {
    const all = new Set([...ops, ...NOT_OPS, ...CREATION]);
    for (const list of [
      Object.keys(ALIASES),
      Object.keys(NO_FIXTURE),
      [...NOT_DIFFERENTIABLE],
      Object.keys(OTHER_GRADIENT_CHECK),
    ])
      for (const name of list) assert.ok(all.has(name), `'${name}' is listed but is not a public op`);
    for (const name of [...NOT_OPS, ...CREATION])
      assert.ok(name in ax || name in ax.Tensor.prototype || name in ax.nn.functional, `'${name}' is not public`);
  });
});
