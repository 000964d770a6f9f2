import { BackendError } from '../errors.js';
import type { Backend } from './backend.js';
import { JsBackend } from './js/index.js';
import { addonLoadError, loadAddon } from './native/addon.js';
import { NativeBackend } from './native/index.js';

export type { AdamStep, Backend, BinaryOp, ReduceOp, SgdStep, UnaryOp, View, WindowGeometry } from './backend.js';

/** Backends register a factory under a name; the first use of a name creates it. */
const factories = new Map<string, () => Backend>([
  ['js', () => new JsBackend()],
  [
    'native',
    () => {
      const addon = loadAddon();
      if (!addon) throw new BackendError(`setBackend: the native backend is unavailable here: ${addonLoadError()}`);
      return new NativeBackend(addon);
    },
  ],
]);
const instances = new Map<string, Backend>();
let current: Backend | null = null;
let warned = false;

export function registerBackend(name: string, factory: () => Backend): void {
  factories.set(name, factory);
  instances.delete(name);
}

export function listBackends(): string[] {
  return [...factories.keys()];
}

/** The optional fused kernels; every op that uses one has a composite fallback made of primitives. */
const FUSED_KERNELS = [
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
];

/**
 * A backend without its fused kernels: AXON_NO_FUSED=1 runs every op on its composite fallback
 * (`npm run test:composite`), so each fallback is exercised and checked by the same tests.
 */
function withoutFused(b: Backend): Backend {
  const hidden = new Set(FUSED_KERNELS);
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
  instances.set(name, backend);
  return backend;
}

/** Selects the backend every following op runs on. */
export function setBackend(name: string): Backend {
  current = instantiate(name);
  return current;
}

/**
 * The backend in use: AXON_BACKEND when set; otherwise the native backend when its addon is built,
 * else the JS backend (saying so once).
 */
export function getBackend(): Backend {
  if (current) return current;
  const env = typeof process !== 'undefined' ? process.env['AXON_BACKEND'] : undefined;
  if (env && env.length > 0) {
    current = instantiate(env);
    return current;
  }
  if (loadAddon()) {
    current = instantiate('native');
  } else {
    if (!warned) {
      warned = true;
      console.warn(`axon: using the JS backend: ${addonLoadError()}`);
    }
    current = instantiate('js');
  }
  return current;
}

/** Which backend runs ops, with the native one's instruction set and thread count. */
export function backendInfo(): { name: string; available: string[]; isa?: string; threads?: number } {
  const b = getBackend();
  const info: { name: string; available: string[]; isa?: string; threads?: number } = {
    name: b.name,
    available: listBackends(),
  };
  if (b instanceof NativeBackend) Object.assign(info, b.addon.info());
  return info;
}

/** Threads the native kernels use (AXON_NUM_THREADS sets the start value; default: all cores). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new BackendError(`setNumThreads: expected a positive integer, got ${n}`);
  loadAddon()?.setNumThreads(n);
}
