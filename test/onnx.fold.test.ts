import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as ax from '../src/index.js';

// In evaluation without gradients the ONNX interpreter runs a BatchNormalization inside the
// convolution before it (src/onnx/fold-batch-norm.ts). Folding must never show: the results equal
// the unfolded graph's, and the folded weights follow every change to the tensors they came from.

const { nn } = ax;
const dir = mkdtempSync(join(tmpdir(), 'axon-fold-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A small CNN whose batch norms have non-trivial statistics, exported and loaded back. */
function exported(): { source: ax.nn.Module; model: ax.onnx.OnnxModule } {
  ax.manualSeed(3);
  const source = new nn.Sequential(
    new nn.Conv2d(3, 8, 3, { padding: 1 }),
    new nn.BatchNorm2d(8),
    new nn.ReLU(),
    new nn.Conv2d(8, 12, 3, { stride: 2, bias: false }),
    new nn.BatchNorm2d(12),
  );
  // A few batches in training mode move the running statistics away from 0 and 1.
  for (let i = 0; i < 3; i++) source.forward(ax.randn([4, 3, 9, 9]).mul(2).add(1));
  source.eval();
  const path = join(dir, `fold-${Math.random().toString(36).slice(2)}.onnx`);
  ax.onnx.export(source, ax.randn([2, 3, 9, 9]), path, {
    inputNames: ['x'],
    dynamicAxes: { x: { 0: 'batch' } },
  });
  return { source, model: ax.onnx.load(path).eval() };
}

/** The folded result (no gradients) and the graph as written (gradients on: no folding). */
function bothWays(model: ax.nn.Module, x: ax.Tensor): [ax.Tensor, ax.Tensor] {
  const folded = ax.noGrad(() => model.forward(x) as ax.Tensor);
  const plain = (model.forward(x) as ax.Tensor).detach();
  return [folded, plain];
}

function close(a: ax.Tensor, b: ax.Tensor, tol: number, what: string) {
  assert.deepEqual(a.shape, b.shape, what);
  const diff = a.sub(b).abs().max().item();
  assert.ok(diff <= tol, `${what}: differs by ${diff}`);
}

describe('ONNX: BatchNormalization folded into the convolution before it', () => {
  test('gives what the unfolded graph and the source module give', () => {
    const { source, model } = exported();
    const x = ax.randn([5, 3, 9, 9]);
    const [folded, plain] = bothWays(model, x);
    close(folded, plain, 1e-5, 'folded vs unfolded');
    close(
      folded,
      ax.noGrad(() => source.forward(x)),
      1e-5,
      'folded vs source',
    );
  });

  test('follows in-place changes, loaded state and optimizer steps', () => {
    const { model } = exported();
    const x = ax.randn([2, 3, 9, 9]);
    const before = ax.noGrad(() => model.forward(x) as ax.Tensor);
    const state = model.stateDict();
    const varKey = Object.keys(state).find((k) => k.endsWith('running_var'))!;
    const meanKey = Object.keys(state).find((k) => k.endsWith('running_mean'))!;
    assert.ok(varKey && meanKey, `statistics in ${Object.keys(state).join(', ')}`);
    state[varKey]!.mul_(4);
    let [folded, plain] = bothWays(model, x);
    close(folded, plain, 1e-5, 'after an in-place change');
    assert.ok(folded.sub(before).abs().max().item() > 1e-3, 'the change shows');

    const loaded = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.mul(0.5)]));
    model.loadStateDict(loaded);
    [folded, plain] = bothWays(model, x);
    close(folded, plain, 1e-5, 'after loadStateDict');

    model.train();
    const opt = new ax.optim.SGD(model.parameters(), { lr: 0.1 });
    const loss = (model.forward(ax.randn([4, 3, 9, 9])) as ax.Tensor).square().mean();
    loss.backward();
    opt.step();
    model.eval();
    [folded, plain] = bothWays(model, x);
    close(folded, plain, 1e-5, 'after an optimizer step');
  });

  test('bad inputs in the folded mode get the usual errors, and the model keeps working', () => {
    const { model } = exported();
    const x = ax.randn([2, 3, 9, 9]);
    const good = ax.noGrad(() => model.forward(x) as ax.Tensor);
    assert.throws(() => ax.noGrad(() => model.forward(ax.randn([2, 4, 9, 9]))), /input 'x' should have shape/);
    assert.throws(() => ax.noGrad(() => model.forward(ax.randn([2, 3, 9]))), /input 'x' should have shape/);
    close(
      ax.noGrad(() => model.forward(x) as ax.Tensor),
      good,
      0,
      'after the errors',
    );
  });

  test('leaves a convolution alone when its own output is asked for, and training mode unfolded', () => {
    const { model } = exported();
    const convOut = model.valueNames()[0]!;
    const x = ax.randn([2, 3, 9, 9]);
    const [both] = [ax.noGrad(() => model.run({ x }, [convOut, model.outputNames[0]!]))];
    const plainConv = model.run({ x }, [convOut])[convOut] as ax.Tensor;
    close(both[convOut] as ax.Tensor, plainConv.detach(), 1e-6, 'the convolution output itself');
    const [, plain] = bothWays(model, x);
    close(both[model.outputNames[0]!] as ax.Tensor, plain, 1e-5, 'and the output');
    // Training mode normalises with the batch's statistics: never folded.
    model.train();
    const trained = ax.noGrad(() => model.forward(x) as ax.Tensor);
    const mean = trained.mean([0, 2, 3]);
    assert.ok(mean.abs().max().item() < 1e-4, 'batch statistics in training mode');
  });
});
