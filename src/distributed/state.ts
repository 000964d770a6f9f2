import { checkOptionNames, show } from '../check.js';
import { DistributedError, ValueError } from '../errors.js';
import { readLaunchEnv } from './launch-env.js';
import type { BackendName } from './addon.js';
import { ProcessGroup } from './process-group.js';
import { currentGroup, setCurrentGroup } from './current.js';

export { currentGroup, getRank, getWorldSize, isMainProcess } from './current.js';

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
  if (currentGroup()) throw new DistributedError('distributed.init: the default process group is already initialized');
  const env = readLaunchEnv();
  const envTimeout = process.env['AXON_DIST_TIMEOUT_MS'];
  const group = new ProcessGroup({
    backend,
    rank: options.rank ?? env.rank,
    worldSize: options.worldSize ?? env.worldSize,
    masterAddr: options.masterAddr ?? env.masterAddr,
    masterPort: options.masterPort ?? env.masterPort,
    timeoutMs: options.timeoutMs ?? (envTimeout ? Number(envTimeout) : undefined),
    hostname: options.hostname,
  });
  setCurrentGroup(group);
  return group;
}

export function isInitialized(): boolean {
  return currentGroup() !== null;
}

/** The default group; throws when init() has not been called. */
export function defaultGroup(op = 'distributed'): ProcessGroup {
  const group = currentGroup();
  if (!group) throw new DistributedError(`${op}: call ax.distributed.init() first`);
  return group;
}

/** Leaves the default group (PyTorch's destroy_process_group). */
export function destroy(): void {
  currentGroup()?.destroy();
  setCurrentGroup(null);
}
