/**
 * One rank of the distributed tests, started by `axon run` (src/distributed/launcher.ts):
 *
 *   tsx test/helpers/ddp-worker.ts <mode> <outDir>
 *
 * modes: `train` — DDP on this rank's half of each global batch, final weights to <outDir>/rank<R>.json;
 * `die` — like train, but rank 1 kills itself after two steps (rank 0 must fail with a clear error);
 * `fit` — fit() with DistributedSampler and validation metrics, history to <outDir>/fit<R>.json;
 * `syncbn` — DDP with SyncBatchNorm on the halves, weights and running statistics to <outDir>/syncbn<R>.json;
 * `collectives` — allReduce/broadcast/allGather/reduceScatter/barrier results to <outDir>/coll<R>.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ax from '../../src/index.js';
import { ddpBatchNormModel, ddpData, ddpModel, DDP_STEPS, DDP_LR } from './ddp-setup.js';

const [mode, outDir] = process.argv.slice(2) as [string, string];
const group = ax.distributed.init();
const { rank, worldSize } = group;
const out = (name: string, value: unknown) => writeFileSync(join(outDir, `${name}${rank}.json`), JSON.stringify(value));

if (mode === 'collectives') {
  const sum = ax.distributed.allReduce(ax.tensor([rank + 1, 2 * (rank + 1)]));
  const mean = ax.distributed.allReduce(
    ax
      .tensor([
        [rank * 4, rank * 8],
        [0, 2],
      ])
      .t(),
    { op: 'mean' },
  );
  const max = ax.distributed.allReduce(ax.tensor([rank, -rank], { dtype: 'int32' }), { op: 'max' });
  const work = ax.distributed.allReduce(ax.tensor([1, 1, 1]), { op: 'sum', asyncOp: true });
  work.wait();
  const b = ax.distributed.broadcast(ax.tensor([rank === 1 ? 42 : 0]), { src: 1 });
  const gathered = ax.distributed.allGather(ax.tensor([rank, rank + 0.5]));
  const scattered = ax.distributed.reduceScatter(ax.arange(2 * worldSize).float());
  ax.distributed.barrier();
  out('coll', {
    sum: sum.toArray(),
    mean: mean.toArray(),
    max: max.toArray(),
    asyncDone: work.isCompleted(),
    broadcast: b.toArray(),
    gathered: gathered.map((t) => t.toArray()),
    scattered: scattered.toArray(),
  });
} else if (mode === 'train' || mode === 'die') {
  const model = ddpModel();
  if (rank !== 0) for (const p of model.parameters()) ax.noGrad(() => p.add_(1)); // rank 0's weights must win
  const ddp = new ax.distributed.DistributedDataParallel(model, { bucketCapMb: 0.00003 });
  const opt = new ax.optim.SGD(ddp.parameters(), { lr: DDP_LR, momentum: 0.9 });
  const { x, y } = ddpData();
  const per = x.shape[0]! / worldSize;
  for (let step = 0; step < DDP_STEPS; step++) {
    if (mode === 'die' && rank === 1 && step === 2) process.kill(process.pid, 'SIGKILL');
    opt.zeroGrad();
    const loss = ax.nn.functional.mseLoss(ddp.forward(x.narrow(0, rank * per, per)), y.narrow(0, rank * per, per));
    loss.backward();
    opt.step();
  }
  out('rank', { buckets: ddp.numBuckets, params: model.parameters().map((p) => Array.from(p.contiguous().data)) });
} else if (mode === 'syncbn') {
  const model = ax.distributed.SyncBatchNorm.convertSyncBatchnorm(ddpBatchNormModel()) as ax.nn.Sequential;
  const ddp = new ax.distributed.DistributedDataParallel(model);
  const opt = new ax.optim.SGD(ddp.parameters(), { lr: DDP_LR });
  const { x, y } = ddpData();
  const per = x.shape[0]! / worldSize;
  for (let step = 0; step < DDP_STEPS; step++) {
    opt.zeroGrad();
    const loss = ax.nn.functional.mseLoss(ddp.forward(x.narrow(0, rank * per, per)), y.narrow(0, rank * per, per));
    loss.backward();
    opt.step();
  }
  const state = Object.fromEntries(
    Object.entries(model.stateDict()).map(([k, t]) => [k, Array.from(t.float().contiguous().data)]),
  );
  out('syncbn', { type: model.at(1).constructor.name, state });
} else if (mode === 'fit') {
  const model = ddpModel();
  const ddp = new ax.distributed.DistributedDataParallel(model);
  const { x, y } = ddpData();
  const classes = y.gt(0).int().flatten();
  const ds = new ax.data.TensorDataset(x, classes);
  const sampler = new ax.distributed.DistributedSampler(ds, { seed: 3 });
  const lines: string[] = [];
  const clf = new ax.nn.Sequential(ddp, new ax.nn.Linear(1, 2));
  const history = ax.train.fit(clf, new ax.data.DataLoader(ds, { batchSize: 4, sampler }), {
    epochs: 2,
    optimizer: new ax.optim.SGD(clf.parameters(), { lr: 0.05 }),
    loss: ax.nn.functional.crossEntropy,
    validation: new ax.data.DataLoader(ds, {
      batchSize: 5,
      sampler: new ax.distributed.DistributedSampler(ds, { shuffle: false }),
    }),
    metrics: { accuracy: ax.train.metrics.accuracy },
    log: (l) => lines.push(l),
  });
  out('fit', { history: history.epochs, lines, samplerLength: sampler.length });
} else {
  throw new Error(`unknown mode ${mode}`);
}
ax.distributed.destroy();
