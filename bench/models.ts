// Models the benchmarks share: the MLP and LeNet-5 of bench:train, also bench:ddp's workloads
// (bench/ddp_torch.py builds the same ones in PyTorch).
import * as ax from '../src/index.js';

const { nn } = ax;

/** MLP 784-256-128-10. */
export function mlp(): ax.nn.Module {
  return new nn.Sequential(
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}

/** LeNet-5 on 1×28×28 images. */
export function lenet(): ax.nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(400, 120),
    new nn.ReLU(),
    new nn.Linear(120, 84),
    new nn.ReLU(),
    new nn.Linear(84, 10),
  );
}

/** bench:ddp's workload `task` with a batch of random inputs and class targets. */
export function benchModel(task: string, batch: number): { model: ax.nn.Module; input: ax.Tensor; target: ax.Tensor } {
  ax.manualSeed(0);
  if (task === 'mlp') return { model: mlp(), input: ax.randn(batch, 784), target: ax.randint(0, 10, [batch]) };
  if (task === 'lenet')
    return { model: lenet(), input: ax.randn(batch, 1, 28, 28), target: ax.randint(0, 10, [batch]) };
  throw new Error(`bench:ddp: unknown workload ${task}`);
}
