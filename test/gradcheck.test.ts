import { describe, test } from 'node:test';
import * as ax from '../src/index.js';

import { OP_CASES, SECOND_ORDER_CASES } from './helpers/gradcheck-cases.js';

// Every differentiable op against central finite differences in float64: the cases of
// test/helpers/gradcheck-cases.ts here; the entries of the op tables from their own recipes
// (test/pointwise.table.test.ts, test/binary.table.test.ts).

const gen = new ax.Generator(42);
const r = (...shape: number[]) => ax.randn(shape, { dtype: 'float64', generator: gen });

describe('gradcheck: autograd agrees with finite differences (float64)', () => {
  for (const [name, fn, inputs] of OP_CASES)
    test(name, () => {
      ax.gradcheck(fn, inputs);
    });
});

describe('gradgradcheck: gradients of gradients (createGraph)', () => {
  for (const [name, fn, inputs] of SECOND_ORDER_CASES)
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
