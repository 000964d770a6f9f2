import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'node:test';
import * as ax from '../src/index.js';

// Training must not leak: every step's intermediates (tensors, graph nodes, typed arrays, the
// kernels' scratch memory) are released. 10 000 steps of a small model on the backend under test,
// with the heap, the typed arrays' memory and the RSS compared after a warm-up and at the end.
// Under AddressSanitizer (slow, and with its own allocator) the run is shorter and the RSS unchecked.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const ASAN = process.env['AXON_NATIVE_ADDON']?.includes('asan') ?? false;
const STEPS = ASAN ? 2_000 : 10_000;

test(`training ${STEPS} steps keeps memory flat (${ax.getBackend().name} backend)`, (t) => {
  ax.manualSeed(0);
  const model = new ax.nn.Sequential(new ax.nn.Linear(16, 32), new ax.nn.ReLU(), new ax.nn.Linear(32, 4));
  const opt = new ax.optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = ax.randn([32, 16]),
    y = ax.randint(0, 4, [32]);
  const step = () => {
    opt.zeroGrad();
    const loss = ax.nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    return loss.item();
  };
  const sample = () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return { heap: m.heapUsed, arrays: m.arrayBuffers, rss: m.rss };
  };
  const warmup = STEPS / 10;
  for (let i = 0; i < warmup; i++) step();
  const before = sample();
  let last = 0;
  for (let i = warmup; i < STEPS; i++) last = step();
  const after = sample();
  assert.ok(Number.isFinite(last));
  const mb = (n: number) => (n / 2 ** 20).toFixed(2);
  const growth = `heap ${mb(before.heap)} → ${mb(after.heap)} MB, array buffers ${mb(before.arrays)} → ${mb(after.arrays)} MB, rss ${mb(before.rss)} → ${mb(after.rss)} MB`;
  t.diagnostic(growth);
  // Each step allocates ~100 kB of intermediates: a leak of one would show as tens of MB here.
  assert.ok(after.heap - before.heap < 4 * 2 ** 20, growth);
  assert.ok(after.arrays - before.arrays < 1 * 2 ** 20, growth);
  // AddressSanitizer keeps freed memory in quarantine (up to 256 MB), so the RSS says nothing there.
  if (!ASAN) assert.ok(after.rss - before.rss < 48 * 2 ** 20, growth);
});
