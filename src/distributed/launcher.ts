import { type ChildProcess, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createServer } from 'node:net';
import { extname } from 'node:path';
import { ValueError } from '../errors.js';

export interface LaunchOptions {
  /** Processes on this machine. */
  nprocPerNode: number;
  /** Machines in the job (each runs the same launch with its own nodeRank). Default 1. */
  nnodes?: number;
  nodeRank?: number;
  /** Rank 0's machine; default 127.0.0.1. */
  masterAddr?: string;
  /** Default: a free port on one machine, 29500 on several. */
  masterPort?: number;
  /** Native-kernel threads per process (AXON_NUM_THREADS); default: the cores divided among the processes. */
  threadsPerProcess?: number;
  /**
   * Seconds the others get after one rank failed to fail on their own (their collectives report
   * which rank left) before they are sent SIGTERM, and again before SIGKILL. Default 3.
   */
  graceSeconds?: number;
  log?: (line: string) => void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** How to run the script: TypeScript through tsx, JavaScript with node, anything else as a command. */
function commandFor(script: string, args: string[]): [string, string[]] {
  const ext = extname(script).toLowerCase();
  if (['.ts', '.mts', '.cts'].includes(ext)) return [process.execPath, ['--import', 'tsx', script, ...args]];
  if (['.js', '.mjs', '.cjs'].includes(ext)) return [process.execPath, [script, ...args]];
  return [script, args];
}

/**
 * Starts one process per rank on this machine with the variables torchrun sets (RANK, WORLD_SIZE,
 * LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT) and waits for them. When one fails, the
 * others are stopped, so a job never hangs on a dead rank; resolves to the exit code (0 when all
 * succeeded).
 */
export async function launch(script: string, args: string[], o: LaunchOptions): Promise<number> {
  const nproc = o.nprocPerNode,
    nnodes = o.nnodes ?? 1,
    nodeRank = o.nodeRank ?? 0;
  if (!Number.isInteger(nproc) || nproc < 1)
    throw new ValueError(`launch: nprocPerNode must be a positive integer, got ${nproc}`);
  if (!Number.isInteger(nnodes) || nnodes < 1)
    throw new ValueError(`launch: nnodes must be a positive integer, got ${nnodes}`);
  if (!Number.isInteger(nodeRank) || nodeRank < 0 || nodeRank >= nnodes)
    throw new ValueError(`launch: nodeRank must be in [0, ${nnodes}), got ${nodeRank}`);
  const masterPort = o.masterPort ?? (nnodes === 1 ? await freePort() : 29500);
  const threads = o.threadsPerProcess ?? Math.max(1, Math.floor(availableParallelism() / nproc));
  const log = o.log ?? ((line: string) => console.error(line));
  const [cmd, cmdArgs] = commandFor(script, args);
  const children: ChildProcess[] = [];
  let failed: string | null = null;
  const exits = Array.from({ length: nproc }, (_, local) => {
    const rank = nodeRank * nproc + local;
    const child = spawn(cmd, cmdArgs, {
      stdio: 'inherit',
      env: {
        ...process.env,
        RANK: String(rank),
        LOCAL_RANK: String(local),
        WORLD_SIZE: String(nnodes * nproc),
        LOCAL_WORLD_SIZE: String(nproc),
        MASTER_ADDR: o.masterAddr ?? '127.0.0.1',
        MASTER_PORT: String(masterPort),
        AXON_NUM_THREADS: String(threads),
        OMP_NUM_THREADS: String(threads),
      },
    });
    children.push(child);
    return new Promise<number>((resolve) => {
      child.once('error', (e) => {
        failed ??= `rank ${rank} could not start: ${e.message}`;
        resolve(1);
      });
      child.once('exit', (code, signal) => {
        if (code !== 0 && failed === null) {
          failed = `rank ${rank} (pid ${child.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
          stopOthers();
        }
        resolve(code ?? 1);
      });
    });
  });
  const grace = (o.graceSeconds ?? 3) * 1000;
  const running = () => children.filter((c) => c.exitCode === null && c.signalCode === null);
  function stopOthers(): void {
    log(`axon run: ${failed}; stopping the other ranks`);
    setTimeout(() => {
      for (const c of running()) c.kill('SIGTERM');
      setTimeout(() => {
        for (const c of running()) c.kill('SIGKILL');
      }, grace).unref();
    }, grace).unref();
  }
  const forward = (signal: NodeJS.Signals) => () => {
    for (const c of children) if (c.exitCode === null) c.kill(signal);
  };
  const onInt = forward('SIGINT'),
    onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const codes = await Promise.all(exits);
    return failed || codes.some((c) => c !== 0) ? 1 : 0;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
