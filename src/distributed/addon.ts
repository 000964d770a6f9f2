import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../backend/native/addon.js';
import { DistributedError } from '../errors.js';

/** An opaque handle made by the Gloo addon. */
export type Handle = { readonly __handle: unique symbol };
export type Reduction = 'sum' | 'max' | 'min' | 'product';
export type CollectiveName = 'allReduce' | 'broadcast' | 'allGather' | 'barrier';
export type CommArray = Float32Array | Float64Array | Int32Array;

/** The collective libraries a process group can run on, each an optional addon of its own. */
export type BackendName = 'gloo' | 'mpi';

/**
 * The functions native/distributed/<backend>/build/Release/axon_<backend>.node exports (see
 * native/distributed/addon.cc; both addons have the same bindings).
 */
export interface CommAddon {
  createGroup(
    rank: number,
    worldSize: number,
    masterAddr: string,
    masterPort: number,
    timeoutMs: number,
    hostname: string,
  ): Handle;
  storePort(group: Handle): number;
  enqueue(
    group: Handle,
    collective: CollectiveName,
    name: string,
    data: CommArray | null,
    out: CommArray | null,
    reduction: Reduction,
    root: number,
  ): Handle;
  wait(work: Handle): void;
  isCompleted(work: Handle): boolean;
  destroy(group: Handle): void;
}

const cached = new Map<BackendName, CommAddon>();

const INSTALL: Record<BackendName, string> = {
  gloo: 'Install Gloo (Debian: apt-get install libgloo-dev)',
  mpi: 'Install Open MPI (Debian: apt-get install libopenmpi-dev openmpi-bin)',
};

/**
 * The optional addon of a collective library, built at install time only where the library's
 * headers are present (Debian's libgloo-dev, libopenmpi-dev), so the core package never needs them.
 * AXON_GLOO_ADDON / AXON_MPI_ADDON point at another build (the sanitizer run's).
 */
export function commAddon(backend: BackendName): CommAddon {
  const hit = cached.get(backend);
  if (hit) return hit;
  const root = packageRoot();
  const file =
    process.env[`AXON_${backend.toUpperCase()}_ADDON`] ??
    (root ? join(root, 'native', 'distributed', backend, 'build', 'Release', `axon_${backend}.node`) : '');
  if (!file || !existsSync(file))
    throw new DistributedError(
      `distributed: the ${backend} addon is not built (${file || `native/distributed/${backend}/build/Release/axon_${backend}.node`} is missing). ` +
        `${INSTALL[backend]} and run 'npm rebuild axon' or 'node scripts/build-native.mjs'`,
    );
  try {
    const addon = createRequire(import.meta.url)(file) as CommAddon;
    cached.set(backend, addon);
    return addon;
  } catch (e) {
    throw new DistributedError(`distributed: the ${backend} addon failed to load: ${(e as Error).message}`);
  }
}

/** True when the backend's addon is built (tests skip with a message otherwise). */
export function backendAvailable(backend: BackendName): boolean {
  try {
    commAddon(backend);
    return true;
  } catch {
    return false;
  }
}

/** True when the Gloo addon is built. */
export function glooAvailable(): boolean {
  return backendAvailable('gloo');
}
