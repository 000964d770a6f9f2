import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as ax from '../src/index.js';
import { KERNELS, kernelAddon } from './helpers/kernels.js';
import { NativeBackend } from '../src/backend/native/index.js';

// Differential fuzzing of the op API: random shapes (0 to 4 dims, sizes 0 to 5), layouts (views,
// transposes, strides, offsets, broadcasts), dtypes, special values (NaN, ±Inf, -0) and option
// values — valid and not — for every op family, run on the JS backend and on the native backend
// with every kernel native (no small-tensor shortcut to JS). Both must give the same shapes,
// dtypes and values, or both throw the same AxonError subclass; anything else — a raw TypeError,
// a crash, one backend succeeding where the other fails — is a finding. Under scripts/test-asan.sh
// the native side runs on the sanitizer build, so an out-of-bounds access ends the run.
//
// `npm test` runs a seeded short pass (FUZZ_RUNS cases per op family, 300 by default) in the native
// suite; a long run by hand: FUZZ_RUNS=5000 FUZZ_SEED=<any> AXON_BACKEND=native node --import tsx --test test/fuzz.ops.test.ts

const addon = kernelAddon();
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261123);
const active = addon !== null && process.env['AXON_BACKEND'] === KERNELS;
const skip = active
  ? false
  : addon === null
    ? `the ${KERNELS} kernels are not built`
    : 'runs in the native pass (it drives both backends itself)';

if (addon) ax.registerBackend('native-all', () => new NativeBackend(addon, { minElements: 0 }));

// ---- inputs ----------------------------------------------------------------------------------

type Layout = 'contiguous' | 'transposed' | 'strided' | 'offset' | 'expanded';
interface Spec {
  shape: number[];
  layout: Layout;
  dtype: ax.DType;
  seed: number;
  special: boolean;
}

const shapeArb = (maxRank = 4) => fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: maxRank });
const specArb = (
  shape: fc.Arbitrary<number[]> = shapeArb(),
  dtypes: ax.DType[] = ['float32', 'float32', 'float32', 'int32', 'bool', 'float64'],
) =>
  fc.record({
    shape,
    layout: fc.constantFrom<Layout>('contiguous', 'contiguous', 'transposed', 'strided', 'offset', 'expanded'),
    dtype: fc.constantFrom(...dtypes),
    seed: fc.integer({ min: 0, max: 1 << 30 }),
    special: fc.boolean(),
  });
const floatSpec = (shape?: fc.Arbitrary<number[]>) => specArb(shape, ['float32']);

/** The tensor a spec describes, built on the current backend. */
function make(s: Spec): ax.Tensor {
  const g = new ax.Generator(s.seed);
  const values = (shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = g.normal() * 3;
    if (s.special && n > 0) for (const x of [NaN, Infinity, -Infinity, -0]) v[g.integer(0, n)] = x;
    let t = ax.tensor(v, { shape });
    if (s.dtype === 'int32')
      t = ax.tensor(
        Int32Array.from(v, (x) => (Number.isFinite(x) ? Math.round(x) : 0)),
        { shape },
      );
    else if (s.dtype === 'bool') t = t.gt(0);
    else if (s.dtype === 'float64') t = t.to('float64');
    return t;
  };
  const r = s.shape.length;
  switch (s.layout) {
    case 'transposed': {
      if (r < 2) return values(s.shape);
      return values([...s.shape].reverse()).permute([...Array(r).keys()].reverse());
    }
    case 'strided': {
      if (r < 1) return values(s.shape);
      const wide = [...s.shape];
      wide[r - 1] = wide[r - 1]! * 2;
      return values(wide).slice(-1, null, null, 2);
    }
    case 'offset': {
      if (r < 1) return values(s.shape);
      const tall = [...s.shape];
      tall[0] = tall[0]! + 2;
      return values(tall).narrow(0, 1, s.shape[0]!);
    }
    case 'expanded': {
      const narrow = s.shape.map((d, i) => (i % 2 === 0 ? 1 : d));
      return values(narrow).expand(s.shape);
    }
    default:
      return values(s.shape);
  }
}

// ---- running and comparing ------------------------------------------------------------------

type Outcome = { ok: { shape: number[]; dtype: string; values: number[] }[] } | { error: Error };

function flatten(v: unknown): { shape: number[]; dtype: string; values: number[] }[] {
  if (v instanceof ax.Tensor)
    return [{ shape: [...v.shape], dtype: v.dtype, values: [...v.contiguous().toTypedArray()] }];
  if (Array.isArray(v)) return v.flatMap(flatten);
  if (typeof v === 'number') return [{ shape: [], dtype: 'number', values: [v] }];
  return [];
}

function runOn(backend: string, run: () => unknown): Outcome {
  ax.setBackend(backend);
  try {
    return { ok: flatten(run()) };
  } catch (e) {
    return { error: e as Error };
  }
}

function close(a: number, b: number): boolean {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(a), Math.abs(b));
}

let cases = 0,
  agreedErrors = 0;

/** One case: the same computation on both backends; returns a description of any disagreement. */
function differential(run: () => unknown): string | null {
  cases++;
  const js = runOn('js', run),
    native = runOn('native-all', run);
  for (const [name, o] of [
    ['js', js],
    ['native', native],
  ] as const) {
    if ('error' in o && !(o.error instanceof ax.AxonError))
      return `${name} threw a raw ${o.error.constructor.name}: ${o.error.message}`;
  }
  if ('error' in js || 'error' in native) {
    if (!('error' in js)) return `only native threw: ${(native as { error: Error }).error.message}`;
    if (!('error' in native)) return `only js threw: ${js.error.message}`;
    if (js.error.constructor !== native.error.constructor)
      return `js threw ${js.error.constructor.name} (${js.error.message}), native ${native.error.constructor.name} (${native.error.message})`;
    agreedErrors++;
    return null;
  }
  if (js.ok.length !== native.ok.length) return `js gave ${js.ok.length} outputs, native ${native.ok.length}`;
  for (let i = 0; i < js.ok.length; i++) {
    const a = js.ok[i]!,
      b = native.ok[i]!;
    if (a.shape.join() !== b.shape.join() || a.dtype !== b.dtype)
      return `output ${i}: js ${a.dtype}[${a.shape}] vs native ${b.dtype}[${b.shape}]`;
    for (let k = 0; k < a.values.length; k++) {
      if (!close(a.values[k]!, b.values[k]!))
        return `output ${i} element ${k}: js ${a.values[k]} vs native ${b.values[k]}`;
    }
  }
  return null;
}

function check<T>(name: string, arb: fc.Arbitrary<T>, run: (p: T) => unknown): void {
  fc.assert(
    fc.property(arb, (p) => {
      const problem = differential(() => run(p));
      if (problem) throw new Error(`${name}: ${problem}`);
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
  );
}

// ---- the op families ------------------------------------------------------------------------

const anyDim = fc.integer({ min: -5, max: 5 });
const smallInt = fc.integer({ min: -7, max: 7 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const oddNumber = fc.constantFrom(NaN, Infinity, -1, 0, 0.5, 2.5, 1e9);

const UNARY: [string, (x: ax.Tensor, p: number) => unknown][] = [
  ['neg', (x) => x.neg()],
  ['abs', (x) => x.abs()],
  ['sign', (x) => x.sign()],
  ['exp', (x) => x.exp()],
  ['log', (x) => x.log()],
  ['sqrt', (x) => x.sqrt()],
  ['rsqrt', (x) => x.rsqrt()],
  ['sin', (x) => x.sin()],
  ['cos', (x) => x.cos()],
  ['tanh', (x) => x.tanh()],
  ['sigmoid', (x) => x.sigmoid()],
  ['erf', (x) => x.erf()],
  ['reciprocal', (x) => x.reciprocal()],
  ['square', (x) => x.square()],
  ['relu', (x) => x.relu()],
  ['leakyRelu', (x, p) => x.leakyRelu(p)],
  ['elu', (x, p) => x.elu(p)],
  ['silu', (x) => x.silu()],
  ['gelu', (x, p) => x.gelu({ approximate: p > 0 ? 'tanh' : 'none' })],
  ['softplus', (x, p) => x.softplus({ beta: p, threshold: 20 })],
  ['clamp', (x, p) => x.clamp(-p, p)],
  ['clamp min>max', (x, p) => x.clamp(p, -p)],
  ['pow', (x, p) => x.pow(p)],
  ['floor', (x) => x.floor()],
  ['round', (x) => x.round()],
  ['logicalNot', (x) => x.logicalNot()],
  ['isnan', (x) => x.isnan()],
  ['to int32', (x) => x.to('int32')],
];

const BINARY: [string, (a: ax.Tensor, b: ax.Tensor) => unknown][] = [
  ['add', (a, b) => a.add(b)],
  ['sub', (a, b) => a.sub(b)],
  ['mul', (a, b) => a.mul(b)],
  ['div', (a, b) => a.div(b)],
  ['pow', (a, b) => a.pow(b)],
  ['maximum', (a, b) => a.maximum(b)],
  ['minimum', (a, b) => a.minimum(b)],
  ['eq', (a, b) => a.eq(b)],
  ['ne', (a, b) => a.ne(b)],
  ['lt', (a, b) => a.lt(b)],
  ['le', (a, b) => a.le(b)],
  ['gt', (a, b) => a.gt(b)],
  ['ge', (a, b) => a.ge(b)],
  ['logicalAnd', (a, b) => a.logicalAnd(b)],
  ['where', (a, b) => a.where(a.gt(0), b)],
  ['add alpha', (a, b) => a.add(b, { alpha: 2 })],
];

/** Two shapes that broadcast (usually) or not (sometimes). */
const broadcastPair = shapeArb().chain((s) =>
  fc.tuple(
    fc.constant(s),
    fc.oneof(
      fc.constant(s),
      fc
        .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
        .map((drop) => s.map((d, i) => (drop[i] ? 1 : d))),
      fc.integer({ min: 0, max: s.length }).map((k) => s.slice(k)),
      shapeArb(),
    ),
  ),
);

const REDUCE: [string, (x: ax.Tensor, dim: number | undefined, keepdim: boolean) => unknown][] = [
  ['sum', (x, d, k) => x.sum(d, { keepdim: k })],
  ['mean', (x, d, k) => x.mean(d, { keepdim: k })],
  ['amax', (x, d, k) => x.amax(d, { keepdim: k })],
  ['amin', (x, d, k) => x.amin(d, { keepdim: k })],
  ['prod', (x, d, k) => x.prod(d, { keepdim: k })],
  ['argmax', (x, d, k) => x.argmax(d, { keepdim: k })],
  ['argmin', (x, d, k) => x.argmin(d, { keepdim: k })],
  ['var', (x, d, k) => x.var(d, { keepdim: k })],
  ['std', (x, d, k) => x.std(d, { keepdim: k })],
  ['logsumexp', (x, d, k) => x.logsumexp(d ?? 0, { keepdim: k })],
  ['softmax', (x, d) => x.softmax(d ?? -1)],
  ['logSoftmax', (x, d) => x.logSoftmax(d ?? -1)],
];

test(
  'differential fuzz: every op family agrees on the JS and native backends, or both raise the same typed error',
  { skip },
  () => {
    const before = ax.getBackend().name;
    try {
      for (const [name, f] of UNARY)
        check(`unary ${name}`, fc.tuple(specArb(), fc.constantFrom(-2, 0.5, 1, 3)), ([s, p]) => f(make(s), p));
      for (const [name, f] of BINARY)
        check(
          `binary ${name}`,
          broadcastPair.chain(([a, b]) => fc.tuple(specArb(fc.constant(a)), specArb(fc.constant(b)))),
          ([a, b]) => f(make(a), make(b)),
        );
      for (const [name, f] of REDUCE)
        check(`reduce ${name}`, fc.tuple(specArb(), maybe(anyDim), fc.boolean()), ([s, d, k]) => f(make(s), d, k));

      check(
        'matmul',
        fc
          .tuple(
            fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
            fc.integer({ min: 0, max: 6 }),
            fc.integer({ min: 0, max: 6 }),
            fc.integer({ min: 0, max: 6 }),
            fc.boolean(),
            fc.integer({ min: 0, max: 1 << 30 }),
          )
          .chain(([batch, m, k, n, wrong, seed]) =>
            fc.tuple(
              floatSpec(fc.constant([...batch, m, k])),
              floatSpec(fc.constant([...(seed % 2 ? batch : []), wrong ? k + 1 : k, n])),
            ),
          ),
        ([a, b]) => make(a).matmul(make(b)),
      );

      // Views and copies, with arguments in and out of range, integers or not.
      check('reshape', fc.tuple(specArb(), fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 4 })), ([s, shape]) =>
        make(s).reshape(shape).add(0),
      );
      check('permute', fc.tuple(specArb(), fc.array(anyDim, { maxLength: 4 })), ([s, dims]) =>
        make(s).permute(dims).contiguous(),
      );
      check(
        'slice',
        fc.tuple(
          specArb(),
          anyDim,
          maybe(smallInt),
          maybe(smallInt),
          fc.oneof(fc.integer({ min: 1, max: 3 }), oddNumber),
        ),
        ([s, d, a, b, st]) => make(s).slice(d, a, b, st).mul(2),
      );
      check('narrow', fc.tuple(specArb(), anyDim, smallInt, fc.oneof(smallInt, oddNumber)), ([s, d, a, n]) =>
        make(s).narrow(d, a, n).mul(2),
      );
      check('select', fc.tuple(specArb(), anyDim, fc.oneof(smallInt, oddNumber)), ([s, d, i]) =>
        make(s).select(d, i).neg(),
      );
      check(
        'sliceScatter',
        fc.tuple(
          floatSpec(),
          floatSpec(),
          anyDim,
          maybe(smallInt),
          maybe(fc.oneof(smallInt, fc.constant(4096))),
          fc.integer({ min: 1, max: 3 }),
        ),
        ([s, src, d, a, b, st]) => ax.sliceScatter(make(s), make(src), d, a, b, st),
      );
      check('expand', fc.tuple(specArb(), fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 5 })), ([s, shape]) =>
        make(s).expand(shape).add(1),
      );
      check('flip', fc.tuple(specArb(), fc.array(anyDim, { maxLength: 3 })), ([s, dims]) => make(s).flip(dims));
      check(
        'repeat',
        fc.tuple(
          specArb(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 })),
          fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 4 }),
        ),
        ([s, r]) => make(s).repeat(r),
      );
      check('pad', fc.tuple(specArb(), fc.array(fc.integer({ min: -2, max: 3 }), { maxLength: 4 })), ([s, p]) =>
        make(s).pad(p, { value: 1.5 }),
      );
      check('tril/triu', fc.tuple(specArb(), smallInt, fc.boolean()), ([s, k, up]) =>
        up ? make(s).triu(k) : make(s).tril(k),
      );
      check(
        'split',
        fc.tuple(
          specArb(),
          fc.oneof(fc.integer({ min: 0, max: 4 }), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })),
          anyDim,
        ),
        ([s, sz, d]) => make(s).split(sz, d),
      );
      check(
        'cat',
        fc.tuple(fc.array(specArb(fc.constantFrom([2, 3], [2, 0], [1, 3], [3])), { maxLength: 3 }), anyDim),
        ([ss, d]) => ax.cat(ss.map(make), d),
      );
      check(
        'stack',
        fc.tuple(fc.array(specArb(fc.constantFrom([2, 3], [2, 3], [3, 2])), { maxLength: 3 }), anyDim),
        ([ss, d]) => ax.stack(ss.map(make), d),
      );

      // Indexing with indices in range, negative and past the end.
      const indexOf = (shape: number[]) =>
        fc
          .array(fc.integer({ min: -2, max: 6 }), {
            minLength: shape.reduce((a, b) => a * b, 1),
            maxLength: shape.reduce((a, b) => a * b, 1),
          })
          .map((v) => ax.tensor(Int32Array.from(v), { shape }));
      const indexed = specArb(shapeArb(3)).chain((s) =>
        fc.tuple(
          fc.constant(s),
          anyDim,
          shapeArb(3).chain((is) => fc.tuple(fc.constant(is), indexOf(is))),
        ),
      );
      check('gather', indexed, ([s, d, [, idx]]) => make(s).gather(d, idx));
      check('scatter', indexed, ([s, d, [is, idx]]) => make(s).scatter(d, idx, make({ ...s, shape: is })));
      check('scatterAdd', indexed, ([s, d, [is, idx]]) =>
        make(s).scatterAdd(d, idx, make({ ...s, shape: is, dtype: s.dtype })),
      );
      check(
        'indexSelect',
        fc.tuple(specArb(), anyDim, fc.array(fc.integer({ min: -2, max: 6 }), { maxLength: 5 })),
        ([s, d, i]) => make(s).indexSelect(d, ax.tensor(Int32Array.from(i))),
      );
      check(
        'maskedFill',
        broadcastPair.chain(([a, b]) => fc.tuple(specArb(fc.constant(a)), specArb(fc.constant(b)))),
        ([x, m]) => make(x).maskedFill(make(m).gt(0), -7),
      );

      // Windows: convolution and pooling with every option, in and out of range.
      const windowArgs = fc.record({
        n: fc.integer({ min: 0, max: 2 }),
        c: fc.integer({ min: 1, max: 3 }),
        h: fc.integer({ min: 0, max: 9 }),
        w: fc.integer({ min: 0, max: 9 }),
        // Weighted towards valid geometry (kernel 2-3, no padding, dilation 1), where the fast paths are.
        k: fc.constantFrom(0, 1, 2, 2, 2, 3, 3, 4),
        stride: fc.constantFrom(0, 1, 2, 2, 3),
        padding: fc.constantFrom(0, 0, 0, 1, 2, 3),
        dilation: fc.constantFrom(0, 1, 1, 1, 1, 2, 3),
        ceilMode: fc.boolean(),
        layout: fc.constantFrom<Layout>('contiguous', 'transposed', 'strided'),
        seed: fc.nat(),
      });
      const image = (a: { n: number; c: number; h: number; w: number; layout: Layout; seed: number }) =>
        make({ shape: [a.n, a.c, a.h, a.w], layout: a.layout, dtype: 'float32', seed: a.seed, special: false });
      check('maxPool2d', windowArgs, (a) =>
        ax.nn.functional.maxPool2d(image(a), a.k, {
          stride: a.stride || null,
          padding: a.padding,
          dilation: a.dilation,
          ceilMode: a.ceilMode,
        }),
      );
      check('maxPool1d', windowArgs, (a) =>
        ax.nn.functional.maxPool1d(image(a).select(2, 0), a.k, {
          stride: a.stride || null,
          padding: a.padding,
          ceilMode: a.ceilMode,
        }),
      );
      check('avgPool2d', windowArgs, (a) =>
        ax.nn.functional.avgPool2d(image(a), a.k, {
          stride: a.stride || null,
          padding: a.padding,
          ceilMode: a.ceilMode,
        }),
      );
      check(
        'conv2d',
        fc.tuple(windowArgs, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })),
        ([a, out, groups]) =>
          ax.nn.functional.conv2d(
            image(a),
            make({
              shape: [out, Math.max(1, Math.floor(a.c / groups)), a.k, a.k],
              layout: 'contiguous',
              dtype: 'float32',
              seed: a.seed + 1,
              special: false,
            }),
            null,
            { stride: a.stride, padding: a.padding, dilation: a.dilation, groups },
          ),
      );
      check('adaptiveAvgPool2d', fc.tuple(windowArgs, fc.integer({ min: 0, max: 4 })), ([a, o]) =>
        ax.nn.functional.adaptiveAvgPool2d(image(a), o),
      );

      // Normalisation and attention-shaped kernels.
      check('layerNorm', fc.tuple(floatSpec(shapeArb(3)), fc.integer({ min: 0, max: 3 })), ([s, k]) =>
        ax.nn.functional.layerNorm(make(s), s.shape.slice(s.shape.length - Math.min(k, s.shape.length))),
      );
      check(
        'batchNorm',
        floatSpec(
          fc
            .tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4 }))
            .map((t) => [...t]),
        ),
        (s) => ax.nn.functional.batchNorm(make(s), null, null, null, null, { training: true }),
      );

      // In-place writes, including through views that share memory.
      check('in-place', fc.tuple(specArb(), fc.constantFrom('add_', 'mul_', 'clamp_', 'fill_', 'copy_')), ([s, op]) => {
        const t = make(s);
        if (op === 'add_') t.add_(1);
        else if (op === 'mul_') t.mul_(t);
        else if (op === 'clamp_') t.clamp_(-1, 1);
        else if (op === 'fill_') t.fill_(2);
        else t.copy_(ax.ones([1]));
        return t;
      });

      // Raw layouts over a storage, and gradients of any shape given to the optimizers.
      check(
        'Tensor layouts',
        fc.tuple(
          fc.integer({ min: 0, max: 8 }),
          fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
          fc.array(fc.integer({ min: -3, max: 4 }), { maxLength: 3 }),
          fc.integer({ min: -2, max: 8 }),
        ),
        ([len, shape, strides, offset]) =>
          new ax.Tensor(new ax.Storage(new Float32Array(len).fill(1)), shape, strides, offset, 'float32').add(1),
      );
      check(
        'optimizer step',
        fc.tuple(
          fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
          fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
          fc.constantFrom('sgd', 'adam'),
        ),
        ([ps, gs, kind]) => {
          const p = new ax.nn.Parameter(ax.ones(ps));
          p.grad = ax.full(gs, 0.5);
          (kind === 'sgd'
            ? new ax.optim.SGD([p], { lr: 0.1, momentum: 0.9 })
            : new ax.optim.Adam([p], { lr: 0.1 })
          ).step();
          return p.detach();
        },
      );
    } finally {
      ax.setBackend(before);
    }
    assert.ok(cases > 0);
    console.log(
      `# fuzz: ${cases} differential cases (seed ${SEED}, ${RUNS} per op family), ${agreedErrors} of them the same typed error on both`,
    );
  },
);
