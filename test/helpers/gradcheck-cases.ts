import * as ax from '../../src/index.js';

// The gradient-check cases of the ops outside the op tables, by op: each label starts with the name of
// the function or method it checks (test/op.coverage.test.ts reads the labels to find ops without one).
// test/gradcheck.test.ts and test/nn.gradcheck.test.ts run them against finite differences in float64.
// Inputs avoid the points where an op is not differentiable (0 for relu/abs, ties for max).

const { nn } = ax;
const F = nn.functional;
export type Fn = (...xs: ax.Tensor[]) => ax.Tensor;
export type GradCase = [label: string, fn: Fn, inputs: ax.Tensor[]];

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

/** Tensor ops, first order. */
export const OP_CASES: GradCase[] = [
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
  ['pow scalar', (a) => a.pow(3), [r(2, 3)]],
  ['pow fractional', (a) => a.pow(1.5), [pos(4)]],
  ['rpow', (a) => ax.pow(2, a), [r(4)]],
  ['where', (a, b) => ax.where(ax.tensor([true, false, true]), a, b), [r(2, 3), r(3)]],
  ['selu', (a) => a.selu(), [away(6)]],
  ['softmax', (a) => a.softmax(1), [r(3, 4)]],
  ['logSoftmax', (a) => a.logSoftmax(0), [r(3, 4)]],
  ['sum dims', (a) => a.sum([0, 2]), [r(2, 3, 4)]],
  ['sum keepdim', (a) => a.sum(1, { keepdim: true }), [r(2, 3)]],
  ['mean', (a) => a.mean(-1), [r(2, 3)]],
  ['amax', (a) => a.amax(1), [r(3, 4)]],
  ['amin keepdim', (a) => a.amin([0, 1], { keepdim: true }), [r(3, 4)]],
  ['flatten', (a) => a.flatten(1).mul(ax.arange(12).double()), [r(2, 3, 4)]],
  ['transpose', (a) => a.transpose(0, 2).mul(ax.arange(4).double()), [r(4, 3, 2)]],
  ['rsub', (a) => a.rsub(2).mul(a), [r(3)]],
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

// Second derivatives where PyTorch defines them (backward rules are built of differentiable ops).
export const SECOND_ORDER_CASES: GradCase[] = [
  ['exp/log', (a) => a.exp().add(a.abs().add(1).log()), [away(4)]],
  ['softmax', (a) => a.softmax(1), [r(2, 3)]],
  ['logSoftmax', (a) => a.logSoftmax(1), [r(2, 3)]],
  ['matmul', (a, b) => a.matmul(b), [r(2, 3), r(3, 2)]],
  ['prod', (a) => a.prod(1), [r(2, 3)]],
  ['norm', (a) => a.norm(2, 1), [r(2, 3)]],
  ['var/std', (a) => a.std(1).add(a.var(0).sum()), [r(3, 4)]],
  ['logsumexp', (a) => a.logsumexp(1), [r(2, 3)]],
];

const genLayers = new ax.Generator(7);
const rl = (...shape: number[]) => ax.randn(shape, { dtype: 'float64', generator: genLayers });
/** The ops added for layers (nn.functional), weights as inputs too. */
export const LAYER_OP_CASES: GradCase[] = [
  ['linear', (x, w, b) => F.linear(x, w, b), [rl(2, 3, 4), rl(5, 4), rl(5)]],
  ['bilinear', (x, y, w, b) => F.bilinear(x, y, w, b), [rl(3, 2), rl(3, 4), rl(2, 2, 4), rl(2)]],
  [
    'conv2d padding stride',
    (x, w, b) => F.conv2d(x, w, b, { padding: 1, stride: 2 }),
    [rl(2, 2, 5, 4), rl(3, 2, 3, 3), rl(3)],
  ],
  [
    'conv2d groups dilation',
    (x, w) => F.conv2d(x, w, null, { groups: 2, dilation: 2 }),
    [rl(1, 4, 5, 5), rl(2, 2, 2, 2)],
  ],
  [
    'conv3d stride padding dilation groups',
    (x, w, b) => F.conv3d(x, w, b, { stride: [2, 1, 1], padding: [1, 0, 1], dilation: [1, 2, 1], groups: 2 }),
    [rl(1, 4, 4, 5, 3), rl(2, 2, 2, 2, 2), rl(2)],
  ],
  ['pixelShuffle', (x) => F.pixelShuffle(x, 2), [rl(1, 8, 2, 3)]],
  ['pixelUnshuffle', (x) => F.pixelUnshuffle(x, 2), [rl(1, 2, 4, 2)]],
  ['prelu per channel', (x, w) => F.prelu(x.add(x.sign().mul(0.1)), w), [rl(2, 3, 4), rl(3)]],
  ['instanceNorm affine', (x, w, b) => F.instanceNorm(x, { weight: w, bias: b }), [rl(2, 3, 5), rl(3), rl(3)]],
  ['interpolate bilinear', (x) => F.interpolate(x, { size: [5, 3], mode: 'bilinear' }), [rl(1, 2, 3, 4)]],
  [
    'interpolate bilinear alignCorners',
    (x) => F.interpolate(x, { scaleFactor: 1.7, mode: 'bilinear', alignCorners: true }),
    [rl(1, 1, 3, 3)],
  ],
  ['interpolate nearest', (x) => F.interpolate(x, { scaleFactor: [2, 3], mode: 'nearest' }), [rl(2, 1, 2, 2)]],
  ['interpolate trilinear', (x) => F.interpolate(x, { size: [3, 2, 3], mode: 'trilinear' }), [rl(1, 1, 2, 3, 2)]],
  ['maxPool3d', (x) => F.maxPool3d(x, [2, 2, 2], { stride: 1, padding: [1, 0, 1] }), [rl(1, 2, 3, 3, 3)]],
  ['maxPool3d ceil', (x) => F.maxPool3d(x, 2, { ceilMode: true }), [rl(1, 1, 3, 3, 5)]],
  [
    'avgPool3d without padding in the count',
    (x) => F.avgPool3d(x, [2, 3, 2], { stride: [1, 2, 2], padding: 1, countIncludePad: false }),
    [rl(2, 2, 3, 4, 4)],
  ],
  [
    'conv2d depthwise (multiplier 2, stride, padding, dilation)',
    (x, w, b) => F.conv2d(x, w, b, { groups: 3, padding: [1, 2], stride: [2, 1], dilation: [1, 2] }),
    [rl(2, 3, 5, 6), rl(6, 1, 3, 2), rl(6)],
  ],
  ['conv2d 1×1', (x, w, b) => F.conv2d(x, w, b), [rl(2, 3, 4, 5), rl(4, 3, 1, 1), rl(4)]],
  ['conv2d same', (x, w) => F.conv2d(x, w, null, { padding: 'same' }), [rl(1, 1, 4, 4), rl(2, 1, 2, 3)]],
  ['conv1d', (x, w, b) => F.conv1d(x, w, b, { padding: 1 }), [rl(2, 2, 6), rl(3, 2, 3), rl(3)]],
  [
    'convTranspose2d',
    (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }),
    [rl(1, 2, 3, 3), rl(2, 3, 3, 3), rl(3)],
  ],
  [
    'convTranspose1d groups',
    (x, w) => F.convTranspose1d(x, w, null, { stride: 2, groups: 2 }),
    [rl(1, 4, 4), rl(4, 1, 3)],
  ],
  ['maxPool2d', (x) => F.maxPool2d(x, 2, { stride: 1, padding: 1 }), [rl(1, 2, 4, 4)]],
  ['maxPool1d', (x) => F.maxPool1d(x, 3, { stride: 2 }), [rl(2, 2, 7)]],
  ['adaptiveMaxPool1d', (x) => F.adaptiveMaxPool1d(x, 3), [rl(2, 2, 7)]],
  ['adaptiveMaxPool2d', (x) => F.adaptiveMaxPool2d(x, [2, 3]), [rl(1, 2, 5, 4)]],
  ['adaptiveAvgPool1d', (x) => F.adaptiveAvgPool1d(x, 3), [rl(2, 2, 7)]],
  [
    'avgPool2d exclude padding',
    (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
    [rl(1, 2, 5, 5)],
  ],
  ['avgPool1d', (x) => F.avgPool1d(x, 2), [rl(1, 2, 6)]],
  ['adaptiveAvgPool2d', (x) => F.adaptiveAvgPool2d(x, [2, 3]), [rl(1, 2, 5, 4)]],
  [
    'batchNorm (batch statistics)',
    (x, w, b) => F.batchNorm(x, null, null, w, b, { training: true }),
    [rl(4, 3, 2), rl(3), rl(3)],
  ],
  [
    'batchNorm (running statistics)',
    (x, w) =>
      F.batchNorm(x, ax.zeros([3], { dtype: 'float64' }).add(0.5), ax.ones([3], { dtype: 'float64' }).mul(2), w, null, {
        training: false,
      }),
    [rl(4, 3), rl(3)],
  ],
  ['layerNorm', (x, w, b) => F.layerNorm(x, [4], w, b), [rl(3, 4), rl(4), rl(4)]],
  ['groupNorm', (x, w, b) => F.groupNorm(x, 2, w, b), [rl(2, 4, 3), rl(4), rl(4)]],
  // (With paddingIdx the padding row deliberately gets no gradient, so it is tested in nn.module.test.ts.)
  ['embedding', (w) => F.embedding(idx([1, 0, 3, 1]), w), [rl(4, 3)]],
  ['dropout in eval mode is the identity', (x) => F.dropout(x, 0.3, { training: false }), [rl(5)]],
  // a fixed generator draws the same channel mask in every evaluation, so the finite differences see one function
  [
    'dropout2d in training, a fixed mask',
    (x) => F.dropout2d(x, 0.5, { training: true, generator: new ax.Generator(3) }),
    [rl(2, 4, 2, 2)],
  ],
  [
    'scaledDotProductAttention with masks',
    (q, k, v) =>
      F.scaledDotProductAttention(q, k, v, {
        attnMask: ax.tensor([
          [false, true, false],
          [false, false, false],
        ]),
        keyPaddingMask: ax.tensor([[false, false, true]]),
      })[0],
    [rl(1, 2, 2, 4), rl(1, 2, 3, 4), rl(1, 2, 3, 4)],
  ],
  [
    'scaledDotProductAttention, causal',
    (q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true })[0],
    [rl(1, 1, 3, 2), rl(1, 1, 3, 2), rl(1, 1, 3, 2)],
  ],
  [
    'crossEntropy, weights and smoothing',
    (x, w) => F.crossEntropy(x, idx([0, 2, 1, 2]), { weight: w.abs(), labelSmoothing: 0.1 }),
    [rl(4, 3), rl(3)],
  ],
  ['crossEntropy with probabilities', (x, t) => F.crossEntropy(x, t.softmax(1)), [rl(3, 4), rl(3, 4)]],
  ['nllLoss with ignoreIndex', (x) => F.nllLoss(x.logSoftmax(1), idx([0, 1, 1]), { ignoreIndex: 1 }), [rl(3, 2)]],
  [
    'binaryCrossEntropyWithLogits and posWeight',
    (x) =>
      F.binaryCrossEntropyWithLogits(x, ax.tensor([[1, 0, 1]], { dtype: 'float64' }), {
        posWeight: ax.tensor([2, 1, 0.5], { dtype: 'float64' }),
      }),
    [rl(1, 3)],
  ],
  [
    'binaryCrossEntropy',
    (x) => F.binaryCrossEntropy(x.sigmoid(), ax.tensor([0.2, 1, 0], { dtype: 'float64' })),
    [rl(3)],
  ],
  [
    'smoothL1Loss, huberLoss, mseLoss, l1Loss',
    (x, y) => F.smoothL1Loss(x, y, { beta: 0.5 }).add(F.huberLoss(x, y)).add(F.mseLoss(x, y)).add(F.l1Loss(x, y)),
    [rl(5).mul(2), rl(5)],
  ],
  ['klDiv', (x, t) => F.klDiv(x.logSoftmax(1), t.softmax(1), { reduction: 'batchmean' }), [rl(2, 3), rl(2, 3)]],
  ['multiMarginLoss', (x) => F.multiMarginLoss(x, idx([1, 0]), { p: 2 }), [rl(2, 4)]],
  [
    'cosineEmbeddingLoss',
    (a, b) => F.cosineEmbeddingLoss(a, b, ax.tensor([1, -1], { dtype: 'float64' })),
    [rl(2, 3), rl(2, 3)],
  ],
  ['hingeEmbeddingLoss', (x) => F.hingeEmbeddingLoss(x, ax.tensor([1, -1, -1], { dtype: 'float64' })), [rl(3)]],
];
