import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import * as ax from '../src/index.js';

// Mutation fuzz of checkpoints: a real checkpoint (model, Adam state, schedule, generator) is
// mutated — a metadata value replaced by another kind or an out-of-range number, a key deleted, a
// tensor swapped for a wrong shape, dtype or non-finite values, bytes flipped, the file cut short
// — and loaded into a fresh run. Each load must either raise an AxonError and leave the model,
// optimizer, scheduler and generator exactly as they were, or succeed and train on to finite
// numbers. `npm test` runs FUZZ_RUNS mutations (300 by default) with a fixed seed.

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261123);
const { nn, optim, io } = ax;

function run(seed: number) {
  ax.manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(3, 5), new nn.BatchNorm1d(5), new nn.ReLU(), new nn.Linear(5, 2));
  const opt = new optim.AdamW(model.parameters(), { lr: 0.01, weightDecay: 0.01, amsgrad: true });
  const sched = new optim.StepLR(opt, 2, 0.5);
  const gen = new ax.Generator(seed + 1);
  return { model, opt, sched, gen };
}
type Run = ReturnType<typeof run>;

function trainSteps(r: Run, steps: number): number {
  const x = ax.randn([8, 3], { generator: new ax.Generator(3) }),
    y = ax.randn([8, 2], { generator: new ax.Generator(4) });
  let loss = 0;
  for (let i = 0; i < steps; i++) {
    r.opt.zeroGrad();
    const l = nn.functional.mseLoss(r.model.forward(x), y);
    l.backward();
    r.opt.step();
    r.sched.step();
    loss = l.item();
  }
  return loss;
}

/** Everything a load could change, as text. */
function snapshot(r: Run): string {
  return JSON.stringify([
    Object.entries(r.model.stateDict()).map(([k, v]) => [k, [...v.toTypedArray()]]),
    r.opt.stateDict().paramGroups,
    [...r.opt.state.values()].map((s) =>
      Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : [...v.toTypedArray()]]),
    ),
    r.sched.lastEpoch,
    r.sched.getLastLr(),
    r.gen.getState(),
  ]);
}

// The checkpoint every mutation starts from.
const dir = mkdtempSync(join(tmpdir(), 'axon-ckfuzz-'));
const original = join(dir, 'good.ckpt');
{
  const r = run(0);
  trainSteps(r, 3);
  io.saveCheckpoint(original, {
    model: r.model,
    optimizer: r.opt,
    scheduler: r.sched,
    epoch: 3,
    generators: { default: r.gen },
  });
}
const good = io.loadSafetensors(original);
const goodHeader = JSON.parse(good.metadata['axon.checkpoint']!) as unknown;

/** Every path to a leaf (or container) in a JSON value. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = prefix.length ? [prefix] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}
const headerPaths = paths(goodHeader);
const tensorNames = Object.keys(good.tensors).sort();

const hostile = fc.constantFrom<unknown>(
  'abc',
  '1',
  true,
  null,
  [],
  {},
  [1, 2],
  -1,
  -1e9,
  1.5,
  0.5,
  2,
  3,
  1e9,
  0,
  4294967296,
  '__proto__',
);

type Mutation =
  | { kind: 'value'; path: (string | number)[]; value: unknown }
  | { kind: 'delete'; path: (string | number)[] }
  | { kind: 'tensor'; name: string; change: 'shape' | 'dtype' | 'nan' | 'remove' | 'extra' }
  | { kind: 'bytes'; at: number; xor: number }
  | { kind: 'truncate'; fraction: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('value' as const),
      path: fc.constantFrom(...headerPaths),
      value: hostile,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...headerPaths) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('tensor' as const),
      name: fc.constantFrom(...tensorNames),
      change: fc.constantFrom('shape' as const, 'dtype' as const, 'nan' as const, 'remove' as const, 'extra' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('truncate' as const),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
);

function apply(m: Mutation, file: string): void {
  if (m.kind === 'bytes' || m.kind === 'truncate') {
    const bytes = readFileSync(original);
    if (m.kind === 'bytes') {
      // Mostly within the length field and the header, where structure lives.
      const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
      const at = m.at % (m.at % 4 === 0 ? bytes.length : headerEnd);
      bytes[at] = bytes[at]! ^ m.xor;
      writeFileSync(file, bytes);
    } else writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * m.fraction)));
    return;
  }
  const header = structuredClone(goodHeader) as Record<string, unknown>;
  const tensors: Record<string, ax.Tensor> = { ...good.tensors };
  if (m.kind === 'value' || m.kind === 'delete') {
    let parent = header as Record<string | number, unknown>;
    for (const k of m.path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = m.path[m.path.length - 1]!;
    if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else parent[last] = m.value;
  } else {
    const t = tensors[m.name]!;
    if (m.change === 'shape') tensors[m.name] = ax.zeros([t.numel + 1]);
    else if (m.change === 'dtype') tensors[m.name] = t.to(t.dtype === 'float32' ? 'float64' : 'float32');
    else if (m.change === 'nan') tensors[m.name] = ax.full(t.shape, NaN);
    else if (m.change === 'remove') delete tensors[m.name];
    else tensors[`${m.name}.extra`] = ax.ones([2]);
  }
  io.saveSafetensors(file, tensors, { 'axon.checkpoint': JSON.stringify(header) });
}

test('checkpoint mutation fuzz: every load fails whole with an AxonError or trains to finite numbers', () => {
  let failedWhole = 0,
    loaded = 0;
  fc.assert(
    fc.property(mutation, (m) => {
      const file = join(dir, 'mutated.ckpt');
      apply(m, file);
      const r = run(7);
      const before = snapshot(r);
      let ok = true;
      try {
        io.loadCheckpoint(file, {
          model: r.model,
          optimizer: r.opt,
          scheduler: r.sched,
          generators: { default: r.gen },
        });
      } catch (e) {
        ok = false;
        if (!(e instanceof ax.AxonError))
          throw new Error(`${JSON.stringify(m)}: raw ${(e as Error).constructor.name}: ${(e as Error).message}`, {
            cause: e,
          });
        if (snapshot(r) !== before)
          throw new Error(`${JSON.stringify(m)}: the load threw (${e.message}) after changing the run`, { cause: e });
        failedWhole++;
      }
      if (ok) {
        loaded++;
        const loss = trainSteps(r, 3);
        const finite = Number.isFinite(loss) && Object.values(r.model.stateDict()).every((t) => t.allFinite());
        // A legal but extreme value (weight decay 1e9, say) may rightly blow training up.
        const extreme = m.kind === 'value' && typeof m.value === 'number' && Math.abs(m.value) >= 1e9;
        if (!finite && !extreme) throw new Error(`${JSON.stringify(m)}: loaded, then trained to loss ${loss}`);
      }
    }),
    { seed: SEED, numRuns: RUNS, includeErrorInReport: true },
  );
  assert.ok(failedWhole > 0 && loaded > 0, `${failedWhole} refused, ${loaded} loaded`);
  console.log(
    `# checkpoint fuzz: ${RUNS} mutations (seed ${SEED}): ${failedWhole} refused whole, ${loaded} loaded and trained`,
  );
});
