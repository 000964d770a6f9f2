// The bench:ddp workloads (the same shapes as bench/ddp_torch.py): the MLP and LeNet of bench:train.
import * as ax from '../src/index.js';

const { nn } = ax;

export function benchModel(task: string, batch: number): { model: ax.nn.Module; input: ax.Tensor; target: ax.Tensor } {
  ax.manualSeed(0);
  if (task === 'mlp')
    return {
      model: new nn.Sequential(
        new nn.Linear(784, 256),
        new nn.ReLU(),
        new nn.Linear(256, 128),
        new nn.ReLU(),
        new nn.Linear(128, 10),
      ),
      input: ax.randn(batch, 784),
      target: ax.randint(0, 10, [batch]),
    };
  if (task === 'lenet')
    return {
      model: new nn.Sequential(
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
      ),
      input: ax.randn(batch, 1, 28, 28),
      target: ax.randint(0, 10, [batch]),
    };
  throw new Error(`bench:ddp: unknown workload ${task}`);
}
