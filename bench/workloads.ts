// bench:train's workloads, shared with the browser benchmark (bench/browser/page.ts): the same
// models, batches and optimizers as bench/torch_anchor.py and bench/tfjs-anchor.ts.
import * as ax from '../src/index.js';
import { Gpt, lenet, mlp, resnet18 } from './models.js';

const { nn } = ax;

class LstmClassifier extends nn.Module {
  lstm = new nn.LSTM(64, 128, { batchFirst: true });
  head = new nn.Linear(128, 10);
  forward(x: ax.Tensor): ax.Tensor {
    const [out] = this.lstm.forward(x);
    return this.head.forward(out.select(1, -1));
  }
}

/** A workload: its model, the input shape, and for a language model the vocabulary (inputs and targets are then tokens). */
export const WORKLOADS: Record<string, [() => ax.nn.Module, number[], number?]> = {
  mlp: [mlp, [128, 784]],
  lenet: [lenet, [64, 1, 28, 28]],
  lstm: [() => new LstmClassifier(), [32, 32, 64]],
  transformer: [
    () =>
      new nn.Sequential(
        new nn.TransformerEncoder(
          new nn.TransformerEncoderLayer(128, 4, { dimFeedforward: 512, dropout: 0, batchFirst: true }),
          2,
        ),
        new nn.Flatten(),
        new nn.Linear(64 * 128, 10),
      ),
    [16, 64, 128],
  ],
  resnet18: [resnet18, [64, 3, 32, 32]],
  gpt: [() => new Gpt(256, 256, 4, 4, 128), [16, 128], 256],
};

/** One workload's model, optimizer and batch, seeded as on every side. */
export function workload(name: string): {
  model: ax.nn.Module;
  opt: { zeroGrad(): void; step(): unknown };
  x: ax.Tensor;
  y: ax.Tensor;
} {
  const [make, shape, vocab] = WORKLOADS[name]!;
  ax.manualSeed(0);
  const model = make();
  const opt =
    name === 'mlp' || name === 'resnet18'
      ? new ax.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 })
      : name === 'gpt'
        ? new ax.optim.AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.1 })
        : new ax.optim.Adam(model.parameters(), { lr: 1e-3 });
  if (vocab)
    // Next-token prediction: every position of every sequence is a sample of the loss.
    return { model, opt, x: ax.randint(0, vocab, shape), y: ax.randint(0, vocab, [shape[0]! * shape[1]!]) };
  return { model, opt, x: ax.randn(shape), y: ax.randint(0, 10, [shape[0]!]) };
}

/** Samples/s of one workload's training steps over `seconds`, after WARMUP_STEPS (bf16: in ax.autocast). */
export function axonThroughput(name: string, seconds: number, bf16 = false): number {
  const { model, opt, x, y } = workload(name);
  return trainThroughput(model, opt, x, y, seconds, bf16);
}

/**
 * The same on a device backend (WebGPU), whose kernels run after the calls return: each step in
 * ax.tidy, the clock stopped only after the last step's loss has been read back.
 */
export async function deviceThroughput(name: string, seconds: number): Promise<number> {
  const { model, opt, x, y } = workload(name);
  const step = () =>
    ax.tidy(() => {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.detach();
    });
  await step().itemAsync(); // compiles the shaders
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const loss = step();
    steps++;
    // Reading back every few steps keeps the queue from running far ahead of the clock.
    if (steps % 4 === 0) await loss.itemAsync();
    else if (performance.now() - start >= seconds * 1000) await loss.itemAsync();
  }
  return (steps * x.shape[0]!) / ((performance.now() - start) / 1000);
}

/** Training steps run before the clock starts, on every side of bench:train. */
export const WARMUP_STEPS = 3;

/** Samples/s of cross-entropy training steps, each in ax.tidy, over `seconds`, after WARMUP_STEPS. */
export function trainThroughput(
  model: ax.nn.Module,
  opt: { zeroGrad(): void; step(): unknown },
  x: ax.Tensor,
  y: ax.Tensor,
  seconds: number,
  bf16 = false,
): number {
  // In ax.tidy, as fit() runs its steps: each step's intermediates go back to the array pool for the
  // next (PyTorch frees them by reference counting as the step goes).
  const step = () =>
    ax.tidy(() => {
      opt.zeroGrad();
      const pass = () => nn.functional.crossEntropy(model.forward(x), y).backward();
      if (bf16) ax.autocast('bfloat16', pass);
      else pass();
      opt.step();
    });
  // Warm-up steps (the anchors are passed the same count): the first steps fault in the heap that later
  // ones reuse (a ResNet-18 step at 2 threads: ~2.3 s for the second, 1.2 s from the fourth).
  for (let i = 0; i < WARMUP_STEPS; i++) step();
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    step();
    steps++;
  }
  return (steps * x.shape[0]!) / ((performance.now() - start) / 1000);
}
