import assert from 'node:assert/strict';
import { writeSync } from 'node:fs';
import { test } from 'node:test';
import * as ax from '../src/index.js';

// Every public function, method and constructor is fed the classic wrong inputs — missing values,
// null, NaN, ±Infinity, negative and fractional numbers, a size of 1e10, strings, empty objects and
// arrays, booleans, lists of bad sizes, a bool tensor, a function — in each argument position (the
// earlier positions get a valid tensor). Whatever happens, an error must be one of Axon's types:
// never JavaScript's TypeError or RangeError, a Node error, a crash or an allocation of gigabytes.

const { nn, optim, data, io, train } = ax;
const bad = (): unknown[] => [
  undefined,
  null,
  NaN,
  Infinity,
  -1,
  2.5,
  1e10,
  'x',
  {},
  [],
  true,
  [1e10],
  [-1],
  [2.5],
  ['a'],
  ax.tensor([1, 2]).gt(0),
  () => 1,
];
const good = () => ax.randn([2, 3], { generator: new ax.Generator(1) });
type Fn = (...args: unknown[]) => unknown;
const TRACE = process.env['API_TRACE'] !== undefined; // prints each call, to find one that hangs or runs out of memory

/** Rejections of async functions probed, checked by the test that probed them (settled()). */
let pending: Promise<string | null>[] = [];
async function settled(): Promise<string[]> {
  const found = await Promise.all(pending);
  pending = [];
  return found.filter((f): f is string => f !== null);
}

/** Calls fn with each bad value in each position; returns the first non-Axon error found. */
function probe(name: string, fn: Fn, self?: unknown, before: () => unknown[] = () => []): string | null {
  const arity = Math.max(fn.length, 1);
  for (let pos = 0; pos <= arity; pos++) {
    for (const v of bad()) {
      const args = [...before()];
      for (let i = 0; i < pos; i++) args.push(good());
      args.push(v);
      if (TRACE) writeSync(2, `${name} ${pos} ${String(v)}\n`);
      try {
        const r = fn.apply(self, args);
        if (r instanceof Promise)
          pending.push(
            r.then(
              () => null,
              (e: unknown) =>
                e instanceof ax.AxonError
                  ? null
                  : `${name} (async): ${(e as Error).constructor.name} "${(e as Error).message.slice(0, 100)}" for argument ${pos} = ${String(v)}`,
            ),
          );
      } catch (e) {
        if (!(e instanceof ax.AxonError))
          return `${name}: ${(e as Error).constructor.name} "${(e as Error).message.slice(0, 100)}" for argument ${pos} = ${String(v)}`;
      }
    }
  }
  return null;
}

function functionsOf(ns: object, prefix: string, skip: readonly string[] = []): [string, Fn][] {
  return Object.entries(ns)
    .filter(([k, v]) => typeof v === 'function' && /^[a-z]/.test(k) && !skip.includes(k))
    .map(([k, v]) => [`${prefix}${k}`, v as Fn]);
}

function classesOf(ns: object, prefix: string, skip: readonly string[] = []): [string, Fn][] {
  return Object.entries(ns)
    .filter(([k, v]) => typeof v === 'function' && /^[A-Z]/.test(k) && !skip.includes(k) && !k.endsWith('Error'))
    .map(([k, C]) => [
      `new ${prefix}${k}`,
      function (...args: unknown[]) {
        return new (C as new (...a: unknown[]) => unknown)(...args);
      },
    ]);
}

function expectNone(found: (string | null)[]): void {
  const problems = found.filter((f): f is string => f !== null);
  assert.deepEqual(problems, [], `${problems.length} functions raised non-Axon errors:\n${problems.join('\n')}`);
}

test('top-level functions raise only Axon errors', () => {
  // registerBackend and setBackend change process-wide state; they are checked below with bad names.
  // initWasm too (it selects the wasm backend; its bad inputs are checked below).
  const fns = functionsOf(ax, 'ax.', ['registerBackend', 'setBackend', 'manualSeed', 'initWasm']);
  assert.ok(fns.length > 100, `${fns.length} functions`);
  expectNone(fns.map(([name, fn]) => probe(name, fn)));
  const before = ax.getBackend().name;
  for (const v of bad()) assert.throws(() => ax.setBackend(v as string), ax.AxonError);
  ax.setBackend(before);
});

test('initWasm rejects what is not a WebAssembly module with a BackendError, leaving the backend as it was', async () => {
  const before = ax.getBackend().name;
  for (const v of [42, {}, new Uint8Array([0, 97, 115, 109, 9, 9]), 'http://127.0.0.1:9/axon.wasm'])
    await assert.rejects(ax.initWasm(v as never), ax.BackendError);
  assert.equal(ax.getBackend().name, before);
});

test('nn.functional raises only Axon errors', () => {
  expectNone(functionsOf(nn.functional, 'F.').map(([name, fn]) => probe(name, fn)));
});

test('Tensor methods raise only Axon errors', async () => {
  const proto = ax.Tensor.prototype as unknown as Record<string, unknown>;
  const names = [...new Set([...Object.keys(proto), ...Object.getOwnPropertyNames(proto)])].filter(
    (k) => k !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, k)?.value === 'function',
  );
  assert.ok(names.length > 100, `${names.length} methods`);
  expectNone(names.map((k) => probe(`Tensor.${k}`, proto[k] as Fn, good())));
  expectNone(await settled());
});

test('layer constructors and forward() raise only Axon errors', () => {
  expectNone(classesOf(nn, 'nn.').map(([name, fn]) => probe(name, fn)));
  const layers: [string, () => ax.nn.Module][] = [
    ['Linear', () => new nn.Linear(3, 2)],
    ['Conv2d', () => new nn.Conv2d(1, 2, 3)],
    ['Conv1d', () => new nn.Conv1d(1, 2, 3)],
    ['MaxPool2d', () => new nn.MaxPool2d(2)],
    ['BatchNorm1d', () => new nn.BatchNorm1d(3)],
    ['LayerNorm', () => new nn.LayerNorm(3)],
    ['Embedding', () => new nn.Embedding(5, 3)],
    ['LSTM', () => new nn.LSTM(3, 4)],
    ['GRU', () => new nn.GRU(3, 4)],
    ['RNN', () => new nn.RNN(3, 4)],
    ['MultiheadAttention', () => new nn.MultiheadAttention(4, 2)],
    ['TransformerEncoderLayer', () => new nn.TransformerEncoderLayer(4, 2)],
    ['Sequential', () => new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU())],
    ['Dropout', () => new nn.Dropout(0.5)],
    ['CrossEntropyLoss', () => new nn.CrossEntropyLoss()],
    ['MSELoss', () => new nn.MSELoss()],
    ['Flatten', () => new nn.Flatten()],
  ];
  expectNone(
    layers.map(([name, make]) => {
      const m = make();
      return probe(`${name}.forward`, m.forward as Fn, m);
    }),
  );
  const m = new nn.Linear(3, 2);
  const methods = [
    'loadStateDict',
    'registerParameter',
    'registerBuffer',
    'registerModule',
    'train',
    'registerForwardHook',
    'registerForwardPreHook',
  ];
  for (const k of methods) assert.equal(typeof (m as unknown as Record<string, unknown>)[k], 'function', `Module.${k}`);
  expectNone(methods.map((k) => probe(`Module.${k}`, (m as unknown as Record<string, Fn>)[k]!, m)));
});

test('optimizers, schedulers and clipping raise only Axon errors', () => {
  const params = () => [new nn.Parameter(ax.ones([3]))];
  expectNone(classesOf(optim, 'optim.', ['Optimizer', 'LRScheduler']).map(([name, fn]) => probe(name, fn)));
  expectNone(
    classesOf(optim, 'optim.', [
      'Optimizer',
      'LRScheduler',
      'SGD',
      'Adam',
      'AdamW',
      'RMSprop',
      'Adagrad',
      'SequentialLR',
    ]).map(([name, fn]) => probe(`${name}(optimizer, …)`, fn, undefined, () => [new optim.SGD(params(), { lr: 0.1 })])),
  );
  expectNone(
    ['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad'].map((k) =>
      probe(
        `optim.${k}(params, …)`,
        function (...a: unknown[]) {
          return new (optim as unknown as Record<string, new (...x: unknown[]) => unknown>)[k]!(...a);
        },
        undefined,
        () => [params()],
      ),
    ),
  );
  expectNone(functionsOf(optim, 'optim.').map(([name, fn]) => probe(name, fn)));
  const opt = new optim.Adam(params());
  expectNone(
    ['loadStateDict', 'step', 'zeroGrad'].map((k) =>
      probe(`Adam.${k}`, (opt as unknown as Record<string, Fn>)[k]!, opt),
    ),
  );
});

test('data, io and train functions raise only Axon errors', () => {
  expectNone(
    [
      ...functionsOf(data, 'data.', ['fashionMnist']),
      ...functionsOf(data.augment, 'data.augment.'),
      ...classesOf(data, 'data.'),
      ...functionsOf(io, 'io.'),
      ...functionsOf(train, 'train.', ['startDashboard']),
      ...functionsOf(train.metrics, 'train.metrics.'),
      // These two create files or servers for whatever path they get; their own tests check arguments.
      ...classesOf(train, 'train.', ['SummaryWriter']),
      ...functionsOf(ax.fairness, 'fairness.'),
      ...classesOf(ax.fairness, 'fairness.'),
      ...functionsOf(ax.explain, 'explain.', ['attentionWeights']),
      ...functionsOf(ax.monitor, 'monitor.', ['saveProfile']),
    ].map(([name, fn]) => probe(name, fn)),
  );
});
