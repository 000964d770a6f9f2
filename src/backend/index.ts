import { BackendError } from '../errors.js';
import type { Backend } from './backend.js';
import { JsBackend } from './js/index.js';

export type { Backend, BinaryOp, ReduceOp, UnaryOp, View, WindowGeometry } from './backend.js';

/** Backends register a factory under a name; the first use of a name creates it. */
const factories = new Map<string, () => Backend>([['js', () => new JsBackend()]]);
const instances = new Map<string, Backend>();
let current: Backend | null = null;

export function registerBackend(name: string, factory: () => Backend): void {
  factories.set(name, factory);
  instances.delete(name);
}

export function listBackends(): string[] {
  return [...factories.keys()];
}

function instantiate(name: string): Backend {
  const existing = instances.get(name);
  if (existing) return existing;
  const factory = factories.get(name);
  if (!factory) throw new BackendError(`setBackend: unknown backend '${name}'; available: ${listBackends().join(', ')}`);
  const backend = factory();
  instances.set(name, backend);
  return backend;
}

/** Selects the backend every following op runs on. */
export function setBackend(name: string): Backend {
  current = instantiate(name);
  return current;
}

/** The backend in use: AXON_BACKEND when set, else the JS reference backend. */
export function getBackend(): Backend {
  if (current) return current;
  const env = typeof process !== 'undefined' ? process.env['AXON_BACKEND'] : undefined;
  current = instantiate(env && env.length > 0 ? env : 'js');
  return current;
}

export function backendInfo(): { name: string; available: string[] } {
  return { name: getBackend().name, available: listBackends() };
}
