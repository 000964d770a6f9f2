/**
 * Data-parallel training on this machine, Axon beside PyTorch: all-reduce time and bandwidth by
 * message size (2 processes), and training samples/s of the MLP and LeNet of bench:train with
 * 1 process × 1 or 2 threads against 2 processes × 1 thread (DDP). Axon runs on Gloo (`axon run`)
 * and, where Open MPI is installed, on MPI (`mpirun`); PyTorch on Gloo, the only library Debian's
 * torch has. Rounds alternate the sides; each figure is the median of the rounds.
 *
 *   npm run bench:ddp [-- --rounds 5 --seconds 2 --only allreduce,mlp,lenet]
 *
 * PyTorch runs through /usr/bin/python3 (Debian's python3-torch) with its BLAS threads pinned in
 * its environment; a side that cannot run is left out with a note.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { arg } from './anchor.js';
import { backendAvailable } from '../src/distributed/addon.js';

const rounds = Number(arg('rounds', '5'));
const seconds = arg('seconds', '2');
const only = arg('only', 'allreduce,mlp,lenet').split(',');
const BATCH: Record<string, number> = { mlp: 128, lenet: 64 };
const MPIRUN = '/usr/bin/mpirun';
const haveTorch = existsSync('/usr/bin/python3');
const haveMpi = backendAvailable('mpi') && existsSync(MPIRUN);

type Result = {
  worldSize: number;
  cpuPerWall: number;
  samplesPerSecond?: number;
  allreduce?: { floats: number; seconds: number }[];
};
type Side = 'gloo' | 'mpi' | 'torch';

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
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop()!,
  );

/** One measurement of `task` on `side` with `procs` processes of `threads` threads each. */
async function measure(side: Side, task: string, procs: number, threads: number): Promise<Result> {
  const taskArgs = task === 'allreduce' ? [task] : [task, String(BATCH[task]), seconds];
  const pin = {
    OMP_NUM_THREADS: String(threads),
    OPENBLAS_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
  };
  const worker = ['--import', 'tsx', 'bench/ddp-worker.ts', ...taskArgs];
  if (side === 'torch') {
    const port = String(await freePort());
    const env = (rank: number) => ({
      ...pin,
      RANK: String(rank),
      WORLD_SIZE: String(procs),
      MASTER_ADDR: '127.0.0.1',
      MASTER_PORT: port,
    });
    const outs = await Promise.all(
      Array.from({ length: procs }, (_, rank) =>
        run('/usr/bin/python3', ['bench/ddp_torch.py', ...taskArgs], env(rank)),
      ),
    );
    return lastJson(outs[0]!);
  }
  const axonEnv = { AXON_NUM_THREADS: String(threads) };
  if (procs === 1) return lastJson(await run(process.execPath, worker, axonEnv));
  if (side === 'mpi') {
    const root = process.getuid?.() === 0 ? ['--allow-run-as-root'] : [];
    return lastJson(
      await run(MPIRUN, [...root, '--oversubscribe', '-np', String(procs), process.execPath, ...worker], {
        ...axonEnv,
        AXON_DIST_BACKEND: 'mpi',
      }),
    );
  }
  const launcher = [
    '--import',
    'tsx',
    'src/cli.ts',
    'run',
    '--nproc-per-node',
    String(procs),
    '--threads',
    String(threads),
  ];
  return lastJson(await run(process.execPath, [...launcher, 'bench/ddp-worker.ts', ...taskArgs], {}));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number | undefined, d = 2) => (x !== undefined && Number.isFinite(x) ? x.toFixed(d) : '—');

/** Every side's results over the rounds, the sides alternating within each round. */
async function rounds3(task: string, procs: number, threads: number): Promise<Record<Side, Result[]>> {
  const sides: Side[] = [
    'gloo',
    ...(haveMpi && procs > 1 ? ['mpi' as const] : []),
    ...(haveTorch ? ['torch' as const] : []),
  ];
  const out: Record<Side, Result[]> = { gloo: [], mpi: [], torch: [] };
  for (let r = 0; r < rounds; r++) for (const s of sides) out[s].push(await measure(s, task, procs, threads));
  return out;
}

if (only.includes('allreduce')) {
  const res = await rounds3('allreduce', 2, 1);
  console.log(`\nall-reduce (sum), 2 processes on one machine, ms per call, median of ${rounds} rounds`);
  console.log(
    '| floats | bytes | Axon on Gloo | Axon on MPI | PyTorch on Gloo | Axon Gloo ÷ PyTorch speed | Axon MPI ÷ PyTorch speed |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  res.gloo[0]!.allreduce!.forEach(({ floats }, i) => {
    const ms = (side: Side) =>
      res[side].length ? median(res[side].map((r) => r.allreduce![i]!.seconds)) * 1e3 : undefined;
    const [g, m, t] = [ms('gloo'), ms('mpi'), ms('torch')];
    console.log(
      `| ${floats} | ${floats * 4} | ${fmt(g, 3)} | ${fmt(m, 3)} | ${fmt(t, 3)} | ${fmt(t! / g!)}× | ${fmt(t! / m!)}× |`,
    );
  });
}

for (const task of ['mlp', 'lenet'].filter((w) => only.includes(w))) {
  console.log(
    `\n${task}, global batch ${BATCH[task]}, SGD momentum, samples/s (CPU ÷ wall of rank 0), median of ${rounds} rounds`,
  );
  console.log('| layout | Axon | Axon on MPI | PyTorch | Axon ÷ PyTorch |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [procs, threads] of [
    [1, 1],
    [1, 2],
    [2, 1],
  ] as const) {
    const res = await rounds3(task, procs, threads);
    const sps = (side: Side) => (res[side].length ? median(res[side].map((r) => r.samplesPerSecond!)) : undefined);
    const cpu = (side: Side) => (res[side].length ? ` (${fmt(median(res[side].map((r) => r.cpuPerWall)))})` : '');
    const best = Math.max(sps('gloo') ?? 0, sps('mpi') ?? 0);
    const label =
      procs === 1 ? `1 process × ${threads} thread${threads > 1 ? 's' : ''}` : `2 processes × 1 thread (DDP)`;
    console.log(
      `| ${label} | ${fmt(sps('gloo'), 0)}${cpu('gloo')} | ${fmt(sps('mpi'), 0)}${cpu('mpi')} | ${fmt(sps('torch'), 0)}${cpu('torch')} | ${fmt(best / sps('torch')!)}× |`,
    );
  }
}
if (!haveTorch)
  console.log('\nPyTorch not run: no /usr/bin/python3 (apt-get install python3-torch libopenblas0-openmp)');
if (!haveMpi) console.log('\nAxon on MPI not run: no MPI addon or mpirun (apt-get install libopenmpi-dev openmpi-bin)');
