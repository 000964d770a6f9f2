import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';

const { nn, data, optim, train, io } = ax;
const tmp = () => mkdtempSync(join(tmpdir(), 'axon-ckpt-'));

function bits(m: ax.nn.Module): string[] {
  return Object.entries(m.stateDict()).map(
    ([k, v]) => `${k}:${Buffer.from((v.contiguous().toTypedArray() as Float32Array).buffer).toString('base64')}`,
  );
}

/** A small model with dropout and batch norm (random and running state), Adam, a cosine schedule. */
function setup(seed: number) {
  ax.manualSeed(seed);
  const model = new nn.Sequential(
    new nn.Linear(6, 16),
    new nn.BatchNorm1d(16),
    new nn.ReLU(),
    new nn.Dropout(0.3),
    new nn.Linear(16, 3),
  );
  const opt = new optim.AdamW(model.parameters(), { lr: 0.01, weightDecay: 0.01 });
  const sched = new optim.CosineAnnealingLR(opt, 6);
  const x = ax.randn([96, 6], { generator: new ax.Generator(5) });
  const y = x.narrow(1, 0, 3).argmax(1);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 16, shuffle: true });
  return { model, opt, sched, loader };
}

test('saveCheckpoint/loadCheckpoint restore model, optimizer, scheduler, epoch, generator and extra data', () => {
  const dir = tmp(),
    path = join(dir, 'run.ckpt');
  const a = setup(0);
  train.fit(a.model, a.loader, {
    epochs: 2,
    optimizer: a.opt,
    loss: nn.functional.crossEntropy,
    scheduler: a.sched,
    progress: false,
  });
  io.saveCheckpoint(path, {
    model: a.model,
    optimizer: a.opt,
    scheduler: a.sched,
    epoch: 2,
    extra: { note: 'hi', best: 0.5 },
  });
  const next = ax.defaultGenerator.getState();
  const b = setup(99);
  const { epoch, extra } = io.loadCheckpoint(path, { model: b.model, optimizer: b.opt, scheduler: b.sched });
  assert.equal(epoch, 2);
  assert.deepEqual(extra, { note: 'hi', best: 0.5 });
  assert.deepEqual(bits(b.model), bits(a.model));
  assert.deepEqual(ax.defaultGenerator.getState(), next);
  assert.equal(b.sched.lastEpoch, a.sched.lastEpoch);
  assert.equal(b.opt.paramGroups[0]!.lr, a.opt.paramGroups[0]!.lr);
  const sa = a.opt.stateDict(),
    sb = b.opt.stateDict();
  assert.deepEqual(Object.keys(sb.state), Object.keys(sa.state));
  for (const [i, st] of Object.entries(sa.state)) {
    for (const [k, v] of Object.entries(st)) {
      const w = sb.state[Number(i)]![k]!;
      if (typeof v === 'number') assert.equal(w, v);
      else assert.deepEqual((w as ax.Tensor).toArray(), v.toArray());
    }
  }
  // The file is plain safetensors: weights under "model.", readable by any safetensors reader.
  const raw = io.loadSafetensors(path);
  assert.ok('model.0.weight' in raw.tensors && 'model.1.running_mean' in raw.tensors);
});

test('a run interrupted and resumed with BackupAndRestore ends bit-identical to an uninterrupted run', () => {
  const dir = tmp();
  const loss = nn.functional.crossEntropy;
  const full = setup(0);
  const hFull = train.fit(full.model, full.loader, {
    epochs: 6,
    optimizer: full.opt,
    loss,
    scheduler: full.sched,
    validation: full.loader,
    progress: false,
  });

  const backup = join(dir, 'backup.ckpt');
  const first = setup(0);
  train.fit(first.model, first.loader, {
    epochs: 3,
    optimizer: first.opt,
    loss,
    scheduler: first.sched,
    validation: first.loader,
    callbacks: [new train.BackupAndRestore(backup, { keep: true })],
    progress: false,
  });
  assert.ok(existsSync(backup));
  // A new process would build everything afresh (another seed proves nothing leaks through).
  const second = setup(42);
  const logPath = join(dir, 'log.csv');
  writeFileSync(logPath, 'epoch,loss\n1,0\n2,0\n3,0\n');
  const hResumed = train.fit(second.model, second.loader, {
    epochs: 6,
    optimizer: second.opt,
    loss,
    scheduler: second.sched,
    validation: second.loader,
    callbacks: [new train.BackupAndRestore(backup), new train.MetricsLogger(logPath)],
    progress: false,
  });
  assert.deepEqual(bits(second.model), bits(full.model));
  assert.equal(hResumed.epochs.length, 6);
  assert.deepEqual(
    hResumed.epochs.map((e) => e['loss']),
    hFull.epochs.map((e) => e['loss']),
  );
  assert.deepEqual(
    hResumed.epochs.map((e) => e['valLoss']),
    hFull.epochs.map((e) => e['valLoss']),
  );
  assert.equal(existsSync(backup), false, 'the backup is removed once training completes');
  assert.equal(readFileSync(logPath, 'utf8').trim().split('\n').length, 1 + 6, 'the resumed run appends to the log');
});

test('BackupAndRestore also restores EarlyStopping (counters and best weights): same stop, same weights', () => {
  const dir = tmp(),
    backup = join(dir, 'es.ckpt');
  const loss = nn.functional.crossEntropy;
  // With these settings the uninterrupted run stops at epoch 13 with epoch 10 best; a fresh
  // EarlyStopping started at epoch 9 would stop at 12 with epoch 9 best.
  const early = () => new train.EarlyStopping({ patience: 3, minDelta: 0.1, restoreBestWeights: true });
  const full = setup(0),
    fullEarly = early();
  train.fit(full.model, full.loader, {
    epochs: 30,
    optimizer: full.opt,
    loss,
    validation: full.loader,
    callbacks: [fullEarly],
    progress: false,
  });
  assert.ok(
    fullEarly.stoppedEpoch > 8,
    `stopped at ${fullEarly.stoppedEpoch}: the test needs a stop after the interruption`,
  );

  const first = setup(0);
  train.fit(first.model, first.loader, {
    epochs: 8,
    optimizer: first.opt,
    loss,
    validation: first.loader,
    callbacks: [new train.BackupAndRestore(backup, { keep: true }), early()],
    progress: false,
  });
  const second = setup(7),
    resumedEarly = early();
  train.fit(second.model, second.loader, {
    epochs: 30,
    optimizer: second.opt,
    loss,
    validation: second.loader,
    callbacks: [new train.BackupAndRestore(backup), resumedEarly],
    progress: false,
  });
  assert.equal(resumedEarly.stoppedEpoch, fullEarly.stoppedEpoch);
  assert.equal(resumedEarly.bestEpoch, fullEarly.bestEpoch);
  assert.deepEqual(bits(second.model), bits(full.model));
});

test("BackupAndRestore restores ModelCheckpoint's best value, so a resumed run keeps the best file", () => {
  const dir = tmp(),
    backup = join(dir, 'mc.ckpt'),
    best = join(dir, 'best.safetensors');
  const loss = nn.functional.crossEntropy;
  const a = setup(0),
    first = new train.ModelCheckpoint(best, { saveBestOnly: true });
  train.fit(a.model, a.loader, {
    epochs: 3,
    optimizer: a.opt,
    loss,
    validation: a.loader,
    callbacks: [new train.BackupAndRestore(backup, { keep: true }), first],
    progress: false,
  });
  const b = setup(1),
    resumed = new train.ModelCheckpoint(best, { saveBestOnly: true });
  assert.deepEqual(resumed.stateDict().values, { best: null });
  train.fit(b.model, b.loader, {
    epochs: 3,
    optimizer: b.opt,
    loss,
    validation: b.loader,
    callbacks: [new train.BackupAndRestore(backup), resumed],
    progress: false,
  });
  assert.deepEqual(resumed.stateDict().values, first.stateDict().values);
  assert.equal(typeof first.stateDict().values['best'], 'number');
});

test('a process killed while saving leaves the previous checkpoint intact', async () => {
  const dir = tmp(),
    path = join(dir, 'model.ckpt');
  const script = fileURLToPath(new URL('./helpers/checkpoint-writer.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('saved')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
  });
  // Wait until the large save has started (its temporary file exists), then kill mid-write.
  const deadline = Date.now() + 60_000;
  while (!readdirSync(dir).some((f) => f.endsWith('.tmp'))) {
    if (Date.now() > deadline) throw new Error('the writer never started the large save');
    await new Promise((r) => setTimeout(r, 2));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  ax.manualSeed(7);
  const expected = new nn.Linear(4, 3);
  // The file is whole: the small checkpoint, untouched by the interrupted write (the usual case,
  // with the interrupted write's temporary file left beside it), or, should a large save have
  // completed just before the kill, that complete large one; never a mix of the two.
  const raw = io.loadSafetensors(path);
  if ('model.extra' in raw.tensors) {
    assert.equal(raw.tensors['model.extra']!.shape[0], 50_000_000);
    return;
  }
  const model = new nn.Linear(4, 3);
  const { epoch } = io.loadCheckpoint(path, { model, generators: {} });
  assert.equal(epoch, 1);
  assert.deepEqual(bits(model), bits(expected));
  assert.ok(
    readdirSync(dir).some((f) => f.endsWith('.tmp')),
    'the killed write left only its temporary file',
  );
});

test('loadCheckpoint rejects files and objects that do not fit, with clear errors', () => {
  const dir = tmp(),
    path = join(dir, 'c.ckpt');
  ax.manualSeed(0);
  const model = new nn.Linear(3, 2);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  io.saveCheckpoint(path, { model, optimizer: opt, epoch: 4 });
  // Plain weights are not a checkpoint.
  const plain = join(dir, 'w.safetensors');
  io.saveSafetensors(plain, model.stateDict());
  assert.throws(
    () => io.loadCheckpoint(plain, { model }),
    (e: Error) => e instanceof ax.FormatError && /without an Axon checkpoint header/.test(e.message),
  );
  // A truncated file.
  const bytes = readFileSync(path);
  const cut = join(dir, 'cut.ckpt');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 5));
  assert.throws(() => io.loadCheckpoint(cut, { model }), ax.FormatError);
  // A different architecture: named keys and shapes, and the model is left as it was.
  const other = new nn.Linear(3, 5);
  const before = bits(other);
  assert.throws(
    () => io.loadCheckpoint(path, { model: other }),
    /mis-shaped keys: bias: checkpoint \[2\], model \[5\]; weight/,
  );
  assert.deepEqual(bits(other), before);
  // A scheduler asked for but never saved.
  assert.throws(
    () => io.loadCheckpoint(path, { model, optimizer: opt, scheduler: new optim.StepLR(opt, 2) }),
    /holds no scheduler state/,
  );
  // An optimizer over other parameter groups.
  const two = new optim.SGD([{ params: [model.weight] }, { params: [model.bias!] }], { lr: 0.1 });
  assert.throws(
    () => io.loadCheckpoint(path, { model, optimizer: two }),
    /optimizer groups of \[2\] parameters, the optimizer \[1, 1\]/,
  );
  assert.throws(
    () => io.loadCheckpoint(join(dir, 'missing.ckpt'), { model }),
    (e: Error) => e instanceof ax.FormatError && /cannot read/.test(e.message),
  );
});

test('SequentialLR and ReduceLROnPlateau state survive a checkpoint', () => {
  const dir = tmp(),
    path = join(dir, 's.ckpt');
  const make = () => {
    ax.manualSeed(0);
    const model = new nn.Linear(2, 1);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const seq = new optim.SequentialLR(
      opt,
      [new optim.LinearLR(opt, { startFactor: 0.1, totalIters: 3 }), new optim.ExponentialLR(opt, 0.9)],
      [3],
    );
    return { model, opt, seq };
  };
  const a = make();
  for (let i = 0; i < 5; i++) a.seq.step();
  io.saveCheckpoint(path, { model: a.model, optimizer: a.opt, scheduler: a.seq });
  const b = make();
  io.loadCheckpoint(path, { model: b.model, optimizer: b.opt, scheduler: b.seq });
  for (let i = 0; i < 4; i++) {
    a.seq.step();
    b.seq.step();
    assert.equal(b.opt.paramGroups[0]!.lr, a.opt.paramGroups[0]!.lr);
  }

  const p = make();
  const plateau = new optim.ReduceLROnPlateau(p.opt, { patience: 1 });
  for (const v of [1, 0.9, 0.95, 0.96]) plateau.step(v);
  io.saveCheckpoint(path, { model: p.model, optimizer: p.opt, scheduler: plateau });
  const q = make();
  const plateau2 = new optim.ReduceLROnPlateau(q.opt, { patience: 1 });
  io.loadCheckpoint(path, { model: q.model, optimizer: q.opt, scheduler: plateau2 });
  for (const v of [0.97, 0.98, 0.5, 0.6, 0.7]) {
    plateau.step(v);
    plateau2.step(v);
    assert.equal(q.opt.paramGroups[0]!.lr, p.opt.paramGroups[0]!.lr);
  }
});

test('evaluate reports forward latency percentiles and measureLatency times single-sample inference', () => {
  ax.manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(8, 8), new nn.ReLU(), new nn.Linear(8, 2));
  const x = ax.randn([40, 8]);
  const loader = new data.DataLoader(new data.TensorDataset(x, x.narrow(1, 0, 2)), { batchSize: 8 });
  const r = train.evaluate(model, loader, { loss: nn.functional.mseLoss });
  assert.ok(r['latencyP50']! > 0 && r['latencyP95']! >= r['latencyP50']!);
  const lat = train.measureLatency(model, x.narrow(0, 0, 1), { runs: 50 });
  assert.ok(lat.p50 > 0 && lat.p95 >= lat.p50 && lat.p99 >= lat.p95 && lat.runs === 50);
  assert.equal(model.training, true);
  assert.equal(train.percentile([1, 2, 3, 4, 5], 50), 3);
  assert.equal(train.percentile([0, 10], 95), 9.5);
  assert.throws(() => train.percentile([], 50), /no values/);
  assert.throws(() => train.measureLatency(model, x, { runs: 0 }), /runs must be a positive integer/);
});
