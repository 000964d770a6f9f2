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

/** ResNet's basic block: two 3×3 convolutions with batch norm, and the input added back (through a strided 1×1 convolution when the shape changes). */
class BasicBlock extends nn.Module {
  conv1: ax.nn.Conv2d;
  bn1: ax.nn.BatchNorm2d;
  conv2: ax.nn.Conv2d;
  bn2: ax.nn.BatchNorm2d;
  shortcut: ax.nn.Module | null;
  constructor(inC: number, outC: number, stride: number) {
    super();
    this.conv1 = new nn.Conv2d(inC, outC, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(outC);
    this.conv2 = new nn.Conv2d(outC, outC, 3, { padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(outC);
    this.shortcut =
      stride !== 1 || inC !== outC
        ? new nn.Sequential(new nn.Conv2d(inC, outC, 1, { stride, bias: false }), new nn.BatchNorm2d(outC))
        : null;
  }
  forward(x: ax.Tensor): ax.Tensor {
    const y = this.bn2.forward(this.conv2.forward(this.bn1.forward(this.conv1.forward(x)).relu()));
    return y.add(this.shortcut ? this.shortcut.forward(x) : x).relu();
  }
}

/** ResNet-18 for 3×32×32 images (CIFAR form: a 3×3 stem, no max pooling), 10 classes. */
export function resnet18(): ax.nn.Module {
  const layers: ax.nn.Module[] = [
    new nn.Conv2d(3, 64, 3, { padding: 1, bias: false }),
    new nn.BatchNorm2d(64),
    new nn.ReLU(),
  ];
  let inC = 64;
  for (const [outC, stride] of [
    [64, 1],
    [128, 2],
    [256, 2],
    [512, 2],
  ] as const) {
    layers.push(new BasicBlock(inC, outC, stride), new BasicBlock(outC, outC, 1));
    inC = outC;
  }
  layers.push(new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(512, 10));
  return new nn.Sequential(...layers);
}

/**
 * A GPT-style decoder: token and learned position embeddings, pre-norm causal self-attention
 * blocks (GELU feed-forward 4·d), a final layer norm and a language-model head. Returns the
 * logits of every position as [batch·sequence, vocab].
 */
export class Gpt extends nn.Module {
  tokens: ax.nn.Embedding;
  positions: ax.nn.Embedding;
  blocks: ax.nn.ModuleList<ax.nn.TransformerEncoderLayer>;
  norm: ax.nn.LayerNorm;
  head: ax.nn.Linear;
  constructor(vocab = 256, d = 256, heads = 4, layers = 4, context = 128) {
    super();
    this.tokens = new nn.Embedding(vocab, d);
    this.positions = new nn.Embedding(context, d);
    this.blocks = new nn.ModuleList(
      Array.from(
        { length: layers },
        () =>
          new nn.TransformerEncoderLayer(d, heads, {
            dimFeedforward: 4 * d,
            dropout: 0,
            activation: 'gelu',
            normFirst: true,
            batchFirst: true,
          }),
      ),
    );
    this.norm = new nn.LayerNorm(d);
    this.head = new nn.Linear(d, vocab);
  }
  forward(ids: ax.Tensor): ax.Tensor {
    const T = ids.shape[1]!;
    let h = this.tokens.forward(ids).add(this.positions.forward(ax.arange(T)));
    for (const block of this.blocks) h = block.forward(h, { isCausal: true });
    const logits = this.head.forward(this.norm.forward(h));
    return logits.reshape(-1, logits.shape[2]!);
  }
}
