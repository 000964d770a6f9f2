import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { commAddon } from '../src/distributed/addon.js';
import { queueCallback } from '../src/autograd/engine.js';
import { main } from '../src/cli.js';
import { throwsTyped } from './helpers/throws.js';
import { ddpBatchNormModel, ddpData, ddpModel, trainOnWholeBatch } from './helpers/ddp-setup.js';

const dist = ax.distributed;
// The multi-process tests need the Gloo addon: CI installs libgloo-dev; elsewhere they skip with a note.
const multiSkip = process.env['AXON_NO_FUSED']
  ? 'the multi-process tests run in the other suites'
  : dist.glooAvailable() || process.env['CI']
    ? false
    : 'the Gloo addon is not built (apt-get install libgloo-dev; node scripts/build-native.mjs)';

const MPIRUN = '/usr/bin/mpirun';
const mpiSkip = process.env['AXON_NO_FUSED']
  ? 'the multi-process tests run in the other suites'
  : (dist.backendAvailable('mpi') && existsSync(MPIRUN)) || process.env['CI']
    ? false
    : 'the MPI addon or mpirun is missing (apt-get install libopenmpi-dev openmpi-bin; node scripts/build-native.mjs)';

/**
 * Runs test/helpers/ddp-worker.ts <mode> <dir> on 2 ranks, started by `axon run` (Gloo) or by
 * Open MPI's mpirun (the MPI backend); output and exit code.
 */
function runRanks(mode: string, extraEnv: Record<string, string> = {}, launcher: 'axon' | 'mpirun' = 'axon') {
  const dir = mkdtempSync(join(tmpdir(), 'axon-ddp-'));
  const started = performance.now();
  const worker = ['test/helpers/ddp-worker.ts', mode, dir];
  const root = process.getuid?.() === 0 ? ['--allow-run-as-root'] : [];
  const [cmd, args] =
    launcher === 'axon'
      ? [
          process.execPath,
          ['--import', 'tsx', 'src/cli.ts', 'run', '--nproc-per-node', '2', '--threads', '1', ...worker],
        ]
      : [MPIRUN, [...root, '--oversubscribe', '-np', '2', process.execPath, '--import', 'tsx', ...worker]];
  const env = launcher === 'axon' ? {} : { AXON_DIST_BACKEND: 'mpi', AXON_NUM_THREADS: '1' };
  const child = spawn(cmd, args, { env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise<{ code: number | null; output: string; dir: string; ms: number; read: (f: string) => any }>(
    (resolve) =>
      child.on('exit', (code) =>
        resolve({
          code,
          output,
          dir,
          ms: performance.now() - started,
          read: (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')),
        }),
      ),
  );
}

describe('distributed: a group of one process', () => {
  test('collectives return their input; DDP leaves gradients as they are', () => {
    const g = new dist.ProcessGroup({ rank: 0, worldSize: 1 });
    assert.deepEqual(g.allReduce(ax.tensor([1, 2]), { op: 'mean' }).toArray(), [1, 2]);
    assert.deepEqual(g.broadcast(ax.tensor([3])).toArray(), [3]);
    assert.deepEqual(
      g.allGather(ax.tensor([4, 5])).map((t) => t.toArray()),
      [[4, 5]],
    );
    assert.deepEqual(g.reduceScatter(ax.tensor([1, 2])).toArray(), [1, 2]);
    g.barrier();
    const model = ddpModel();
    const ddp = new dist.DistributedDataParallel(model, { group: g });
    const { x, y } = ddpData();
    ax.nn.functional.mseLoss(ddp.forward(x), y).backward();
    const reference = ddpModel();
    ax.nn.functional.mseLoss(reference.forward(x), y).backward();
    model
      .parameters()
      .forEach((p, i) => assert.deepEqual(p.grad!.toArray(), reference.parameters()[i]!.grad!.toArray()));
    assert.deepEqual(Object.keys(ddp.stateDict()).slice(0, 2), ['module.0.weight', 'module.0.bias']);
    g.destroy();
    throwsTyped(() => g.barrier(), ax.DistributedError, /destroyed/);
  });

  test('DDP: a parameter no rank used keeps a null gradient; noSync leaves gradients local', () => {
    const g = new dist.ProcessGroup({ rank: 0, worldSize: 1 });
    class TwoHeads extends ax.nn.Module {
      body = new ax.nn.Linear(4, 3);
      used = new ax.nn.Linear(3, 1);
      unused = new ax.nn.Linear(3, 1);
      forward(x: ax.Tensor): ax.Tensor {
        return this.used.forward(this.body.forward(x));
      }
    }
    const model = new TwoHeads();
    const ddp = new dist.DistributedDataParallel(model, { group: g, bucketCapMb: 0.00001 });
    assert.ok(ddp.numBuckets > 2);
    const { x, y } = ddpData();
    ax.nn.functional.mseLoss(ddp.forward(x), y).backward();
    assert.equal(model.unused.weight.grad, null);
    assert.ok(model.body.weight.grad !== null && model.used.bias!.grad !== null);
    const first = model.body.weight.grad!.toArray();
    ddp.noSync(() => ax.nn.functional.mseLoss(ddp.forward(x), y).backward());
    const twice = model.body.weight.grad!.toArray() as number[][];
    twice.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - 2 * (first as number[][])[i]![j]!) < 1e-5)));
    g.destroy();
  });

  test('init reads the launcher environment; the default group API', () => {
    assert.deepEqual(
      dist.readLaunchEnv({ RANK: '3', WORLD_SIZE: '4', LOCAL_RANK: '1', MASTER_ADDR: 'node0', MASTER_PORT: '1234' }),
      { rank: 3, worldSize: 4, localRank: 1, masterAddr: 'node0', masterPort: 1234 },
    );
    assert.deepEqual(dist.readLaunchEnv({ OMPI_COMM_WORLD_RANK: '1', OMPI_COMM_WORLD_SIZE: '2' }), {
      rank: 1,
      worldSize: 2,
      localRank: 1,
      masterAddr: '127.0.0.1',
      masterPort: 29500,
    });
    throwsTyped(() => dist.readLaunchEnv({ RANK: '2', WORLD_SIZE: '2' }), ax.DistributedError, /rank 2.*size 2/);
    throwsTyped(() => dist.readLaunchEnv({ RANK: 'x' }), ax.DistributedError, /RANK="x"/);
    assert.equal(dist.isInitialized(), false);
    assert.equal(dist.getRank(), 0);
    assert.equal(dist.getWorldSize(), 1);
    throwsTyped(
      () => dist.allReduce(ax.tensor([1])),
      ax.DistributedError,
      /allReduce: call ax.distributed.init\(\) first/,
    );
    throwsTyped(() => dist.init({ backend: 'nccl' as 'gloo' }), ax.ValueError, /backend must be 'gloo' or 'mpi'/);
    throwsTyped(() => dist.init({ worldsize: 2 } as never), ax.ValueError, /worldsize/);
    const g = dist.init({ rank: 0, worldSize: 1 });
    assert.equal(dist.isInitialized(), true);
    assert.equal(dist.isMainProcess(), true);
    throwsTyped(() => dist.init(), ax.DistributedError, /already initialized/);
    assert.deepEqual(dist.allReduce(ax.tensor([2])).toArray(), [2]);
    assert.equal(g.rank, 0);
    dist.destroy();
    assert.equal(dist.isInitialized(), false);
  });

  test('bad arguments get typed errors naming the collective', () => {
    const g = new dist.ProcessGroup({ rank: 0, worldSize: 1 });
    throwsTyped(() => g.allReduce(ax.tensor([true]) as ax.Tensor), ax.DTypeError, /allReduce: bool/);
    throwsTyped(() => g.allReduce(ax.tensor([1], { dtype: 'int32' }), { op: 'mean' }), ax.DTypeError, /mean.*int32/);
    throwsTyped(() => g.allReduce(ax.tensor([1]), { op: 'avg' as 'sum' }), ax.ValueError, /op must be one of/);
    throwsTyped(() => g.allReduce([1, 2] as never), ax.ValueError, /allReduce: expected a Tensor/);
    throwsTyped(() => g.broadcast(ax.tensor([1]), { src: 1 }), ax.ValueError, /src must be a rank in \[0, 1\)/);
    throwsTyped(() => g.allReduce(ax.tensor([[1]]).expand(2, 2)), ax.ValueError, /allReduce: .*expanded view/);
    throwsTyped(() => g.reduceScatter(ax.tensor(1)), ax.ShapeError, /reduceScatter: dim 0/);
    throwsTyped(
      () => new dist.ProcessGroup({ rank: 2, worldSize: 2 }),
      ax.ValueError,
      /rank must be an integer in \[0, 2\)/,
    );
    throwsTyped(() => new dist.ProcessGroup({ rank: 0, worldSize: 1, timeoutMs: 0 }), ax.ValueError, /timeoutMs/);
    throwsTyped(
      () => new dist.DistributedDataParallel({} as ax.nn.Module, { group: g }),
      ax.ValueError,
      /expected a Module/,
    );
    throwsTyped(
      () => new dist.DistributedDataParallel(ddpModel(), { group: g, bucketCapMb: 0 }),
      ax.ValueError,
      /bucketCapMb must be positive/,
    );
  });
});

describe('distributed: SyncBatchNorm in one process', () => {
  test('is BatchNorm in a group of one or in eval mode; convertSyncBatchnorm keeps weights and statistics', () => {
    const plain = ddpBatchNormModel();
    const bn = plain.at(1) as ax.nn.BatchNorm1d;
    ax.noGrad(() => {
      bn.weight!.fill_(1.5);
      bn.runningMean!.fill_(0.25);
    });
    const converted = dist.SyncBatchNorm.convertSyncBatchnorm(ddpBatchNormModel()) as ax.nn.Sequential;
    converted.loadStateDict(plain.stateDict());
    assert.ok(converted.at(1) instanceof dist.SyncBatchNorm);
    assert.deepEqual(Object.keys(converted.stateDict()), Object.keys(plain.stateDict()));
    const { x } = ddpData();
    assert.deepEqual(converted.forward(x).toArray(), plain.forward(x).toArray());
    converted.eval();
    plain.eval();
    assert.deepEqual(converted.forward(x).toArray(), plain.forward(x).toArray());
    const single = dist.SyncBatchNorm.convertSyncBatchnorm(new ax.nn.BatchNorm2d(3, { momentum: 0.3 }));
    assert.ok(single instanceof dist.SyncBatchNorm);
    assert.equal(single.options.momentum, 0.3);
    throwsTyped(() => single.forward(ax.tensor([1, 2])), ax.ShapeError, /BatchNorm|SyncBatchNorm/);
  });
});

describe('distributed: axon run', () => {
  test('bad usage exits 2, an impossible layout 1, a script that fails 1', async () => {
    assert.equal(await main(['run', '--nproc-per-node', '0', 'train.ts']), 2);
    assert.equal(await main(['run', '--nproc-per-node', '1']), 2);
    assert.equal(await main(['run', '--nnodes', '2', '--node-rank', '2', 'train.ts']), 1);
    await assert.rejects(
      () => dist.launch('x.js', [], { nprocPerNode: 1.5 }),
      /nprocPerNode must be a positive integer/,
    );
    const code = await dist.launch(process.execPath, ['-e', 'process.exit(Number(process.env.RANK) + 3)'], {
      nprocPerNode: 2,
      graceSeconds: 0.2,
      log: () => {},
    });
    assert.equal(code, 1);
  });
});

describe('distributed: DistributedSampler', () => {
  test('the ranks partition the data set, padded to equal length, reshuffled per epoch alike', () => {
    const ds = { length: 10 };
    const shards = [0, 1, 2].map((rank) => new dist.DistributedSampler(ds, { numReplicas: 3, rank, seed: 5 }));
    const all = shards.flatMap((s) => s.indices());
    assert.equal(all.length, 12); // 10 padded to 3 × 4
    assert.deepEqual(
      [...new Set(all)].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.ok(shards.every((s) => s.length === 4));
    const epoch0 = shards[0]!.indices();
    shards.forEach((s) => s.setEpoch(1));
    assert.notDeepEqual(shards[0]!.indices(), epoch0);
    const again = new dist.DistributedSampler(ds, { numReplicas: 3, rank: 0, seed: 5 });
    again.setEpoch(1);
    assert.deepEqual(again.indices(), shards[0]!.indices());
    const dropped = [0, 1, 2].map(
      (rank) => new dist.DistributedSampler(ds, { numReplicas: 3, rank, dropLast: true, shuffle: false }),
    );
    assert.deepEqual(
      dropped.map((s) => s.indices()),
      [
        [0, 3, 6],
        [1, 4, 7],
        [2, 5, 8],
      ],
    );
    throwsTyped(
      () => new dist.DistributedSampler(ds, { numReplicas: 2, rank: 2 }),
      ax.ValueError,
      /rank 2 is not in \[0, 2\)/,
    );
    throwsTyped(
      () => new dist.DistributedSampler({ length: 1 }, { numReplicas: 2, dropLast: true }),
      ax.ValueError,
      /nothing/,
    );
  });

  test("a DataLoader loads the sampler's indices", () => {
    const ds = new ax.data.TensorDataset(ax.arange(6).reshape(6, 1), ax.arange(6));
    const sampler = new dist.DistributedSampler(ds, { numReplicas: 2, rank: 1, shuffle: false });
    const loader = new ax.data.DataLoader(ds, { batchSize: 2, sampler });
    assert.equal(loader.length, 2);
    assert.deepEqual(
      [...loader].map(([, y]) => y!.toArray()),
      [[1, 3], [5]],
    );
    throwsTyped(
      () => new ax.data.DataLoader(ds, { sampler, shuffle: true }),
      ax.ValueError,
      /either shuffle or a sampler/,
    );
    throwsTyped(
      () => [...new ax.data.DataLoader(ds, { sampler: [0, 9] })],
      ax.ValueError,
      /index 9, outside a dataset of 6/,
    );
  });
});

describe('distributed: gradient hooks', () => {
  test('a post-accumulate hook runs once, after every use of the leaf has added its gradient', () => {
    const w = ax.tensor([1, 2], { requiresGrad: true });
    const unused = ax.tensor([1], { requiresGrad: true });
    const seen: number[][] = [];
    w.registerPostAccumulateGradHook((t) => seen.push(t.grad!.toArray() as number[]));
    const handle = unused.registerPostAccumulateGradHook(() => seen.push([-1]));
    w.mul(3).add(w.mul(w)).sum().backward();
    assert.deepEqual(seen, [[5, 7]]);
    handle.remove();
    throwsTyped(() => w.mul(2).registerPostAccumulateGradHook(() => {}), ax.ValueError, /only a leaf/);
    throwsTyped(() => queueCallback(() => {}), ax.AutogradError, /only be called while backward\(\) runs/);
  });
});

describe('distributed: two processes over Gloo on loopback', { skip: multiSkip }, () => {
  test('collectives: sum, mean, max, async, broadcast, allGather, reduceScatter, barrier', async () => {
    const r = await runRanks('collectives');
    assert.equal(r.code, 0, r.output);
    for (const rank of [0, 1]) {
      const c = r.read(`coll${rank}.json`);
      assert.deepEqual(c.sum, [3, 6]);
      assert.deepEqual(c.mean, [
        [2, 0],
        [4, 2],
      ]);
      assert.deepEqual(c.max, [1, 0]);
      assert.equal(c.asyncDone, true);
      assert.deepEqual(c.broadcast, [42]);
      assert.deepEqual(c.gathered, [
        [0, 0.5],
        [1, 1.5],
      ]);
      assert.deepEqual(c.scattered, rank === 0 ? [0, 2] : [4, 6]);
    }
  });

  test('DDP on two halves of each batch ends with the weights of one process on the whole batch', async () => {
    const r = await runRanks('train');
    assert.equal(r.code, 0, r.output);
    const [a, b] = [r.read('rank0.json'), r.read('rank1.json')];
    assert.ok(a.buckets > 1, `several buckets (got ${a.buckets})`);
    assert.deepEqual(a.params, b.params); // identical replicas
    const model = trainOnWholeBatch(ddpModel(), 0.9);
    model.parameters().forEach((p, i) => {
      const got = a.params[i] as number[];
      Array.from(p.contiguous().data).forEach((v, j) =>
        assert.ok(Math.abs(v - got[j]!) < 1e-5, `param ${i}[${j}]: ${got[j]} vs ${v}`),
      );
    });
  });

  test('SyncBatchNorm on two halves trains as BatchNorm on the whole batch (weights and running statistics)', async () => {
    const r = await runRanks('syncbn');
    assert.equal(r.code, 0, r.output);
    const [a, b] = [r.read('syncbn0.json'), r.read('syncbn1.json')];
    assert.equal(a.type, 'SyncBatchNorm');
    assert.deepEqual(a.state, b.state);
    const model = trainOnWholeBatch(ddpBatchNormModel());
    for (const [key, t] of Object.entries(model.stateDict())) {
      const got = a.state[key] as number[];
      Array.from(t.float().contiguous().data).forEach((v, j) =>
        assert.ok(Math.abs(v - got[j]!) < 2e-5, `${key}[${j}]: ${got[j]} vs ${v}`),
      );
    }
  });

  test('fit with DDP and a DistributedSampler: rank 0 alone logs; validation metrics cover both shards', async () => {
    const r = await runRanks('fit');
    assert.equal(r.code, 0, r.output);
    const [a, b] = [r.read('fit0.json'), r.read('fit1.json')];
    assert.equal(a.samplerLength, 8);
    assert.equal(a.lines.length, 2);
    assert.deepEqual(b.lines, []);
    assert.deepEqual(
      a.history.map((h: Record<string, number>) => [h['loss'], h['valLoss'], h['valAccuracy']]),
      b.history.map((h: Record<string, number>) => [h['loss'], h['valLoss'], h['valAccuracy']]),
    );
    // 16 validation rows, 8 per rank: an accuracy over all 16 is a multiple of 1/16.
    const acc = a.history[1].valAccuracy as number;
    assert.ok(Math.abs(acc * 16 - Math.round(acc * 16)) < 1e-9, `valAccuracy ${acc}`);
  });

  test('a rank that dies makes the other fail at once with an error naming it, never hang', async () => {
    const r = await runRanks('die', { AXON_DIST_TIMEOUT_MS: '20000' });
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /DistributedError: allReduce failed on rank 0 of 2: rank 1 has left the group/);
    assert.match(r.output, /axon run: rank 1 \(pid \d+\) was killed by SIGKILL; stopping the other ranks/);
    assert.ok(r.ms < 15000, `took ${r.ms} ms`);
  });

  test('the addon checks its arguments: errors, not crashes', () => {
    const addon = commAddon('gloo');
    assert.throws(
      () => (addon.createGroup as (...a: unknown[]) => unknown)(0),
      /createGroup: expected 6 arguments, got 1/,
    );
    assert.throws(() => addon.createGroup(3, 2, '127.0.0.1', 1, 100, ''), /rank 3 is not in \[0, 2\)/);
    assert.throws(() => addon.createGroup(0, 2, '127.0.0.1', 70000, 100, ''), /masterPort 70000/);
    assert.throws(
      () => addon.createGroup(1, 2, '127.0.0.1', 1, 300, ''),
      /cannot reach the master's store.*is rank 0 running/,
    );
    assert.throws(() => addon.wait({} as never), /wait: work must be a handle/);
    assert.throws(
      () => addon.enqueue({} as never, 'allReduce', 'x', null, null, 'sum', 0),
      /enqueue: group must be a handle/,
    );
  });
});

describe('distributed: two processes over MPI (mpirun)', { skip: mpiSkip }, () => {
  test('collectives give the same results as on Gloo', async () => {
    const r = await runRanks('collectives', {}, 'mpirun');
    assert.equal(r.code, 0, r.output);
    for (const rank of [0, 1]) {
      const c = r.read(`coll${rank}.json`);
      assert.deepEqual([c.sum, c.max, c.broadcast, c.scattered], [[3, 6], [1, 0], [42], rank === 0 ? [0, 2] : [4, 6]]);
      assert.deepEqual(c.gathered, [
        [0, 0.5],
        [1, 1.5],
      ]);
    }
  });

  test('DDP over MPI ends with the weights of one process on the whole batch', async () => {
    const r = await runRanks('train', {}, 'mpirun');
    assert.equal(r.code, 0, r.output);
    const [a, b] = [r.read('rank0.json'), r.read('rank1.json')];
    assert.deepEqual(a.params, b.params);
    const model = trainOnWholeBatch(ddpModel(), 0.9);
    model
      .parameters()
      .forEach((p, i) =>
        Array.from(p.contiguous().data).forEach((v, j) => assert.ok(Math.abs(v - a.params[i][j]) < 1e-5)),
      );
  });

  test('a rank that dies ends the whole job at once (mpirun names it), never a hang', async () => {
    const r = await runRanks('die', {}, 'mpirun');
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /rank 1/);
    assert.ok(r.ms < 20000, `took ${r.ms} ms`);
  });
});
