import { BackendError } from '../errors.js';
import type { Backend } from './backend.js';
import { JsBackend } from './js/index.js';
import { setHostMemorySource } from '../tensor/host-memory.js';

export type { AdamStep, Backend, BinaryOp, ReduceOp, SgdStep, UnaryOp, View, WindowGeometry } from './backend.js';

/** Backends register a factory under a name; the first use of a name creates it. */
const factories = new Map<string, () => Backend>([['js', () => new JsBackend()]]);
const instances = new Map<string, Backend>();
let current: Backend | null = null;
let threads: number | null = null;

/**
 * Picks the backend when none was set: the entry point installs it (src/index.ts prefers the native
 * addon in Node; src/browser.ts keeps the JS backend until `initWasm` has run).
 */
let chooseDefault: () => string = () => 'js';

export function setDefaultBackendChooser(choose: () => string): void {
  chooseDefault = choose;
}

export function registerBackend(name: string, factory: () => Backend): void {
  factories.set(name, factory);
  instances.delete(name);
}

export function listBackends(): string[] {
  return [...factories.keys()];
}

/** The optional fused kernels; every op that uses one has a composite fallback made of primitives. */
export const FUSED_KERNELS = [
  'lstmCell',
  'lstmCellBackward',
  'layerNorm',
  'layerNormBackward',
  'batchNorm',
  'batchNormBackward',
  'sgdStep',
  'adamStep',
  'maxPool2d',
  'depthwiseConv2d',
  'softmax',
  'softmaxBackward',
] as const satisfies readonly (keyof Backend)[];

/**
 * A backend without its fused kernels: AXON_NO_FUSED=1 runs every op on its composite fallback
 * (`npm run test:composite`), so each fallback is exercised and checked by the same tests.
 */
function withoutFused(b: Backend): Backend {
  const hidden = new Set<string>(FUSED_KERNELS);
  return new Proxy(b, {
    get: (target, key, receiver) =>
      typeof key === 'string' && hidden.has(key) ? undefined : Reflect.get(target, key, receiver),
  });
}

function instantiate(name: string): Backend {
  const existing = instances.get(name);
  if (existing) return existing;
  const factory = factories.get(name);
  if (!factory)
    throw new BackendError(`setBackend: unknown backend '${name}'; available: ${listBackends().join(', ')}`);
  const noFused = typeof process !== 'undefined' && process.env['AXON_NO_FUSED'] === '1';
  const backend = noFused ? withoutFused(factory()) : factory();
  if (threads !== null) backend.setNumThreads?.(threads);
  instances.set(name, backend);
  return backend;
}

/** Selects the backend every following op runs on. */
export function setBackend(name: string): Backend {
  current = instantiate(name);
  return current;
}

/** The backend in use: AXON_BACKEND when set, else the entry point's default (see setDefaultBackendChooser). */
export function getBackend(): Backend {
  if (current) return current;
  const env = typeof process !== 'undefined' ? process.env['AXON_BACKEND'] : undefined;
  current = instantiate(env && env.length > 0 ? env : chooseDefault());
  return current;
}

// New host arrays come from the selected backend's memory when it has one (the wasm backend's).
setHostMemorySource(() => getBackend().hostMemory ?? null);

type BackendInfo = { name: string; available: string[]; isa?: string; threads?: number; malloc?: string };

/**
 * Which backend runs ops, with the native one's instruction set and thread count, and whether the
 * Node addon tuned glibc's malloc ('tuned', 'default' or 'unsupported').
 */
export function backendInfo(): BackendInfo {
  const b = getBackend();
  const info: BackendInfo = {
    name: b.name,
    available: listBackends(),
  };
  const extra = b.info?.();
  if (extra) Object.assign(info, extra);
  return info;
}

/**
 * Threads the kernels of every backend that has threads use, now and when created later
 * (AXON_NUM_THREADS sets the native start value; default: all cores).
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new BackendError(`setNumThreads: expected an integer in [1, 1024], got ${n}`);
  for (const b of instances.values()) b.setNumThreads?.(n);
  threads = n;
}
