import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as ax from '../src/index.js';
import { throwsTyped } from './helpers/throws.js';

// Regression tests for what a hostile or careless caller found (issue 9): each failed before its
// fix, on the backend it names or on both. They run on both backends (npm test runs the suite twice).

const { nn, optim, io, data } = ax;
const F = nn.functional;
const tmp = () => mkdtempSync(join(tmpdir(), 'axon-rel-'));

/** Max pooling by definition (windows clipped to the input), the reference for ceil mode. */
function naiveMaxPool2d(x: ax.Tensor, k: [number, number], s: [number, number], oh: number, ow: number): number[] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const v = x.contiguous().toTypedArray();
  const out: number[] = [];
  for (let p = 0; p < N * C; p++)
    for (let y = 0; y < oh; y++)
      for (let z = 0; z < ow; z++) {
        let best = -Infinity;
        for (let i = y * s[0]; i < Math.min(y * s[0] + k[0], H); i++)
          for (let j = z * s[1]; j < Math.min(z * s[1] + k[1], W); j++)
            best = Math.max(best, v[p * H * W + i * W + j]!);
        out.push(best);
      }
  return out;
}

describe('max pooling with ceilMode stays inside the input', () => {
  test('maxPool1d: the last window hangs over the edge', () => {
    assert.deepEqual(F.maxPool1d(ax.tensor([[[0, -1, -2, -3, -4]]]), 2, { ceilMode: true }).toArray(), [[[0, -2, -4]]]);
  });
  test('MaxPool2d(2, ceilMode) on [8, 16, 7, 7] equals the definition', () => {
    const x = ax.randn([8, 16, 7, 7], { generator: new ax.Generator(3) });
    const y = new nn.MaxPool2d(2, { ceilMode: true }).forward(x);
    assert.deepEqual(y.shape, [8, 16, 4, 4]);
    assert.deepEqual([...y.toTypedArray()], naiveMaxPool2d(x, [2, 2], [2, 2], 4, 4).map(Math.fround));
  });
  test('a tall window past the last row (segfaulted natively)', () => {
    const x = ax.randn([1, 1, 101, 1000], { generator: new ax.Generator(4) });
    const y = F.maxPool2d(x, [100, 1], { stride: [100, 1], ceilMode: true });
    assert.deepEqual(y.shape, [1, 1, 2, 1000]);
    assert.deepEqual([...y.select(2, 1).reshape(-1).toTypedArray()], [...x.select(2, 100).reshape(-1).toTypedArray()]);
  });
});

describe('views and writes never leave their storage', () => {
  test('sliceScatter past the end is a ShapeError (corrupted the heap natively, ignored in JS)', () => {
    throwsTyped(
      () => ax.sliceScatter(ax.zeros([2048]), ax.full([2048], 7), 0, 2048, 4096),
      ax.ShapeError,
      /sliceScatter/,
      /\[2048\]/,
      /\[0\]/,
    );
  });
  test('sliceScatter with a negative start follows Python slice rules (double-freed natively)', () => {
    const out = ax.sliceScatter(ax.zeros([2048]), ax.full([2048], 7), 0, -2048);
    assert.equal(out.sum().item(), 7 * 2048);
    const part = ax.sliceScatter(ax.zeros([6]), ax.ones([2]), 0, -2);
    assert.deepEqual(part.toArray(), [0, 0, 0, 0, 1, 1]);
    throwsTyped(
      () => ax.sliceScatter(ax.zeros([6]), ax.ones([2]), 0, 1.5, 3),
      ax.ValueError,
      /start must be an integer/,
    );
  });
  test('a Tensor whose layout reaches past its storage cannot be made (segfaulted natively)', () => {
    throwsTyped(
      () => new ax.Tensor(new ax.Storage(new Float32Array(4)), [1 << 20], [1], 0, 'float32'),
      ax.ValueError,
      /reach elements 0 to 1048575/,
      /holds 4/,
    );
    throwsTyped(
      () => new ax.Tensor(new ax.Storage(new Float32Array(4)), [2], [1], 3, 'float32'),
      ax.ValueError,
      /reach elements 3 to 4/,
    );
    throwsTyped(
      () => new ax.Tensor(new ax.Storage(new Float32Array(4)), [2], [-1], 0, 'float32'),
      ax.ValueError,
      /-1 to 0/,
    );
    throwsTyped(() => new ax.Tensor(new ax.Storage(new Float32Array(4)), [2], [1], 0, 'int32'), ax.DTypeError, /int32/);
    throwsTyped(
      () => new ax.Storage([1, 2] as unknown as Float32Array),
      ax.ValueError,
      /expected a Float32Array, .* got Array/,
    );
    const ok = new ax.Tensor(new ax.Storage(new Float32Array(4)), [2, 2], [1, 2], 0, 'float32');
    assert.deepEqual(ok.add(1).shape, [2, 2]);
  });
  test('a gradient of the wrong shape or dtype cannot be assigned (optimizers read past it natively)', () => {
    const p = new nn.Parameter(ax.zeros([1 << 22]));
    throwsTyped(
      () => {
        p.grad = ax.ones([1]);
      },
      ax.ShapeError,
      /grad/,
      /\[1\]/,
      /\[4194304\]/,
    );
    throwsTyped(
      () => {
        p.grad = ax.ones([1 << 22], { dtype: 'float64' });
      },
      ax.DTypeError,
      /float64/,
    );
    for (const opt of [new optim.SGD([p], { lr: 0.1, momentum: 0.9 }), new optim.Adam([p])]) {
      p.grad = ax.ones([1 << 22]);
      opt.step();
      assert.ok(Number.isFinite(p.sum().item()));
    }
  });
  test('in-place writes through an expanded view are refused, as in PyTorch', () => {
    throwsTyped(() => ax.ones([1]).expand(2048).add_(1), ax.ValueError, /add_/, /expanded view/);
    throwsTyped(() => ax.ones([3, 1]).expand(3, 4).fill_(0), ax.ValueError, /fill_/);
    assert.deepEqual(ax.ones([1]).expand(3).clone().add_(1).toArray(), [2, 2, 2]);
  });
});

describe('generators and checkpoints fail whole', () => {
  test('an all-zero generator state is refused (randn looped forever)', () => {
    const g = new ax.Generator(1);
    const before = g.getState();
    throwsTyped(() => g.setState([0, 0, 0, 0, NaN]), ax.ValueError, /all zero/);
    throwsTyped(() => g.setState([1, 2, 3] as number[]), ax.ValueError, /4 unsigned 32-bit words/);
    throwsTyped(() => g.setState([1, 2, 3, 4, Infinity]), ax.ValueError, /spare normal/);
    assert.deepEqual(g.getState(), before);
  });

  /** A saved run, and a way to rewrite its header. */
  function savedRun() {
    const dir = tmp(),
      path = join(dir, 'run.ckpt');
    ax.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
    const sched = new optim.StepLR(opt, 2);
    const x = ax.randn([8, 3]);
    model.forward(x).sum().backward();
    opt.step();
    io.saveCheckpoint(path, { model, optimizer: opt, scheduler: sched, epoch: 1 });
    const edit = (change: (h: Record<string, any>) => void, tensors?: (t: Record<string, ax.Tensor>) => void) => {
      const { tensors: ts, metadata } = io.loadSafetensors(path);
      const h = JSON.parse(metadata['axon.checkpoint']!) as Record<string, any>;
      change(h);
      const copy = { ...ts };
      tensors?.(copy);
      const out = join(dir, `edited-${Math.random()}.ckpt`);
      io.saveSafetensors(out, copy, { 'axon.checkpoint': JSON.stringify(h) });
      return out;
    };
    return { path, edit };
  }

  function fresh() {
    ax.manualSeed(5);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
    const sched = new optim.StepLR(opt, 2);
    const gen = new ax.Generator(11);
    const snapshot = () =>
      JSON.stringify([
        Object.entries(model.stateDict()).map(([k, v]) => [k, [...v.toTypedArray()]]),
        opt.paramGroups.map(({ params: _p, ...h }) => h),
        [...opt.state.values()].length,
        sched.lastEpoch,
        gen.getState(),
      ]);
    return { model, opt, sched, gen, snapshot };
  }

  const cases: [string, (h: Record<string, any>) => void, RegExp, ((t: Record<string, ax.Tensor>) => void)?][] = [
    [
      'lr "abc" (gave NaN weights)',
      (h) => {
        h.optimizer.paramGroups[0].lr = 'abc';
      },
      /lr/,
    ],
    [
      'lr -10',
      (h) => {
        h.optimizer.paramGroups[0].lr = -10;
      },
      /learning rate/,
    ],
    [
      'betas 5',
      (h) => {
        h.optimizer.paramGroups[0].betas = 5;
      },
      /betas/,
    ],
    [
      'an unknown hyper-parameter',
      (h) => {
        h.optimizer.paramGroups[0].momentun = 0.9;
      },
      /unknown hyper-parameter 'momentun'/,
    ],
    [
      'step -5',
      (h) => {
        h.optimizer.scalars['0'].step = -5;
      },
      /step must be an integer ≥ 0/,
    ],
    [
      'epoch -1e9 (ran a billion epochs)',
      (h) => {
        h.epoch = -1e9;
      },
      /epoch must be a non-negative integer/,
    ],
    [
      'epoch "1" (ran none)',
      (h) => {
        h.epoch = '1';
      },
      /epoch must be a non-negative integer/,
    ],
    [
      'scheduler lastEpoch 1.5',
      (h) => {
        h.scheduler.lastEpoch = 1.5;
      },
      /lastEpoch must be an integer/,
    ],
    [
      'a zero generator state',
      (h) => {
        h.generators.default = [0, 0, 0, 0, null];
      },
      /all zero/,
    ],
    [
      'a wrong-shaped optimizer state',
      () => {},
      /state 'exp_avg' of parameter 0 has shape \[5\]/,
      (t) => {
        t['optimizer.0.exp_avg'] = ax.zeros([5]);
      },
    ],
    [
      'a NaN weight',
      () => {},
      /non-finite/,
      (t) => {
        t['model.0.weight'] = ax.full([4, 3], NaN);
      },
    ],
    [
      'a missing optimizer',
      (h) => {
        h.optimizer = null;
      },
      /no optimizer state/,
    ],
    [
      'a header that is null',
      (h) => {
        for (const k of Object.keys(h)) delete h[k];
      },
      /checkpoint version/,
    ],
  ];
  for (const [what, change, pattern, tensors] of cases) {
    test(`a checkpoint with ${what} is refused and nothing changes`, () => {
      const run = savedRun();
      const file = run.edit(change, tensors);
      const f = fresh();
      const before = f.snapshot();
      assert.throws(
        () =>
          io.loadCheckpoint(file, {
            model: f.model,
            optimizer: f.opt,
            scheduler: f.sched,
            generators: { default: f.gen },
          }),
        (e: Error) => {
          assert.ok(e instanceof ax.AxonError, `expected an AxonError, got ${e.constructor.name}: ${e.message}`);
          assert.match(e.message, pattern);
          return true;
        },
      );
      assert.equal(f.snapshot(), before);
    });
  }
  test('a null or non-object checkpoint header is a FormatError, not a TypeError', () => {
    const run = savedRun();
    const { tensors } = io.loadSafetensors(run.path);
    for (const header of ['null', '[1]', '"x"']) {
      const file = join(tmp(), 'h.ckpt');
      io.saveSafetensors(file, tensors, { 'axon.checkpoint': header });
      throwsTyped(() => io.loadCheckpoint(file, fresh()), ax.FormatError, /not an object/);
    }
  });
});

describe('hostile files are refused cheaply', () => {
  test('a gzip bomb given to loadIdx stops at the size its header claims', () => {
    const header = Buffer.from([0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28]);
    const bomb = gzipSync(Buffer.concat([header, Buffer.alloc(64 << 20)]), { level: 9 });
    const start = performance.now();
    throwsTyped(
      () => data.parseIdx(bomb),
      ax.FormatError,
      /decompresses to more than the 7856 bytes its header claims/,
    );
    assert.ok(performance.now() - start < 2000, 'the bomb was inflated');
    const good = gzipSync(Buffer.concat([header, Buffer.alloc(7840, 3)]));
    assert.deepEqual(data.parseIdx(good).shape, [10, 28, 28]);
    throwsTyped(
      () => data.parseIdx(gzipSync(Buffer.concat([header, Buffer.alloc(100)]))),
      ax.FormatError,
      /header says \[10, 28, 28\]/,
    );
  });

  /** A safetensors file from header text and data bytes. */
  const craft = (json: string | Uint8Array, bytes = new Uint8Array(0)) => {
    const head = typeof json === 'string' ? Buffer.from(json) : json;
    const out = new Uint8Array(8 + head.length + bytes.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
    out.set(head, 8);
    out.set(bytes, 8 + head.length);
    return out;
  };
  const entry = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
  test('a huge safetensors header for a few tensors is refused before it is parsed', () => {
    const big = `{"a":${entry},"__metadata__":{"x":"${'y'.repeat(4 << 20)}"}}`;
    throwsTyped(() => io.parseSafetensors(craft(big, new Uint8Array(4))), ax.FormatError, /entries \(at most/);
  });
  test('a tensor named __proto__ is an ordinary entry', () => {
    const { tensors } = io.parseSafetensors(craft(`{"__proto__":${entry}}`, new Uint8Array(4)));
    assert.deepEqual(Object.keys(tensors), ['__proto__']);
    assert.ok(Object.getPrototypeOf(tensors) === null);
    assert.ok(tensors['__proto__'] instanceof ax.Tensor);
  });
  test('duplicate keys, invalid UTF-8 and an array __metadata__ are FormatErrors', () => {
    throwsTyped(
      () => io.parseSafetensors(craft(`{"a":${entry},"a":${entry}}`, new Uint8Array(8))),
      ax.FormatError,
      /names 'a' twice/,
    );
    throwsTyped(
      () => io.parseSafetensors(craft(Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))),
      ax.FormatError,
      /not valid UTF-8/,
    );
    throwsTyped(
      () => io.parseSafetensors(craft('{"__metadata__":["a"]}')),
      ax.FormatError,
      /__metadata__ must be an object/,
    );
  });
  test('CSV: integers beyond int32, hexadecimal, a byte-order mark, many labels, unknown options', () => {
    const big = data.parseCsv('x,y\n1,3000000000\n2,1\n', { target: 'y' });
    assert.equal(big.target!.dtype, 'float32');
    assert.equal(big.target!.toArray()[0], 3e9);
    throwsTyped(() => data.parseCsv('x,y\n0x1A,1\n', { target: 'y' }), ax.FormatError, /non-numeric value '0x1A'/);
    const bom = data.parseCsv('\uFEFFa,b\n1,2\n');
    assert.deepEqual(bom.featureNames, ['a', 'b']);
    const rows = Array.from({ length: 40_000 }, (_, i) => `${i},label${i}`).join('\n');
    const start = performance.now();
    const labels = data.parseCsv(`x,y\n${rows}\n`, { target: 'y' });
    assert.equal(labels.classes!.length, 40_000);
    assert.ok(performance.now() - start < 1500, `40 000 labels took ${performance.now() - start} ms`);
    throwsTyped(
      () => data.parseCsv('x,y\n1,2\n', { missing: 'zero' } as never),
      ax.ValueError,
      /missing must be one of/,
    );
    throwsTyped(() => data.parseCsv('x,y\n1,2\n', { targt: 'y' } as never), ax.ValueError, /unknown option 'targt'/);
  });
  test('saving into a missing directory is an IOError naming the path, and leaves nothing behind', () => {
    const dir = tmp();
    throwsTyped(
      () => io.saveSafetensors(join(dir, 'nope', 'w.safetensors'), { a: ax.ones([2]) }),
      ax.IOError,
      /saveSafetensors: cannot write .*nope/,
    );
  });
});

describe('tensor creation and arguments', () => {
  test('holes and undefined in nested arrays are refused ([1,,3] gave [1,3,0])', () => {
    // eslint-disable-next-line no-sparse-arrays
    throwsTyped(() => ax.tensor([1, , 3] as number[]), ax.ValueError, /element \[1\] is missing/);
    throwsTyped(
      () =>
        ax.tensor([
          [1, 2],
          [3, undefined],
        ] as unknown as number[][]),
      ax.ValueError,
      /\[1\]\[1\] is missing/,
    );
  });
  test('int32 values out of range are refused (3e9 wrapped)', () => {
    throwsTyped(() => ax.tensor([3e9], { dtype: 'int32' }), ax.ValueError, /3000000000 .* does not fit dtype int32/);
    throwsTyped(() => ax.tensor([NaN], { dtype: 'int32' }), ax.ValueError, /NaN/);
    throwsTyped(() => ax.tensor(new Float64Array([-3e9]), { dtype: 'int32' }), ax.ValueError, /int32/);
    assert.deepEqual(ax.tensor([2147483647, -2147483648], { dtype: 'int32' }).toArray(), [2147483647, -2147483648]);
  });
  test('clamp with min > max gives max everywhere, as PyTorch', () => {
    assert.deepEqual(ax.tensor([0, 2, 5]).clamp(3, 1).toArray(), [1, 1, 1]);
    const big = ax.arange(0, 3000).to('float32').clamp(2000, 1000);
    assert.equal(big.min().item(), 1000);
    assert.equal(big.max().item(), 1000);
    throwsTyped(() => ax.tensor([1]).clamp({ min: 0 } as never), ax.ValueError, /clamp: min must be a number/);
  });
  test('non-integer and huge sizes are ValueErrors on both backends', () => {
    throwsTyped(() => ax.zeros([1e10]), ax.ValueError, /cannot allocate 10000000000 elements/);
    throwsTyped(() => ax.zeros([2.5]), ax.ValueError, /invalid shape/);
    throwsTyped(() => ax.ones([4]).slice(0, 0.5, 2), ax.ValueError, /start must be an integer/);
    throwsTyped(() => ax.ones([4]).reshape(2.5, 2), ax.ValueError, /invalid size 2.5/);
  });
  test('Linear(0, n) outputs zeros (it gave NaN), layers check their sizes', () => {
    const y = new nn.Linear(0, 3).forward(ax.zeros([2, 0]));
    assert.deepEqual(y.toArray(), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
    throwsTyped(() => new nn.Linear(2.5, 3), ax.ValueError, /Linear: inFeatures must be an integer ≥ 0/);
    throwsTyped(
      () => new nn.Conv2d(3, 8, 3, { groups: 2 }),
      ax.ValueError,
      /inChannels \(3\) must be divisible by groups \(2\)/,
    );
    throwsTyped(() => new nn.Conv2d(3, 8, 0), ax.ValueError, /kernelSize must be positive/);
  });
});
