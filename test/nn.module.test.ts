import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';

const { nn } = ax;

class TwoLayer extends nn.Module {
  fc1 = new nn.Linear(4, 8);
  act = new nn.ReLU();
  fc2 = new nn.Linear(8, 2);
  scale = new nn.Parameter(ax.ones([1]));
  forward(x: ax.Tensor): ax.Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x))).mul(this.scale);
  }
}

describe('Module', () => {
  test('finds parameters and submodules in properties, in assignment order, with PyTorch names', () => {
    const m = new TwoLayer();
    // PyTorch's order: a module's own parameters, then its children's.
    assert.deepEqual(
      [...m.namedParameters()].map(([n]) => n),
      ['scale', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'],
    );
    assert.deepEqual(
      [...m.namedChildren()].map(([n]) => n),
      ['fc1', 'act', 'fc2'],
    );
    assert.deepEqual(
      [...m.namedModules()].map(([n]) => n),
      ['', 'fc1', 'act', 'fc2'],
    );
    assert.equal(m.numParameters(), 4 * 8 + 8 + 8 * 2 + 2 + 1);
    assert.equal(m.fc2.path, 'fc2');
  });

  test('shared parameters are listed once', () => {
    const a = new nn.Linear(3, 3);
    const seq = new nn.Sequential(a, new nn.ReLU(), a);
    assert.equal(seq.parameters().length, 2);
  });

  test('train()/eval() reach every submodule; dropout follows them', () => {
    const m = new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.5));
    m.eval();
    assert.ok([...m.modules()].every((x) => !x.training));
    const x = ax.ones([2, 4]);
    assert.deepEqual(m.at(1).forward(x).toArray(), x.toArray());
    m.train();
    const y = m.at(1).forward(ax.ones([1000])) as ax.Tensor;
    const zeros = (y.toArray() as number[]).filter((v) => v === 0).length;
    assert.ok(zeros > 400 && zeros < 600, `${zeros} zeros`);
    assert.ok(
      (y.toArray() as number[]).every((v) => v === 0 || v === 2),
      'kept values scaled by 1/(1-p)',
    );
  });

  test('apply visits every module; freeze/unfreeze toggle requiresGrad', () => {
    const m = new TwoLayer();
    const seen: string[] = [];
    m.apply((x) => seen.push(x.constructor.name));
    assert.deepEqual(seen, ['Linear', 'ReLU', 'Linear', 'TwoLayer']);
    m.fc1.freeze();
    assert.equal(m.numParameters(true), 8 * 2 + 2 + 1);
    m.forward(ax.randn([3, 4]))
      .sum()
      .backward();
    assert.equal(m.fc1.weight.grad, null, 'frozen layers get no gradient');
    assert.ok(m.fc2.weight.grad);
    m.unfreeze();
    assert.equal(m.numParameters(true), m.numParameters());
    m.zeroGrad();
    assert.ok(m.parameters().every((p) => p.grad === null));
  });

  test('stateDict shares memory; loadStateDict copies values and round-trips', () => {
    const a = new TwoLayer(),
      b = new TwoLayer();
    const sd = a.stateDict();
    assert.equal(sd['fc1.weight']!.storage, a.fc1.weight.storage);
    b.loadStateDict(sd);
    const x = ax.randn([2, 4]);
    assert.deepEqual(b.forward(x).toArray(), a.forward(x).toArray());
    assert.notEqual(b.fc1.weight.storage, a.fc1.weight.storage);
  });

  test('loadStateDict names missing, unexpected and mis-shaped keys', () => {
    const m = new nn.Linear(3, 2);
    assert.throws(
      () => m.loadStateDict({ weight: ax.zeros([2, 3]) }),
      (e: Error) => e instanceof ax.ValueError && /missing keys: bias/.test(e.message),
    );
    assert.throws(
      () => m.loadStateDict({ weight: ax.zeros([2, 3]), bias: ax.zeros([2]), extra: ax.zeros([1]) }),
      (e: Error) => /unexpected keys: extra/.test(e.message),
    );
    assert.throws(
      () => m.loadStateDict({ weight: ax.zeros([3, 3]), bias: ax.zeros([2]) }),
      (e: Error) => e instanceof ax.ShapeError && /weight: checkpoint \[3, 3\], model \[2, 3\]/.test(e.message),
    );
    const r = m.loadStateDict({ weight: ax.ones([2, 3]) }, { strict: false });
    assert.deepEqual(r.missingKeys, ['bias']);
    assert.deepEqual(m.weight.toArray(), [
      [1, 1, 1],
      [1, 1, 1],
    ]);
  });

  test('buffers are in the state dict and follow PyTorch names', () => {
    const bn = new nn.BatchNorm1d(3);
    assert.deepEqual(Object.keys(bn.stateDict()), [
      'weight',
      'bias',
      'running_mean',
      'running_var',
      'num_batches_tracked',
    ]);
    bn.forward(ax.randn([5, 3]));
    assert.equal(bn.numBatchesTracked!.item(), 1);
  });

  test('forward hooks see inputs and outputs and can be removed; pre-hooks can replace inputs', () => {
    const m = new nn.Linear(2, 2);
    const shapes: number[][] = [];
    const h = m.registerForwardHook((_m, _i, out) => {
      shapes.push((out as ax.Tensor).shape as number[]);
    });
    m.forward(ax.ones([3, 2]));
    h.remove();
    m.forward(ax.ones([1, 2]));
    assert.deepEqual(shapes, [[3, 2]]);
    const p = m.registerForwardPreHook(() => [ax.zeros([1, 2])]);
    assert.deepEqual(m.forward(ax.ones([1, 2])).toArray(), [m.bias!.toArray()]);
    p.remove();
  });

  test('containers: Sequential with names, ModuleList, ModuleDict', () => {
    const s = new nn.Sequential({ conv: new nn.Conv2d(1, 2, 3), flat: new nn.Flatten() });
    assert.deepEqual(Object.keys(s.stateDict()), ['conv.weight', 'conv.bias']);
    assert.deepEqual(s.forward(ax.zeros([1, 1, 4, 4])).shape, [1, 8]);
    const list = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
    assert.equal(list.length, 2);
    assert.deepEqual(Object.keys(list.stateDict()), ['0.weight', '0.bias', '1.weight', '1.bias']);
    const dict = new nn.ModuleDict({ enc: new nn.Linear(2, 3) });
    assert.ok(dict.get('enc') instanceof nn.Linear);
    assert.throws(() => dict.get('dec'), ax.ValueError);
    assert.throws(() => list.at(5), ax.IndexError);
  });

  test('clone() deep-copies parameters and keeps structure', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const copy = layer.clone();
    assert.notEqual(copy.linear1.weight.storage, layer.linear1.weight.storage);
    assert.deepEqual(copy.linear1.weight.toArray(), layer.linear1.weight.toArray());
    assert.deepEqual(Object.keys(copy.stateDict()), Object.keys(layer.stateDict()));
    const enc = new nn.TransformerEncoder(layer, 2);
    assert.notEqual(enc.layers.at(0).linear1.weight.storage, enc.layers.at(1).linear1.weight.storage);
    assert.equal(enc.layers.at(1).linear1.path, 'layers.1.linear1');
  });

  test('summary prints layers, output shapes and parameter counts', () => {
    const m = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    const text = nn.summary(m, ax.zeros([5, 4]));
    assert.match(text, /0\s+Linear\s+\[5, 8\]\s+40/);
    assert.match(text, /2\s+Linear\s+\[5, 2\]\s+18/);
    assert.match(text, /Total params: 58/);
    assert.ok(m.training, 'summary restores the training mode');
  });

  test('toString shows the tree', () => {
    assert.equal(
      new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU()).toString(),
      'Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n  (1): ReLU()\n)',
    );
  });
});

describe('layer errors name the layer by its path, the expected and the actual shape', () => {
  test('feature size', () => {
    const enc = new nn.TransformerEncoder(
      new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }),
      2,
    );
    assert.throws(
      () => enc.forward(ax.zeros([2, 3, 7])),
      (e: Error) =>
        e instanceof ax.ShapeError &&
        /\[in MultiheadAttention\(layers\.0\.self_attn\)\]/.test(e.message) &&
        /\[2, 3, 7\]/.test(e.message),
    );
  });
  test('deep path through a Sequential inside a custom module', () => {
    class Net extends nn.Module {
      encoder = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
      forward(x: ax.Tensor) {
        return this.encoder.forward(x);
      }
    }
    const net = new Net();
    assert.throws(
      () => net.forward(ax.zeros([1, 5])),
      (e: Error) =>
        /\[in Linear\(encoder\.0\)\] linear: expected input with last dim 4/.test(e.message) &&
        /got input \[1, 5\]/.test(e.message),
    );
  });
  test('input rank', () => {
    const bn = new nn.BatchNorm2d(3);
    assert.throws(
      () => bn.forward(ax.zeros([2, 3])),
      (e: Error) => e instanceof ax.ShapeError && /BatchNorm2d: expected 4-D input/.test(e.message),
    );
    const lstm = new nn.LSTM(4, 5);
    assert.throws(
      () => lstm.forward(ax.zeros([2, 3, 6])),
      (e: Error) => /expected input with 4 features/.test(e.message),
    );
    assert.throws(
      () => lstm.forward(ax.zeros([2, 3, 4]), [ax.zeros([1, 3, 4]), ax.zeros([1, 3, 5])]),
      (e: Error) => /hidden state of shape \[1, 3, 5\]/.test(e.message),
    );
    assert.throws(
      () => new nn.Conv2d(3, 4, 3).forward(ax.zeros([1, 3, 2, 2])),
      (e: Error) => /smaller than the dilated kernel/.test(e.message),
    );
  });
  test('bad targets and bad options', () => {
    assert.throws(
      () => nn.functional.crossEntropy(ax.zeros([2, 3]), ax.tensor([0, 3], { dtype: 'int32' })),
      (e: Error) => e instanceof ax.IndexError && /target 3 is out of bounds for 3 classes/.test(e.message),
    );
    assert.throws(
      () => nn.functional.crossEntropy(ax.zeros([2, 3]), ax.tensor([0, 1, 2], { dtype: 'int32' })),
      ax.ShapeError,
    );
    assert.throws(
      () => nn.functional.mseLoss(ax.zeros([2]), ax.zeros([3])),
      (e: Error) => /mseLoss: target shape \[3\] must match input shape \[2\]/.test(e.message),
    );
    assert.throws(() => nn.functional.binaryCrossEntropy(ax.tensor([1.5]), ax.tensor([1])), ax.ValueError);
    assert.throws(() => new nn.Dropout(1.5).forward(ax.zeros([2])), ax.ValueError);
    assert.throws(() => new nn.MultiheadAttention(10, 3), ax.ValueError);
    assert.throws(() => nn.functional.embedding(ax.tensor([5], { dtype: 'int32' }), ax.zeros([3, 2])), ax.IndexError);
    assert.throws(() => new nn.BatchNorm1d(2).forward(ax.zeros([1, 2])), /more than 1 value per channel/);
  });
});

describe('init', () => {
  test('defaults and initialisers follow PyTorch formulas, seeded', () => {
    ax.manualSeed(3);
    const a = new nn.Linear(100, 50);
    ax.manualSeed(3);
    const b = new nn.Linear(100, 50);
    assert.deepEqual(a.weight.toArray(), b.weight.toArray());
    assert.ok(a.weight.abs().max().item() <= 0.1);
    const w = ax.zeros([200, 300]);
    nn.init.xavierUniform(w);
    assert.ok(w.abs().max().item() <= Math.sqrt(6 / 500) + 1e-7);
    nn.init.kaimingNormal(w, { nonlinearity: 'relu' });
    assert.ok(Math.abs(w.std().item() - Math.sqrt(2 / 300)) < 0.003);
    nn.init.xavierNormal(w, 2);
    assert.ok(Math.abs(w.std().item() - 2 * Math.sqrt(2 / 500)) < 0.003);
    nn.init.kaimingUniform(w, { a: Math.sqrt(5) });
    assert.ok(w.abs().max().item() <= 1 / Math.sqrt(300) + 1e-7);
    assert.equal(nn.init.calculateGain('tanh'), 5 / 3);
  });
  test('orthogonal gives orthonormal rows or columns', () => {
    for (const shape of [
      [4, 6],
      [6, 4],
      [3, 2, 2],
    ]) {
      const q = ax.zeros(shape);
      nn.init.orthogonal(q);
      const m = q.reshape(shape[0]!, -1);
      const gram = m.shape[0]! <= m.shape[1]! ? m.matmul(m.t()) : m.t().matmul(m);
      const eye = ax.eye(gram.shape[0]!);
      assert.ok(gram.sub(eye).abs().max().item() < 1e-5, `shape ${shape}`);
    }
  });
  test('embedding padding row starts at zero and never gets a gradient', () => {
    const e = new nn.Embedding(5, 3, { paddingIdx: 0 });
    assert.deepEqual(e.weight.select(0, 0).toArray(), [0, 0, 0]);
    e.forward(ax.tensor([[0, 2, 0]], { dtype: 'int32' }))
      .sum()
      .backward();
    assert.deepEqual(e.weight.grad!.select(0, 0).toArray(), [0, 0, 0]);
    assert.deepEqual(e.weight.grad!.select(0, 2).toArray(), [1, 1, 1]);
  });
});
