/**
 * Data-parallel training: the digits CNN on 2 processes (or machines) with DistributedDataParallel,
 * each rank training on its shard of every epoch; fit() is unchanged, only rank 0 prints, and the
 * validation accuracy covers every rank's shard.
 *
 *   npx axon run --nproc-per-node 2 examples/ddp-digits.ts [--epochs 15]
 *   npx tsx examples/ddp-digits.ts          # the same script, one process
 *
 * On several machines, run on each: axon run --nnodes 2 --node-rank <0|1> --master-addr <rank 0's host> …
 */
import * as ax from '../src/index.js';
import { digits } from './common.js';

const { nn, distributed: dist } = ax;
const epochsArg = process.argv.indexOf('--epochs');
const epochs = epochsArg > 0 ? Number(process.argv[epochsArg + 1]) : 15;

dist.init(); // reads RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (axon run / torchrun / mpirun); alone: a group of one
ax.manualSeed(0); // every rank builds the same model; DDP copies rank 0's weights anyway
const { xTrain, yTrain, xTest, yTest } = digits(0);
const model = new nn.Sequential(
  new nn.Conv2d(1, 16, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(16 * 4 * 4, 64),
  new nn.ReLU(),
  new nn.Linear(64, 10),
);
const ddp = new dist.DistributedDataParallel(model);
const trainSet = new ax.data.TensorDataset(xTrain, yTrain),
  testSet = new ax.data.TensorDataset(xTest, yTest);
// The global batch is 64 whatever the number of ranks: each rank takes 64 / worldSize per step.
const batchSize = 64 / dist.getWorldSize();
const history = ax.train.fit(
  ddp,
  new ax.data.DataLoader(trainSet, { batchSize, sampler: new dist.DistributedSampler(trainSet, { seed: 0 }) }),
  {
    epochs,
    optimizer: new ax.optim.Adam(ddp.parameters(), { lr: 3e-3 }),
    loss: nn.functional.crossEntropy,
    validation: new ax.data.DataLoader(testSet, {
      batchSize: 256,
      sampler: new dist.DistributedSampler(testSet, { shuffle: false }),
    }),
    metrics: { accuracy: ax.train.metrics.accuracy },
    log: console.log,
  },
);
const last = history.epochs.at(-1)!;
if (dist.isMainProcess())
  console.log(
    `ranks ${dist.getWorldSize()}: test accuracy ${last['valAccuracy']!.toFixed(3)}, ${last['samplesPerSecond']!.toFixed(0)} samples/s`,
  );
dist.destroy();
