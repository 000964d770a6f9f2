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

/** The functions native/distributed/build/Release/axon_gloo.node exports (see native/distributed/addon.cc). */
export interface GlooAddon {
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

let cached: GlooAddon | undefined;

/**
 * The optional Gloo addon, built at install time only where Debian's libgloo-dev (or another Gloo
 * install) is present, so the core package never needs it.
 */
export function glooAddon(): GlooAddon {
  if (cached) return cached;
  const root = packageRoot();
  const file =
    process.env['AXON_GLOO_ADDON'] ??
    (root ? join(root, 'native', 'distributed', 'build', 'Release', 'axon_gloo.node') : '');
  if (!file || !existsSync(file))
    throw new DistributedError(
      `distributed: the Gloo addon is not built (${file || 'native/distributed/build/Release/axon_gloo.node'} is missing). ` +
        "Install Gloo (Debian: apt-get install libgloo-dev) and run 'npm rebuild axon' or 'node scripts/build-native.mjs'",
    );
  try {
    cached = createRequire(import.meta.url)(file) as GlooAddon;
  } catch (e) {
    throw new DistributedError(`distributed: the Gloo addon failed to load: ${(e as Error).message}`);
  }
  return cached;
}

/** True when the Gloo addon is built (tests skip with a message otherwise). */
export function glooAvailable(): boolean {
  try {
    glooAddon();
    return true;
  } catch {
    return false;
  }
}
