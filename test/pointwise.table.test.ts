import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { KERNELS, assertKernelsAgree, fixtureOps, kernelAddon } from './helpers/kernels.js';
import { POINTWISE, type PointwiseDef } from '../src/ops/pointwise.js';

// Every entry of the pointwise op table (src/ops/pointwise.ts) is tested from its own recipe:
// gradients against finite differences (first and second order), the native backend against the
// JS one, and — through test/ops.fixtures.test.ts, which maps fixture op names to the table —
// PyTorch's values. An entry without a fixture fails here, so a new op cannot skip a check.

const entries = Object.entries(POINTWISE) as [string, PointwiseDef][];
const gen = new ax.Generator(7);

/** An input from the recipe's domain, float64 for the gradient checks. */
function input(domain: PointwiseDef['test']['domain'], shape: number[], dtype: ax.DType = 'float64'): ax.Tensor {
  const r = ax.randn(shape, { dtype, generator: gen });
  if (domain === 'positive') return ax.rand(shape, { dtype, generator: gen }).mul(2).add(0.2);
  if (domain === 'away0') return r.add(r.sign().mul(0.1));
  if (domain === 'unit') return ax.rand(shape, { dtype, generator: gen }).mul(1.6).sub(0.8);
  return r;
}

const call = (name: string, x: ax.Tensor, args: unknown[]) =>
  (ax as unknown as Record<string, (...a: unknown[]) => ax.Tensor>)[name]!(x, ...args);
const cases = (def: PointwiseDef) => def.test.cases ?? [[]];
const differentiable = (def: PointwiseDef) => typeof def.grad === 'function';

describe('op table: gradients against finite differences (float64)', () => {
  for (const [name, def] of entries.filter(([, d]) => differentiable(d))) {
    for (const args of cases(def)) {
      test(`${name}(${args.map((a) => JSON.stringify(a)).join(', ')})`, () => {
        ax.gradcheck((x) => call(name, x, args), [input(def.test.domain, [2, 3])]);
        if (def.test.secondOrder !== false) ax.gradgradcheck((x) => call(name, x, args), [input(def.test.domain, [4])]);
      });
    }
  }
  test('piecewise-constant entries have zero gradients', () => {
    for (const [name, def] of entries.filter(([, d]) => d.grad === 'zero')) {
      const x = input(def.test.domain, [5]).requiresGrad_();
      call(name, x, cases(def)[0]!).sum().backward();
      assert.deepEqual([...x.grad!.toTypedArray()], [0, 0, 0, 0, 0], name);
    }
  });
  test('bool entries give bool results and record no graph', () => {
    for (const [name, def] of entries.filter(([, d]) => d.bool)) {
      const y = call(name, input(def.test.domain, [3]).requiresGrad_(), []);
      assert.equal(y.dtype, 'bool', name);
      assert.equal(y.requiresGrad, false, name);
    }
  });
  test('integer inputs of floating functions compute in float32', () => {
    for (const [name, def] of entries.filter(([, d]) => d.float)) {
      assert.equal(call(name, ax.tensor([1, 2, 3], { dtype: 'int32' }), cases(def)[0]!).dtype, 'float32', name);
    }
  });
});

describe('op table: every entry has a PyTorch fixture', () => {
  const covered = fixtureOps();
  for (const [name] of entries) {
    test(name, () =>
      assert.ok(
        covered.has(name),
        `no case for '${name}' in test/fixtures/ops.json: add one to scripts/gen_op_fixtures.py`,
      ),
    );
  }
});

const addon = kernelAddon();
describe(
  'op table: the native backend agrees with the JS one on every entry',
  { skip: addon === null ? `${KERNELS} kernels not built` : false },
  () => {
    test('contiguous, transposed and strided float32 inputs, every case', () => {
      for (const [name, def] of entries)
        for (const args of cases(def)) {
          const base = input(def.test.domain, [7, 6], 'float32');
          for (const x of [base, base.t(), base.slice(1, null, null, 2)])
            assertKernelsAgree(addon!, name, () => call(name, x, args));
        }
    });
  },
);
