/**
 * Data-parallel training on this machine, Axon beside PyTorch, both over Gloo on loopback:
 * all-reduce time and bandwidth by message size (2 processes), and training samples/s of the MLP
 * and LeNet of bench:train with 1 process × 2 threads against 2 processes × 1 thread (DDP).
 * Rounds alternate Axon and PyTorch; each figure is the median of the rounds.
 *
 *   npm run bench:ddp [-- --rounds 5 --seconds 2 --only allreduce,mlp,lenet]
 *
 * PyTorch runs through /usr/bin/python3 (Debian's python3-torch, which ships Gloo) with its BLAS
 * threads pinned in its environment; it is skipped with a note when absent.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { arg } from './anchor.js';

const rounds = Number(arg('rounds', '5'));
const seconds = arg('seconds', '2');
const only = arg('only', 'allreduce,mlp,lenet').split(',');
const BATCH: Record<string, number> = { mlp: 128, lenet: 64 };
const torchReady = existsSync('/usr/bin/python3');

type Result = {
  worldSize: number;
  cpuPerWall: number;
  samplesPerSecond?: number;
  allreduce?: { floats: number; seconds: number }[];
};

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

const lastJson = (out: string): Result =>
  JSON.parse(
    out
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop()!,
  );

async function axon(task: string, procs: number, threads: number): Promise<Result> {
  const taskArgs = task === 'allreduce' ? [task] : [task, String(BATCH[task]), seconds];
  if (procs === 1)
    return lastJson(
      await run(process.execPath, ['--import', 'tsx', 'bench/ddp-worker.ts', ...taskArgs], {
        AXON_NUM_THREADS: String(threads),
      }),
    );
  const args = [
    '--import',
    'tsx',
    'src/cli.ts',
    'run',
    '--nproc-per-node',
    String(procs),
    '--threads',
    String(threads),
    'bench/ddp-worker.ts',
    ...taskArgs,
  ];
  return lastJson(await run(process.execPath, args, {}));
}

async function torch(task: string, procs: number, threads: number): Promise<Result> {
  const taskArgs = task === 'allreduce' ? [task] : [task, String(BATCH[task]), seconds];
  const port = String(await freePort());
  const pin = {
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
  };
  const outs = await Promise.all(
    Array.from({ length: procs }, (_, rank) =>
      run('/usr/bin/python3', ['bench/ddp_torch.py', ...taskArgs], {
        ...pin,
        RANK: String(rank),
        WORLD_SIZE: String(procs),
        MASTER_ADDR: '127.0.0.1',
        MASTER_PORT: port,
      }),
    ),
  );
  return lastJson(outs[0]!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function rounds2(task: string, procs: number, threads: number): Promise<[Result[], Result[]]> {
  const a: Result[] = [],
    t: Result[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(await axon(task, procs, threads));
    if (torchReady) t.push(await torch(task, procs, threads));
  }
  return [a, t];
}

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');

if (only.includes('allreduce')) {
  const [a, t] = await rounds2('allreduce', 2, 1);
  console.log(`\nall-reduce (sum), 2 processes on loopback, median of ${rounds} rounds`);
  console.log('| floats | bytes | Axon ms | Axon GB/s | PyTorch ms | PyTorch GB/s | Axon speed ÷ PyTorch |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  a[0]!.allreduce!.forEach(({ floats }, i) => {
    const as = median(a.map((r) => r.allreduce![i]!.seconds));
    const ts = t.length ? median(t.map((r) => r.allreduce![i]!.seconds)) : NaN;
    const bytes = floats * 4;
    console.log(
      `| ${floats} | ${bytes} | ${fmt(as * 1e3, 3)} | ${fmt(bytes / as / 1e9)} | ${fmt(ts * 1e3, 3)} | ${fmt(bytes / ts / 1e9)} | ${fmt(ts / as)}× |`,
    );
  });
}

for (const task of ['mlp', 'lenet'].filter((w) => only.includes(w))) {
  console.log(
    `\n${task}, global batch ${BATCH[task]}, SGD momentum, median of ${rounds} rounds (samples/s; CPU ÷ wall of rank 0)`,
  );
  console.log('| layout | Axon | PyTorch | Axon ÷ PyTorch | CPU/wall Axon | CPU/wall PyTorch |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [procs, threads] of [
    [1, 1],
    [1, 2],
    [2, 1],
  ] as const) {
    const [a, t] = await rounds2(task, procs, threads);
    const as = median(a.map((r) => r.samplesPerSecond!));
    const ts = t.length ? median(t.map((r) => r.samplesPerSecond!)) : NaN;
    const label =
      procs === 1
        ? `1 process × ${threads} thread${threads > 1 ? 's' : ''}`
        : `${procs} processes × ${threads} thread (DDP)`;
    console.log(
      `| ${label} | ${fmt(as, 0)} | ${fmt(ts, 0)} | ${fmt(as / ts)}× | ${fmt(median(a.map((r) => r.cpuPerWall)))} | ${t.length ? fmt(median(t.map((r) => r.cpuPerWall))) : '—'} |`,
    );
  }
}
if (!torchReady)
  console.log('\nPyTorch not run: no /usr/bin/python3 (apt-get install python3-torch libopenblas0-openmp)');
