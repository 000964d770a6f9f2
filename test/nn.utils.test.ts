import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ax from '../src/index.js';
import { assertClose } from './helpers/fixtures.js';
import { throwsTyped } from './helpers/throws.js';

const { nn } = ax;

test('parametersToVector and vectorToParameters round-trip, in parameter order', () => {
  const m = new nn.Linear(3, 2);
  const v = nn.utils.parametersToVector(m.parameters());
  assert.deepEqual(v.shape, [8]);
  assert.deepEqual(v.narrow(0, 0, 6).toArray(), m.weight.reshape(-1).toArray());
  nn.utils.vectorToParameters(ax.arange(8).float(), m.parameters());
  assert.deepEqual(m.bias!.toArray(), [6, 7]);
  throwsTyped(() => nn.utils.vectorToParameters(ax.zeros(7), m.parameters()), ax.ShapeError, /vector of 8 values/);
  throwsTyped(() => nn.utils.parametersToVector([]), ax.ValueError, /no parameters/);
});

test('weightNorm: PyTorch keys and shapes (torch 1.13: bias, weight_g [2, 1], weight_v), same output at start, g and v learn', () => {
  ax.manualSeed(0);
  const plain = new nn.Linear(3, 2);
  const x = ax.randn(4, 3);
  const before = plain.forward(x);
  const m = nn.utils.weightNorm(plain);
  assert.deepEqual(Object.keys(m.stateDict()), ['bias', 'weight_g', 'weight_v']);
  const g = m.stateDict()['weight_g']!;
  assert.deepEqual(g.shape, [2, 1]);
  assertClose(m.forward(x), before, 'unchanged at start', 1e-6);
  // Doubling g doubles the weight; the direction v is scale-free.
  ax.noGrad(() => (m as unknown as { weight_g: ax.nn.Parameter }).weight_g.mul_(2));
  assertClose(m.forward(x).sub(plain.bias!), before.sub(plain.bias!).mul(2), 'g scales', 1e-5);
  m.forward(x).sum().backward();
  const params = Object.fromEntries(m.namedParameters());
  assert.ok(params['weight_g']!.grad && params['weight_v']!.grad, 'both get gradients');
  assert.equal(m.parameters().length, 3);
  // Conv with dim 1: g keeps that dim (torch: [1, 2, 1]).
  assert.deepEqual((nn.utils.weightNorm(new nn.Conv1d(2, 4, 3), 'weight', 1) as any).weight_g.shape, [1, 2, 1]);
  throwsTyped(() => nn.utils.weightNorm(new nn.ReLU()), ax.ValueError, /has no parameter 'weight'/);
  throwsTyped(() => nn.utils.weightNorm(new nn.Linear(2, 2), 'weight', 3), ax.ValueError, /dim 3 is out of range/);
});

test('ParameterList and ParameterDict register their parameters', () => {
  class M extends nn.Module {
    ws = new nn.ParameterList([new nn.Parameter(ax.ones(2)), new nn.Parameter(ax.zeros(3))]);
    d = new nn.ParameterDict({ scale: new nn.Parameter(ax.ones(1)) });
    forward(x: ax.Tensor) {
      return x.mul(this.d.get('scale')).add(this.ws.at(0).sum());
    }
  }
  const m = new M();
  assert.deepEqual(Object.keys(m.stateDict()), ['ws.0', 'ws.1', 'd.scale']);
  assert.equal(m.ws.length, 2);
  assert.equal([...m.ws].length, 2);
  m.ws.append(new nn.Parameter(ax.zeros(1)));
  assert.equal(m.parameters().length, 4);
  throwsTyped(() => m.ws.append(ax.zeros(1) as never), ax.ValueError, /expected a Parameter/);
  throwsTyped(() => m.d.get('nope'), ax.ValueError, /no parameter named 'nope'/);
  throwsTyped(() => m.ws.at(9), ax.IndexError, /out of range/);
});
