import { checkOptionNames, show } from '../check.js';
import { DistributedError, ValueError } from '../errors.js';
import { readLaunchEnv } from './launch-env.js';
import type { BackendName } from './addon.js';
import { ProcessGroup } from './process-group.js';

export interface InitOptions {
  /**
   * The collective library: 'gloo' (default; any launcher, timeouts, names a dead rank) or 'mpi'
   * (Open MPI, started with mpirun; several times faster on one machine). AXON_DIST_BACKEND sets it too.
   */
  backend?: BackendName;
  /** Defaults for these come from the launcher's environment (axon run, torchrun or mpirun). */
  rank?: number;
  worldSize?: number;
  masterAddr?: string;
  masterPort?: number;
  /** How long joining and each collective may take; default 30 000 ms (AXON_DIST_TIMEOUT_MS). */
  timeoutMs?: number;
  hostname?: string;
}

let current: ProcessGroup | null = null;

/**
 * Joins the default process group (PyTorch's init_process_group): blocks until every rank has
 * joined or the timeout passes. Rank, world size and the master's address come from the launcher's
 * environment unless given.
 */
export function init(options: InitOptions = {}): ProcessGroup {
  checkOptionNames('distributed.init', options, [
    'backend',
    'rank',
    'worldSize',
    'masterAddr',
    'masterPort',
    'timeoutMs',
    'hostname',
  ]);
  const backend = options.backend ?? ((process.env['AXON_DIST_BACKEND'] as BackendName | undefined) || 'gloo');
  if (backend !== 'gloo' && backend !== 'mpi')
    throw new ValueError(`distributed.init: backend must be 'gloo' or 'mpi', got ${show(backend)}`);
  if (current) throw new DistributedError('distributed.init: the default process group is already initialized');
  const env = readLaunchEnv();
  const envTimeout = process.env['AXON_DIST_TIMEOUT_MS'];
  current = new ProcessGroup({
    backend,
    rank: options.rank ?? env.rank,
    worldSize: options.worldSize ?? env.worldSize,
    masterAddr: options.masterAddr ?? env.masterAddr,
    masterPort: options.masterPort ?? env.masterPort,
    timeoutMs: options.timeoutMs ?? (envTimeout ? Number(envTimeout) : undefined),
    hostname: options.hostname,
  });
  return current;
}

export function isInitialized(): boolean {
  return current !== null;
}

/** The default group, or null outside distributed training. */
export function currentGroup(): ProcessGroup | null {
  return current;
}

/** The default group; throws when init() has not been called. */
export function defaultGroup(op = 'distributed'): ProcessGroup {
  if (!current) throw new DistributedError(`${op}: call ax.distributed.init() first`);
  return current;
}

/** This process's rank in the default group (0 outside distributed training). */
export function getRank(): number {
  return current?.rank ?? 0;
}

/** The number of processes in the default group (1 outside distributed training). */
export function getWorldSize(): number {
  return current?.worldSize ?? 1;
}

/** True on rank 0, and outside distributed training: the process that prints, logs and saves. */
export function isMainProcess(): boolean {
  return getRank() === 0;
}

/** Leaves the default group (PyTorch's destroy_process_group). */
export function destroy(): void {
  current?.destroy();
  current = null;
}
