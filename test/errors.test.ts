import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { throwsTyped } from './helpers/throws.js';

/** Asserts fn throws an error of `type` whose message matches every pattern. */
const m23 = ax.zeros([2, 3]);

describe('shape mistakes raise ShapeError naming the op and the shapes', () => {
  test('broadcasting', () => throwsTyped(() => m23.add(ax.zeros([4])), ax.ShapeError, /^add:/, /\[2, 3\] and \[4\]/));
  test('matmul inner sizes', () =>
    throwsTyped(() => m23.matmul(ax.zeros([4, 5])), ax.ShapeError, /^matmul:/, /\[2, 3\] and \[4, 5\]/, /3 and 4/));
  test('matmul of a 0-d tensor', () => throwsTyped(() => ax.tensor(1).matmul(m23), ax.ShapeError, /matmul/));
  test('reshape to the wrong size', () =>
    throwsTyped(() => m23.reshape(4, 2), ax.ShapeError, /^reshape:/, /\[4, 2\]/, /\[2, 3\]/));
  test('two -1 in a shape', () =>
    throwsTyped(() => m23.reshape(-1, -1), ax.ValueError, /only one dimension can be -1/));
  test('cat of mismatched shapes', () =>
    throwsTyped(() => ax.cat([m23, ax.zeros([2, 4])], 0), ax.ShapeError, /^cat:/, /\[2, 4\]/));
  test('stack of mismatched shapes', () =>
    throwsTyped(() => ax.stack([m23, ax.zeros([3, 2])]), ax.ShapeError, /^stack:/));
  test('expand of a non-singleton dim', () => throwsTyped(() => m23.expand(4, 3), ax.ShapeError, /^expand:/, /size 2/));
  test('split sizes that do not sum up', () =>
    throwsTyped(() => m23.split([1, 1], 1), ax.ShapeError, /^split:/, /sum to 3/));
  test('permute with the wrong number of dims', () => throwsTyped(() => m23.permute(0), ax.ShapeError, /^permute:/));
  test('gather index of the wrong rank', () =>
    throwsTyped(() => m23.gather(1, ax.zeros([2], { dtype: 'int32' })), ax.ShapeError, /^gather:/));
  test('maskedFill mask that does not fit', () =>
    throwsTyped(() => m23.maskedFill(ax.zeros([4, 2, 3], { dtype: 'bool' }), 1), ax.ShapeError, /^maskedFill:/));
  test('ragged nested arrays', () => throwsTyped(() => ax.tensor([[1, 2], [3]]), ax.ShapeError, /ragged/, /\[1\]/));
  test('in-place op whose operand would grow the tensor', () =>
    throwsTyped(() => ax.zeros([3]).add_(ax.zeros([2, 3])), ax.ShapeError, /^add_:/));
  test('tril of a vector', () => throwsTyped(() => ax.zeros([3]).tril(), ax.ShapeError, /^tril:/));
});

describe('dtype mistakes raise DTypeError', () => {
  test('gradients of integer tensors', () =>
    throwsTyped(() => ax.zeros([2], { dtype: 'int32', requiresGrad: true }), ax.DTypeError, /int32/));
  test('where with a non-bool condition', () =>
    throwsTyped(() => ax.where(ax.zeros([2]), 1, 0), ax.DTypeError, /^where:/, /float32/));
  test('float index', () =>
    throwsTyped(() => m23.gather(1, ax.zeros([2, 1])), ax.DTypeError, /^gather: index must be an int32/));
  test('mean of integers', () => throwsTyped(() => ax.arange(3).mean(), ax.DTypeError, /^mean:/));
  test('subtracting bools', () =>
    throwsTyped(() => ax.tensor([true]).sub(ax.tensor([false])), ax.DTypeError, /logicalXor/));
  test('float result stored in place into an int tensor', () =>
    throwsTyped(() => ax.arange(3).add_(0.5), ax.DTypeError, /^add_:/, /float32/, /int32/));
  test('unknown dtype', () =>
    throwsTyped(() => ax.zeros([1], { dtype: 'float16' as ax.DType }), ax.DTypeError, /float16/));
});

describe('out-of-range dims and indices raise IndexError', () => {
  test('dim out of range', () => throwsTyped(() => m23.sum(2), ax.IndexError, /^sum: dim 2/, /rank 2/));
  test('negative dim out of range', () => throwsTyped(() => m23.softmax(-3), ax.IndexError, /^softmax:/));
  test('gather index out of bounds', () =>
    throwsTyped(
      () => m23.gather(1, ax.tensor([[3]], { dtype: 'int32' })),
      ax.IndexError,
      /^gather: index 3/,
      /size 3/,
    ));
  test('scatter index out of bounds, nothing written', () =>
    throwsTyped(() => m23.scatter(0, ax.tensor([[-1]], { dtype: 'int32' }), 1), ax.IndexError, /^scatter: index -1/));
  test('indexSelect out of bounds', () =>
    throwsTyped(() => m23.indexSelect(0, ax.tensor([2], { dtype: 'int32' })), ax.IndexError, /^indexSelect: index 2/));
  test('select out of range', () => throwsTyped(() => m23.select(0, 5), ax.IndexError, /^select: index 5/));
  test('narrow past the end', () => throwsTyped(() => m23.narrow(1, 2, 2), ax.IndexError, /^narrow:/));
  test('oneHot class beyond numClasses', () =>
    throwsTyped(() => ax.oneHot(ax.tensor([4], { dtype: 'int32' }), 3), ax.IndexError, /^oneHot: index 4/));
});

describe('bad values raise ValueError', () => {
  test('negative sizes', () => throwsTyped(() => ax.zeros([2, -1]), ax.ValueError, /^full: invalid shape \[2, -1\]/));
  test('arange that never ends', () => throwsTyped(() => ax.arange(0, 5, -1), ax.ValueError, /^arange:/));
  test('slice with step 0', () => throwsTyped(() => m23.slice(1, 0, 3, 0), ax.ValueError, /^slice: step/));
  test('max over an empty dim', () => throwsTyped(() => ax.zeros([0, 3]).max(0), ax.ValueError, /^max:/));
  test('argmax of an empty tensor', () => throwsTyped(() => ax.zeros([0]).argmax(), ax.ValueError, /^argmax:/));
  test('norm with p ≤ 0', () => throwsTyped(() => m23.norm(0), ax.ValueError, /^norm:/));
  test('gelu with an unknown approximation', () =>
    throwsTyped(() => m23.gelu({ approximate: 'fast' as 'tanh' }), ax.ValueError, /^gelu:/));
  test('item of a tensor with several elements', () =>
    throwsTyped(() => m23.item(), ax.ValueError, /^item:/, /\[2, 3\]/));
  test('randint with an empty range', () => throwsTyped(() => ax.randint(3, 3, [2]), ax.ValueError, /^randint:/));
});

describe('autograd misuse raises AutogradError', () => {
  test('backward of a non-scalar without a gradient', () =>
    throwsTyped(() => ax.ones([2], { requiresGrad: true }).mul(2).backward(), ax.AutogradError, /^backward:/, /\[2\]/));
  test('backward of a tensor that does not require grad', () =>
    throwsTyped(() => ax.ones([1]).backward(), ax.AutogradError, /does not require grad/));
});

describe('backends', () => {
  test('an unknown backend raises BackendError listing the available ones', () =>
    throwsTyped(() => ax.setBackend('cuda'), ax.BackendError, /'cuda'/, /js/));
  test('AXON_BACKEND picks the backend; both can be listed', () => {
    const wanted = process.env['AXON_BACKEND'];
    if (wanted) assert.equal(ax.backendInfo().name, wanted);
    assert.deepEqual(ax.listBackends(), ['js', 'native', 'wasm']);
    assert.throws(() => ax.setNumThreads(0), ax.BackendError);
  });
});
