#!/usr/bin/env python3
"""The PyTorch side of the benchmarks in bench/: the same workloads, printed as one JSON line.
  --task train    training throughput (bench/train.ts)
  --task gemm     sgemm GFLOP/s for --sizes (bench/gemm.ts)
  --task latency  batch-1 MLP inference latency p50/p99 in microseconds (bench/latency.ts)
  --task scaling  training throughput over --points (JSON [[model, width, batch], ...]) (bench/scaling.ts)
  --task memory   resident memory of --steps training steps of the one workload in --only (bench/memory.ts)
Every figure comes with this process's CPU time / wall time over its measurement ("cpuPerWall"), so
a BLAS that ignores the thread count shows. Debian's OpenBLAS (OpenMP build) ignores
torch.set_num_threads: bench/anchor.ts pins OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS
in this process's environment. Run with Debian's torch: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
/usr/bin/python3 bench/torch_anchor.py --task gemm --threads 1 (install libopenblas0-openmp first, or
torch uses a reference BLAS 25x slower)."""
import argparse, json, resource, time
import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument('--threads', type=int, default=1)
p.add_argument('--seconds', type=float, default=3.0)
p.add_argument('--only', default='')
p.add_argument('--task', default='train')
p.add_argument('--sizes', default='256,512,1024,2048')
p.add_argument('--points', default='[]')
p.add_argument('--steps', type=int, default=1000)
# Training steps before the clock starts: bench/workloads.ts WARMUP_STEPS, passed by bench:train and bench:scaling.
p.add_argument('--warmup-steps', type=int, default=3)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

def lstm_model():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(64, 128, batch_first=True)
            self.head = nn.Linear(128, 10)
        def forward(self, x):
            return self.head(self.lstm(x)[0][:, -1])
    return M()

class BasicBlock(nn.Module):
    def __init__(self, in_c, out_c, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_c, out_c, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_c)
        self.conv2 = nn.Conv2d(out_c, out_c, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_c)
        self.shortcut = (nn.Sequential(nn.Conv2d(in_c, out_c, 1, stride, bias=False), nn.BatchNorm2d(out_c))
                         if stride != 1 or in_c != out_c else None)
    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(y + (self.shortcut(x) if self.shortcut is not None else x))

def resnet18():
    """bench/models.ts resnet18: the CIFAR form of ResNet-18 (3x3 stem, no max pooling), 10 classes."""
    layers, in_c = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()], 64
    for out_c, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        layers += [BasicBlock(in_c, out_c, stride), BasicBlock(out_c, out_c, 1)]
        in_c = out_c
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10))

class Gpt(nn.Module):
    """bench/models.ts Gpt: pre-norm causal decoder, GELU feed-forward 4d, logits as [batch*seq, vocab]."""
    def __init__(self, vocab=256, d=256, heads=4, layers=4, context=128):
        super().__init__()
        self.tokens, self.positions = nn.Embedding(vocab, d), nn.Embedding(context, d)
        self.blocks = nn.ModuleList([nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, activation='gelu',
                                                                batch_first=True, norm_first=True) for _ in range(layers)])
        self.norm, self.head = nn.LayerNorm(d), nn.Linear(d, vocab)
        self.register_buffer('mask', torch.triu(torch.full((context, context), float('-inf')), 1))
    def forward(self, ids):
        t = ids.shape[1]
        h = self.tokens(ids) + self.positions(torch.arange(t))
        for block in self.blocks:
            h = block(h, src_mask=self.mask[:t, :t])
        logits = self.head(self.norm(h))
        return logits.reshape(-1, logits.shape[2])

# name: (model, input shape[, vocabulary: inputs and targets are tokens])
WORKLOADS = {
    'mlp': (lambda: nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)), (128, 784)),
    'lenet': (lambda: nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
                                    nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)), (64, 1, 28, 28)),
    'lstm': (lstm_model, (32, 32, 64)),
    'transformer': (lambda: nn.Sequential(nn.TransformerEncoder(nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, batch_first=True), 2, enable_nested_tensor=False), nn.Flatten(), nn.Linear(64 * 128, 10)), (16, 64, 128)),
    'resnet18': (resnet18, (64, 3, 32, 32)),
    'gpt': (Gpt, (16, 128), 256),
}

def batch(shape, vocab=None):
    """A workload's inputs and targets: images/features and classes, or tokens and next tokens."""
    if vocab:
        return torch.randint(0, vocab, shape), torch.randint(0, vocab, (shape[0] * shape[1],))
    return torch.randn(*shape), torch.randint(0, 10, (shape[0],))

class Clock:
    """Wall and CPU time of this process over a measured section."""
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self
    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
    def ratio(self):
        return self.cpu / self.wall

def gemm():
    res = {}
    for n in [int(v) for v in args.sizes.split(',')]:
        a, b = torch.rand(n, n), torch.rand(n, n)
        torch.mm(a, b)
        reps = max(2, int(2e9 / (2 * n ** 3)))
        with Clock() as c:
            for _ in range(reps):
                torch.mm(a, b)
        res[str(n)] = {'gflops': 2 * n ** 3 * reps / c.wall / 1e9, 'cpuPerWall': c.ratio()}
    return res

def latency():
    model = WORKLOADS['mlp'][0]().eval()
    x = torch.randn(1, 784)
    times = []
    with torch.no_grad():
        for _ in range(200):
            model(x)
        end = time.perf_counter() + args.seconds
        with Clock() as c:
            while time.perf_counter() < end:
                t = time.perf_counter_ns()
                model(x)
                times.append((time.perf_counter_ns() - t) / 1000)
    times.sort()
    return {'p50': times[len(times) // 2], 'p99': times[int(len(times) * 0.99)], 'n': len(times), 'cpuPerWall': c.ratio()}

def train_throughput(model, opt, x, y):
    """Samples/s of cross-entropy training steps over --seconds after --warmup-steps, with CPU/wall."""
    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    for _ in range(args.warmup_steps):
        step()
    steps, start = 0, time.perf_counter()
    with Clock() as c:
        while time.perf_counter() - start < args.seconds:
            step(); steps += 1
    return {'sps': steps * x.shape[0] / c.wall, 'cpuPerWall': c.ratio()}

def scaled_model(kind, width):
    """bench/scaling.ts's models: MLP 784-w-w-10, LeNet-5 with 6k and 16k channels."""
    if kind == 'mlp':
        return nn.Sequential(nn.Linear(784, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 10)), (784,)
    c1, c2 = 6 * width, 16 * width
    return nn.Sequential(nn.Conv2d(1, c1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(c1, c2, 5), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(c2 * 25, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)), (1, 28, 28)

def scaling():
    res = []
    for kind, width, batch in json.loads(args.points):
        model, shape = scaled_model(kind, width)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        x, y = torch.randn(batch, *shape), torch.randint(0, 10, (batch,))
        res.append(train_throughput(model, opt, x, y))
    return res

def rss_mib():
    """This process's resident memory now, in MiB (Linux)."""
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2 ** 20

def optimizer(name, model):
    """The issue's table: SGD with momentum for the MLP and ResNet-18, AdamW for the GPT, Adam for the others."""
    if name in ('mlp', 'resnet18'):
        return torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    if name == 'gpt':
        return torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
    return torch.optim.Adam(model.parameters(), lr=1e-3)

def memory():
    """RSS after the imports (base), after a tenth of the steps (warm), at the end, and the peak."""
    name = args.only
    base = rss_mib()
    make, shape, *vocab = WORKLOADS[name]
    model = make()
    opt = optimizer(name, model)
    x, y = batch(shape, *vocab)
    warm = base
    for i in range(args.steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        if i == args.steps // 10:
            warm = rss_mib()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {'baseMiB': base, 'warmMiB': warm, 'endMiB': rss_mib(), 'peakMiB': peak}

if args.task == 'memory':
    print(json.dumps(memory()))
    raise SystemExit
if args.task == 'scaling':
    print(json.dumps(scaling()))
    raise SystemExit
if args.task == 'gemm':
    print(json.dumps(gemm()))
    raise SystemExit
if args.task == 'latency':
    print(json.dumps(latency()))
    raise SystemExit

out = {}
for name, (make, shape, *vocab) in WORKLOADS.items():
    if args.only and name not in args.only.split(','):
        continue
    model = make()
    opt = optimizer(name, model)
    out[name] = train_throughput(model, opt, *batch(shape, *vocab))
print(json.dumps(out))
