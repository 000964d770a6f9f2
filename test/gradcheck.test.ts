import { describe, test } from 'node:test';
import * as ax from '../src/index.js';

// Every differentiable op against central finite differences in float64 (the pointwise op table's
// entries are checked from their recipes in test/pointwise.table.test.ts). Inputs avoid the
// points where an op is not differentiable (0 for relu/abs, ties for max).

const gen = new ax.Generator(42);
const r = (...shape: number[]) => ax.randn(shape, { dtype: 'float64', generator: gen });
const pos = (...shape: number[]) => ax.rand(shape, { dtype: 'float64', generator: gen }).mul(2).add(0.2);
const away = (...shape: number[]) =>
  r(...shape).add(
    r(...shape)
      .sign()
      .mul(0.1),
  ); // no values near 0
const idx = (data: number[], shape = [data.length]) => ax.tensor(data, { dtype: 'int32', shape });

type Fn = (...xs: ax.Tensor[]) => ax.Tensor;
const CASES: [string, Fn, ax.Tensor[]][] = [
  ['add (broadcast)', (a, b) => a.add(b), [r(2, 3), r(3)]],
  ['sort values', (a) => a.sort(1)[0], [r(3, 5)]],
  ['sort descending dim 0', (a) => a.sort(0, { descending: true })[0], [r(4, 3)]],
  ['topk', (a) => a.topk(2)[0], [r(3, 6)]],
  ['kthvalue', (a) => a.kthvalue(3, 0)[0], [r(5, 2)]],
  ['median', (a) => a.median(), [r(3, 3)]],
  ['median dim', (a) => a.median(1, { keepdim: true })[0], [r(2, 5)]],
  ['cumsum', (a) => a.cumsum(1), [r(3, 4)]],
  ['cumsum dim 0', (a) => a.cumsum(0), [r(4, 2)]],
  ['cumprod', (a) => a.cumprod(1), [r(2, 5)]],
  ['cumprod with a zero', (a) => a.mul(ax.tensor([1, 0, 1, 1], { dtype: 'float64' })).cumprod(0), [r(4)]],
  ['roll', (a) => a.roll([1, -2], [0, 1]), [r(3, 4)]],
  ['diag of a vector', (a) => a.diag(1), [r(3)]],
  ['diag of a matrix', (a) => a.diag(-1), [r(4, 3)]],
  ['trace', (a) => a.trace(), [r(3, 3)]],
  ['nanToNum', (a) => a.nanToNum(), [r(5)]],
  ['mm', (a, b) => ax.mm(a, b), [r(3, 4), r(4, 2)]],
  ['bmm', (a, b) => ax.bmm(a, b), [r(2, 2, 3), r(2, 3, 2)]],
  ['outer', (a, b) => ax.outer(a, b), [r(3), r(2)]],
  ['T', (a) => a.T, [r(2, 3, 4)]],
  ['atan2', (y, x) => ax.atan2(y, x), [r(3, 4), r(4)]],
  ['fmod', (a, b) => a.fmod(b), [r(6), pos(6)]],
  ['remainder', (a, b) => a.remainder(b), [r(6), pos(6)]],
  ['lerp', (a, b, w) => ax.lerp(a, b, w), [r(3), r(3), r(3)]],
  ['maskedSelect', (a) => a.maskedSelect(ax.tensor([true, false, true])), [r(2, 3)]],
  ['maskedScatter', (a, b) => a.maskedScatter(ax.tensor([true, false, true]), b), [r(2, 3), r(5)]],
  ['mode', (a) => a.mode(1)[0], [r(3, 4)]],
  ['einsum', (a, b) => ax.einsum('bij,bkj->bik', a, b), [r(2, 2, 3), r(2, 3, 3)]],
  ['cdist', (a, b) => ax.cdist(a, b), [r(3, 2), r(2, 2)]],
  ['normalize', (a) => ax.nn.functional.normalize(a), [r(3, 4)]],
  ['cosineSimilarity', (a, b) => ax.nn.functional.cosineSimilarity(a, b), [r(3, 4), r(3, 4)]],
  ['pairwiseDistance', (a, b) => ax.nn.functional.pairwiseDistance(a, b), [r(3, 4), r(3, 4)]],
  ['glu', (a) => ax.nn.functional.glu(a, 1), [r(2, 4)]],
  ['mT', (a) => a.mT, [r(2, 3, 4)]],
  ['add alpha', (a, b) => a.add(b, { alpha: -2 }), [r(2, 3), r(2, 3)]],
  ['sub (broadcast)', (a, b) => a.sub(b), [r(2, 1), r(1, 3)]],
  ['mul (broadcast)', (a, b) => a.mul(b), [r(2, 3), r(2, 1)]],
  ['div', (a, b) => a.div(b), [r(2, 3), pos(3)]],
  ['pow tensor', (a, b) => a.pow(b), [pos(2, 3), r(2, 3)]],
  ['pow scalar', (a) => a.pow(3), [r(2, 3)]],
  ['pow fractional', (a) => a.pow(1.5), [pos(4)]],
  ['rpow', (a) => ax.pow(2, a), [r(4)]],
  ['maximum', (a, b) => a.maximum(b), [r(6), r(6)]],
  ['minimum', (a, b) => a.minimum(b), [r(6), r(6)]],
  ['where', (a, b) => ax.where(ax.tensor([true, false, true]), a, b), [r(2, 3), r(3)]],
  ['selu', (a) => a.selu(), [away(6)]],
  ['softmax', (a) => a.softmax(1), [r(3, 4)]],
  ['logSoftmax', (a) => a.logSoftmax(0), [r(3, 4)]],
  ['sum dims', (a) => a.sum([0, 2]), [r(2, 3, 4)]],
  ['sum keepdim', (a) => a.sum(1, { keepdim: true }), [r(2, 3)]],
  ['mean', (a) => a.mean(-1), [r(2, 3)]],
  ['amax', (a) => a.amax(1), [r(3, 4)]],
  ['max dim (values)', (a) => a.max(1)[0], [r(3, 4)]],
  ['min dim keepdim (values)', (a) => a.min(0, { keepdim: true })[0], [r(3, 4)]],
  ['min all', (a) => a.min(), [r(3, 4)]],
  ['prod', (a) => a.prod(1), [r(3, 4)]],
  ['prod with a zero', (a) => a.mul(ax.tensor([1, 0, 1, 1], { dtype: 'float64' })).prod(), [r(4)]],
  ['var', (a) => a.var(1), [r(3, 4)]],
  ['std biased', (a) => a.std(0, { correction: 0 }), [r(3, 4)]],
  ['logsumexp', (a) => a.logsumexp(1), [r(3, 4)]],
  ['norm 2', (a) => a.norm(), [r(3, 4)]],
  ['norm 1', (a) => a.norm(1, 1), [away(3, 4)]],
  ['norm 3', (a) => a.norm(3, 0), [r(3, 4)]],
  ['norm inf', (a) => a.norm(Infinity, 1), [r(3, 4)]],
  ['matmul 2d', (a, b) => a.matmul(b), [r(2, 3), r(3, 4)]],
  ['matmul dot', (a, b) => a.matmul(b), [r(3), r(3)]],
  ['matmul batched broadcast', (a, b) => a.matmul(b), [r(2, 1, 2, 3), r(3, 3, 2)]],
  ['matmul vec-mat', (a, b) => a.matmul(b), [r(3), r(2, 3, 4)]],
  ['addmm (broadcast input)', (c, a, b) => ax.addmm(c, a, b), [r(4), r(3, 2), r(2, 4)]],
  ['cat', (a, b) => ax.cat([a, b], 1), [r(2, 3), r(2, 2)]],
  ['stack', (a, b) => ax.stack([a, b], 0), [r(2, 3), r(2, 3)]],
  [
    'split',
    (a) => {
      const [p, q] = a.split([1, 2], 1);
      return p!.mul(2).sum().add(q!.mul(q!).sum());
    },
    [r(2, 3)],
  ],
  ['chunk', (a) => a.chunk(2, 0)[1]!.exp(), [r(5, 2)]],
  ['flip', (a) => a.flip([0, 1]).mul(ax.arange(6).reshape(2, 3)), [r(2, 3)]],
  ['pad', (a) => a.pad([1, 2, 0, 1], { value: 3 }), [r(2, 3)]],
  ['pad crop', (a) => a.pad([-1, 1]), [r(2, 3)]],
  ['repeat', (a) => a.repeat(2, 1, 3), [r(2, 2)]],
  ['tril', (a) => a.tril(), [r(3, 3)]],
  ['triu', (a) => a.triu(1), [r(2, 3, 4)]],
  ['gather', (a) => a.gather(1, idx([0, 2, 2, 1], [2, 2])), [r(2, 3)]],
  ['scatter', (a, b) => a.scatter(1, idx([0, 2], [2, 1]), b), [r(2, 3), r(2, 1)]],
  ['scatterAdd', (a, b) => a.scatterAdd(0, idx([0, 1, 0, 0], [2, 2]), b), [r(2, 2), r(2, 2)]],
  ['indexSelect', (a) => a.indexSelect(0, idx([2, 0, 2])), [r(3, 2)]],
  ['maskedFill', (a) => a.maskedFill(ax.tensor([true, false, false]), 7), [r(2, 3)]],
  ['reshape of a transpose', (a) => a.t().reshape(6), [r(2, 3)]],
  ['permute', (a) => a.permute(2, 0, 1), [r(2, 3, 4)]],
  ['expand', (a) => a.expand(2, 3, 4), [r(3, 1)]],
  ['squeeze/unsqueeze', (a) => a.unsqueeze(0).squeeze(), [r(1, 3)]],
  ['slice with step', (a) => a.slice(1, 1, null, 2), [r(2, 6)]],
  ['narrow', (a) => a.narrow(0, 1, 2), [r(4, 2)]],
  ['select', (a) => a.select(1, -1), [r(2, 3)]],
  ['sliceScatter', (a, b) => ax.sliceScatter(a, b, 1, 0, 4, 2), [r(2, 4), r(2, 2)]],
  ['a composite: tanh(x W + b) softmax', (x, w, b) => x.matmul(w).add(b).tanh().softmax(-1), [r(2, 3), r(3, 4), r(4)]],
];

describe('gradcheck: autograd agrees with finite differences (float64)', () => {
  for (const [name, fn, inputs] of CASES)
    test(name, () => {
      ax.gradcheck(fn, inputs);
    });
});

// Second derivatives where PyTorch defines them (backward rules are built of differentiable ops).
const SECOND: [string, Fn, ax.Tensor[]][] = [
  ['mul', (a, b) => a.mul(b), [r(3), r(3)]],
  ['div', (a, b) => a.div(b), [r(3), pos(3)]],
  ['exp/log', (a) => a.exp().add(a.abs().add(1).log()), [away(4)]],
  ['softmax', (a) => a.softmax(1), [r(2, 3)]],
  ['logSoftmax', (a) => a.logSoftmax(1), [r(2, 3)]],
  ['matmul', (a, b) => a.matmul(b), [r(2, 3), r(3, 2)]],
  ['pow tensor', (a, b) => a.pow(b), [pos(3), r(3)]],
  ['prod', (a) => a.prod(1), [r(2, 3)]],
  ['norm', (a) => a.norm(2, 1), [r(2, 3)]],
  ['var/std', (a) => a.std(1).add(a.var(0).sum()), [r(3, 4)]],
  ['logsumexp', (a) => a.logsumexp(1), [r(2, 3)]],
];

describe('gradgradcheck: gradients of gradients (createGraph)', () => {
  for (const [name, fn, inputs] of SECOND)
    test(name, () => {
      ax.gradgradcheck(fn, inputs);
    });
});

describe('gradcheck: fused LSTM cell (kernel backward and the composite one under createGraph)', () => {
  test('first order', () => {
    ax.gradcheck((g, c) => ax.lstmCell(g, c), [r(3, 8), r(3, 2)]);
  });
  test('second order', () => {
    ax.gradgradcheck((g, c) => ax.lstmCell(g, c), [r(2, 4), r(2, 1)]);
  });
  test('matches the cell written with ops', () => {
    const g = r(3, 8),
      c = r(3, 2);
    const H = 2;
    const i = g.narrow(1, 0, H).sigmoid(),
      f = g.narrow(1, H, H).sigmoid(),
      gg = g.narrow(1, 2 * H, H).tanh(),
      o = g.narrow(1, 3 * H, H).sigmoid();
    const cn = f.mul(c).add(i.mul(gg));
    const expected = ax.cat([o.mul(cn.tanh()), cn], 1);
    const got = ax.lstmCell(g, c);
    if (got.sub(expected).abs().max().item() > 1e-12) throw new Error('lstmCell differs from its definition');
  });
});
