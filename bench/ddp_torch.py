"""One rank of the PyTorch side of `npm run bench:ddp`: the same tasks as bench/ddp-worker.ts, on
torch.distributed with the Gloo backend (RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT from the
environment; bench/ddp.ts sets them and pins OMP_NUM_THREADS/OPENBLAS_NUM_THREADS). Prints one JSON
line on rank 0.

    python3 bench/ddp_torch.py allreduce
    python3 bench/ddp_torch.py mlp|lenet GLOBAL_BATCH SECONDS
"""
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn


def bench_model(task, batch):
    torch.manual_seed(0)
    if task == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
        return model, torch.randn(batch, 784), torch.randint(0, 10, (batch,))
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )
    return model, torch.randn(batch, 1, 28, 28), torch.randint(0, 10, (batch,))


def time_op(fn, min_seconds):
    # Every rank runs the same number of iterations: the slowest rank's estimate decides.
    def count(seconds):
        t0 = time.perf_counter()
        fn()
        once = max(time.perf_counter() - t0, 1e-6)
        n = torch.tensor([math.ceil(seconds / once)], dtype=torch.int32)
        dist.all_reduce(n, op=dist.ReduceOp.MAX)
        return int(n.item())

    for _ in range(20):
        fn()
    for _ in range(count(1)):  # a second of warm-up, as on the Axon side
        fn()
    iters = count(min_seconds)
    t1 = time.perf_counter()
    for _ in range(iters):
        fn()
    return (time.perf_counter() - t1) / iters


def main():
    task = sys.argv[1]
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    dist.init_process_group("gloo")
    world = dist.get_world_size()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = {"worldSize": world}
    if task == "allreduce":
        rows = []
        for n in [1 << 8, 1 << 12, 1 << 16, 1 << 20, 1 << 22]:
            buf = torch.ones(n)
            rows.append({"floats": n, "seconds": time_op(lambda: dist.all_reduce(buf), 0.5)})
        result["allreduce"] = rows
    else:
        global_batch, seconds = int(sys.argv[2]), float(sys.argv[3])
        model, x, y = bench_model(task, global_batch // world)
        net = nn.parallel.DistributedDataParallel(model) if world > 1 else model
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            opt.zero_grad()
            loss_fn(net(x), y).backward()
            opt.step()

        result["samplesPerSecond"] = global_batch / time_op(step, seconds)
    result["cpuPerWall"] = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    if dist.get_rank() == 0:
        print(json.dumps(result), flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
