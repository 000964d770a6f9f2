import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { POINTWISE } from '../src/ops/pointwise.js';
import { BINARY } from '../src/ops/binary-table.js';
import { type EncodedTensor, assertClose, backwardThrough, decode, loadFixture } from './helpers/fixtures.js';

type Args = Record<string, any>;
type OpFn = (xs: ax.Tensor[], a: Args) => ax.Tensor | ax.Tensor[];

const u =
  (f: (x: ax.Tensor) => ax.Tensor): OpFn =>
  (xs) =>
    f(xs[0]!);

/** The same op names as scripts/gen_op_fixtures.py, written with Axon's API. */
const OPS: Record<string, OpFn> = {
  // Every entry of the pointwise op table, called with the fixture's arguments as its recipe says.
  ...Object.fromEntries(
    Object.entries(POINTWISE).map(([name, def]) => [
      name,
      ((xs, a) =>
        (ax as unknown as Record<string, (...v: unknown[]) => ax.Tensor>)[name]!(
          xs[0]!,
          ...(def.test.fromFixture?.(a) ?? []),
        )) as OpFn,
    ]),
  ),
  // …and every entry of the binary op table, called by name.
  ...Object.fromEntries(
    Object.keys(BINARY).map((name) => [
      name,
      (([x, y]) => (ax as unknown as Record<string, (a: unknown, b: unknown) => ax.Tensor>)[name]!(x, y)) as OpFn,
    ]),
  ),
  selu: u(ax.selu),
  addScalar: ([x], a) => x!.add(a.s),
  mulScalar: ([x], a) => x!.mul(a.s),
  rsubScalar: ([x], a) => x!.rsub(a.s),
  divScalar: ([x], a) => x!.div(a.s),
  powScalar: ([x], a) => x!.pow(a.s),
  rpowScalar: ([x], a) => ax.pow(a.s, x!),
  where: ([c, x, y]) => ax.where(c!, x!, y!),
  sum: ([x], a) => x!.sum(a.dim, { keepdim: a.keepdim }),
  mean: ([x], a) => x!.mean(a.dim, { keepdim: a.keepdim }),
  max: ([x], a) => x!.amax(a.dim, { keepdim: a.keepdim }),
  min: ([x], a) => x!.amin(a.dim, { keepdim: a.keepdim }),
  maxDim: ([x], a) => ax.max(x!, a.dim, { keepdim: a.keepdim }),
  minDim: ([x], a) => x!.min(a.dim, { keepdim: a.keepdim }),
  prod: ([x], a) => x!.prod(a.dim, { keepdim: a.keepdim }),
  argmax: ([x], a) => x!.argmax(a.dim ?? undefined, { keepdim: a.keepdim }),
  argmin: ([x], a) => x!.argmin(a.dim ?? undefined, { keepdim: a.keepdim }),
  var: ([x], a) => x!.var(a.dim, { correction: a.correction, keepdim: a.keepdim }),
  std: ([x], a) => x!.std(a.dim, { correction: a.correction, keepdim: a.keepdim }),
  logsumexp: ([x], a) => x!.logsumexp(a.dim, { keepdim: a.keepdim }),
  norm: ([x], a) => x!.norm(a.p === 'inf' ? Infinity : a.p, a.dim, { keepdim: a.keepdim }),
  softmax: ([x], a) => x!.softmax(a.dim),
  logSoftmax: ([x], a) => x!.logSoftmax(a.dim),
  matmul: ([x, y]) => x!.matmul(y!),
  cat: (xs, a) => ax.cat(xs, a.dim),
  stack: (xs, a) => ax.stack(xs, a.dim),
  split: ([x], a) => x!.split(a.sizes, a.dim),
  chunk: ([x], a) => x!.chunk(a.chunks, a.dim),
  gather: ([x, i], a) => x!.gather(a.dim, i!),
  scatter: ([x, i, s], a) => x!.scatter(a.dim, i!, s!),
  scatterAdd: ([x, i, s], a) => x!.scatterAdd(a.dim, i!, s!),
  indexSelect: ([x, i], a) => x!.indexSelect(a.dim, i!),
  maskedFill: ([x, m], a) => x!.maskedFill(m!, a.value),
  oneHot: ([i], a) => ax.oneHot(i!, a.numClasses),
  tril: ([x], a) => x!.tril(a.diagonal),
  triu: ([x], a) => x!.triu(a.diagonal),
  flip: ([x], a) => x!.flip(a.dims),
  pad: ([x], a) => x!.pad(a.pads, { value: a.value }),
  repeat: ([x], a) => x!.repeat(a.repeats),
  reshape: ([x], a) => x!.reshape(a.shape),
  permute: ([x], a) => x!.permute(a.dims),
  transpose: ([x], a) => x!.transpose(a.dim0, a.dim1),
  expand: ([x], a) => x!.expand(a.shape),
  squeeze: ([x], a) => x!.squeeze(a.dim),
  unsqueeze: ([x], a) => x!.unsqueeze(a.dim),
  narrow: ([x], a) => x!.narrow(a.dim, a.start, a.length),
  slice: ([x], a) => x!.slice(a.dim, a.start, a.end, a.step),
  select: ([x], a) => x!.select(a.dim, a.index),
  flatten: ([x], a) => x!.flatten(a.start, a.end),
  to: ([x], a) => x!.to(a.dtype),
  sort: ([x], a) => x!.sort(a.dim, { descending: a.descending }),
  argsort: ([x], a) => x!.argsort(a.dim, { descending: a.descending }),
  topk: ([x], a) => ax.topk(x!, a.k, a.dim, { largest: a.largest }),
  kthvalue: ([x], a) => ax.kthvalue(x!, a.k, a.dim, { keepdim: a.keepdim }),
  median: ([x], a) => (a.dim === undefined ? ax.median(x!) : ax.median(x!, a.dim, { keepdim: a.keepdim })),
  cumsum: ([x], a) => ax.cumsum(x!, a.dim),
  cumprod: ([x], a) => x!.cumprod(a.dim),
  any: ([x], a) => ax.any(x!, a.dim, { keepdim: a.keepdim }),
  all: ([x], a) => x!.all(a.dim, { keepdim: a.keepdim }),
  isclose: ([x, y], a) => ax.isclose(x!, y!, { rtol: a.rtol, atol: a.atol, equalNan: a.equalNan }),
  nanToNum: ([x], a) => ax.nanToNum(x!, { nan: a.nan, posinf: a.posinf ?? undefined, neginf: a.neginf ?? undefined }),
  roll: ([x], a) => ax.roll(x!, a.shifts, a.dims),
  mm: ([x, y]) => ax.mm(x!, y!),
  bmm: ([x, y]) => x!.bmm(y!),
  outer: ([x, y]) => ax.outer(x!, y!),
  diag: ([x], a) => ax.diag(x!, a.diagonal),
  trace: ([x]) => x!.trace(),
  T: ([x]) => x!.T,
  lerp: ([s, e, w], a) => ax.lerp(s!, e!, w ?? a.weight),
  nonzero: ([x]) => x!.nonzero(),
  maskedSelect: ([x, m]) => x!.maskedSelect(m!),
  maskedScatter: ([x, m, src]) => x!.maskedScatter(m!, src!),
  mode: ([x], a) => ax.mode(x!, a.dim, { keepdim: a.keepdim }),
  unique: ([x]) => {
    const u = ax.unique(x!);
    return [u.values, u.inverse, u.counts];
  },
  bincount: ([x, w], a) => ax.bincount(x!, { weights: w, minlength: a.minlength }),
  histc: ([x], a) => ax.histc(x!, a.bins, a.min, a.max),
  searchsorted: ([s, v], a) => ax.searchsorted(s!, v!, { right: a.right }),
  einsum: (xs, a) => ax.einsum(a.equation, ...xs),
  cdist: ([x, y], a) => ax.cdist(x!, y!, a.p),
  normalize: ([x], a) => ax.nn.functional.normalize(x!, { p: a.p, dim: a.dim }),
  cosineSimilarity: ([x, y], a) => ax.nn.functional.cosineSimilarity(x!, y!, { dim: a.dim }),
  pairwiseDistance: ([x, y], a) => ax.nn.functional.pairwiseDistance(x!, y!, { p: a.p, keepdim: a.keepdim }),
  glu: ([x], a) => ax.nn.functional.glu(x!, a.dim),
  mT: ([x]) => x!.mT,
};

interface Case {
  name: string;
  op: string;
  args: Args;
  inputs: (EncodedTensor & { transform: 'transpose' | 'step' | null })[];
  outputs: EncodedTensor[];
  gradOutputs: (EncodedTensor | null)[];
  grads: (EncodedTensor | null)[];
}

function transform(t: ax.Tensor, how: string | null): ax.Tensor {
  if (how === 'transpose') return t.transpose(-1, -2);
  if (how === 'step') return t.slice(-1, null, null, 2);
  return t;
}

/** Per-op tolerances where float32 summation order differs more than elementwise rounding. */
const TOLERANCE: Record<string, [number, number]> = { matmul: [1e-4, 1e-4], prod: [1e-5, 1e-4], norm: [1e-5, 1e-4] };

const fixture = loadFixture<{ generator: string; cases: Case[] }>('ops.json');

describe(`ops against PyTorch (${fixture.generator})`, () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      const fn = OPS[c.op];
      if (!fn) throw new Error(`no Axon implementation mapped for fixture op '${c.op}'`);
      const leaves = c.inputs.map((e) => {
        const t = decode(e);
        return t.dtype === 'float32' || t.dtype === 'float64' ? t.requiresGrad_(true) : t;
      });
      const xs = leaves.map((l, i) => transform(l, c.inputs[i]!.transform));
      const result = fn(xs, c.args);
      const outs = Array.isArray(result) ? result : [result];
      if (outs.length !== c.outputs.length)
        throw new Error(`${c.name}: ${outs.length} outputs, expected ${c.outputs.length}`);
      const [atol, rtol] = TOLERANCE[c.op] ?? [1e-5, 1e-4];
      outs.forEach((o, k) => assertClose(o, decode(c.outputs[k]!), `${c.name} output ${k}`, atol, rtol));
      if (c.grads.every((g) => g === null)) return;
      backwardThrough(outs, c.gradOutputs);
      c.grads.forEach((g, i) => {
        if (g === null) return;
        const actual = leaves[i]!.grad ?? ax.zeros(leaves[i]!.shape, { dtype: leaves[i]!.dtype });
        assertClose(actual, decode(g), `${c.name} grad of input ${i}`, atol, rtol);
      });
    });
  }
});
