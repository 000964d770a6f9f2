import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { KERNELS, assertKernelsAgree, fixtureOps, kernelAddon } from './helpers/kernels.js';
import { BINARY, type BinaryDef, type BinaryName, type Domain } from '../src/ops/binary-table.js';

// Every entry of the binary op table (src/ops/binary-table.ts) is tested from its own recipe:
// gradients against finite differences over broadcast operands (first and second order), its dtype
// rule and refusals, the native backend against the JS one, and — through test/ops.fixtures.test.ts,
// which calls the table's functions by name — PyTorch's values. An entry without a fixture fails here.

const entries = Object.entries(BINARY) as [BinaryName, BinaryDef][];
const gen = new ax.Generator(11);

function input(domain: Domain, shape: number[], dtype: ax.DType = 'float64'): ax.Tensor {
  const r = ax.randn(shape, { dtype, generator: gen });
  if (domain === 'positive') return ax.rand(shape, { dtype, generator: gen }).mul(2).add(0.2);
  if (domain === 'away0') return r.add(r.sign().mul(0.2));
  return r;
}

const fn = (name: BinaryName) => (ax as unknown as Record<string, (a: unknown, b: unknown) => ax.Tensor>)[name]!;
/** Broadcasting both ways: a row against a matrix, and a column against a row. */
const SHAPES: [number[], number[]][] = [
  [[2, 3], [3]],
  [
    [2, 1],
    [1, 3],
  ],
];
const differentiable = (def: BinaryDef) => def.grad !== undefined;

describe('binary op table: gradients against finite differences (float64, broadcast)', () => {
  for (const [name, def] of entries.filter(([, d]) => differentiable(d))) {
    test(name, () => {
      const [da, db] = def.test.domains;
      for (const [sa, sb] of SHAPES) {
        let a = input(da, sa),
          b = input(db, sb);
        // maximum/minimum are not differentiable at ties, atan2 at the origin: keep operands apart
        if (name === 'maximum' || name === 'minimum') b = b.add(3);
        ax.gradcheck(fn(name), [a, b]);
        if (def.test.secondOrder !== false) {
          a = input(da, sa);
          b = input(db, sb);
          ax.gradgradcheck(fn(name), [a, b]);
        }
      }
    });
  }
  test('ties in maximum/minimum split the gradient; NaN gives it to both (PyTorch)', () => {
    for (const name of ['maximum', 'minimum'] as const) {
      const a = ax.tensor([1, 2, NaN], { dtype: 'float64' }).requiresGrad_();
      const b = ax.tensor([1, 3, 0], { dtype: 'float64' }).requiresGrad_();
      fn(name)(a, b).sum().backward();
      const winnerA = name === 'maximum' ? 0 : 1;
      assert.deepEqual([...a.grad!.toTypedArray()], [0.5, winnerA, 1], name);
      assert.deepEqual([...b.grad!.toTypedArray()], [0.5, 1 - winnerA, 1], name);
    }
  });
});

describe('binary op table: dtype rules and refusals', () => {
  const ints = () => [ax.tensor([6, -7, 8], { dtype: 'int32' }), ax.tensor([4, 3, -5], { dtype: 'int32' })] as const;
  test('integer operands: promote keeps int32, float gives float32, bool gives bool', () => {
    for (const [name, def] of entries) {
      const [a, b] = ints();
      const want = def.dtype === 'bool' ? 'bool' : def.dtype === 'float' ? 'float32' : 'int32';
      assert.equal(fn(name)(a, b).dtype, want, name);
    }
  });
  test('bool results record no graph', () => {
    for (const [name] of entries.filter(([, d]) => d.dtype === 'bool')) {
      const y = fn(name)(input('real', [3]).requiresGrad_(), input('real', [3]));
      assert.equal(y.dtype, 'bool', name);
      assert.equal(y.requiresGrad, false, name);
    }
  });
  test('int32 fmod/remainder follow C and Python signs', () => {
    const [a, b] = ints();
    assert.deepEqual([...ax.fmod(a, b).toTypedArray()], [2, -1, 3]);
    assert.deepEqual([...ax.remainder(a, b).toTypedArray()], [2, 2, -2]);
  });
  test('bool operands are refused where their arithmetic means nothing, naming the op', () => {
    const t = ax.tensor([true, false]);
    for (const [name] of entries.filter(([, d]) => d.noBool !== undefined))
      assert.throws(
        () => fn(name)(t, t),
        (e: Error) => e instanceof ax.DTypeError && e.message.startsWith(`${name}:`),
      );
  });
  test('integer division by zero is a ValueError, not a silent 0 or NaN', () => {
    for (const [name] of entries.filter(([, d]) => d.intDivisor)) {
      const [a] = ints();
      assert.throws(() => fn(name)(a, ax.tensor([1, 0, 2], { dtype: 'int32' })), ax.ValueError, name);
    }
  });
  test('shapes that do not broadcast are a ShapeError naming the op', () => {
    for (const [name] of entries)
      assert.throws(
        () => fn(name)(ax.zeros([2, 3]), ax.zeros([4])),
        (e: Error) => e instanceof ax.ShapeError && e.message.startsWith(`${name}:`),
      );
  });
});

describe('binary op table: every entry has a PyTorch fixture', () => {
  const covered = fixtureOps();
  for (const [name] of entries)
    test(name, () =>
      assert.ok(
        covered.has(name),
        `no case for '${name}' in test/fixtures/ops.json: add one to scripts/gen_op_fixtures.py`,
      ),
    );
});

const addon = kernelAddon();
describe(
  'binary op table: the compiled kernels agree with the JS ones on every entry',
  { skip: addon === null ? `${KERNELS} kernels not built` : false },
  () => {
    test('contiguous, transposed, strided and broadcast float32 operands, with NaN and ±Infinity', () => {
      for (const [name, def] of entries) {
        const a = input(def.test.domains[0], [7, 6], 'float32'),
          b = input(def.test.domains[1], [6, 7], 'float32');
        const special = ax.tensor([NaN, Infinity, -Infinity, 0, 1, -1]);
        const pairs: [ax.Tensor, ax.Tensor][] = [
          [a, b.t()],
          [a.t(), b],
          [a.slice(1, null, null, 2), b.t().slice(1, 1, null, 2)],
          [a, b.select(0, 0).slice(0, 0, 6)],
          [a, ax.tensor(0.5)],
          [special.unsqueeze(1), special],
        ];
        for (const [x, y] of pairs) assertKernelsAgree(addon!, name, () => fn(name)(x, y));
      }
    });
  },
);
