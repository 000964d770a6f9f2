/**
 * `ax.tidy(fn)`: frees, when fn returns, the memory of every tensor fn's ops allocated that fn does
 * not return — for tight loops. On the WebGPU backend, waiting for the garbage collector lets GPU
 * memory pile up between collections; on the CPU backends, the freed tensors' arrays go to the array
 * pool and the next steps reuse them instead of allocating fresh ones, whose first touch costs page
 * faults (in Chromium about 10 µs a 4 KB page on the machines measured, a fifth of an LSTM step's time).
 */
import { ValueError } from '../errors.js';
import { Storage, Tensor } from './tensor.js';

/**
 * What each open tidy call saw: storages a device backend allocated (freed at the end), and host
 * storages it copied to the device (only that copy is freed, when the host one is still current).
 */
type Scope = Map<Storage, 'allocated' | 'uploaded'>;
const scopes: Scope[] = [];

/** Called for each storage an op allocates (a device backend's, or a host array: src/ops/util.ts). */
export function recordAllocation(s: Storage): void {
  scopes[scopes.length - 1]?.set(s, 'allocated');
}

/** Called by a device backend when it first copies a host storage to its memory. */
export function recordUpload(s: Storage): void {
  scopes[scopes.length - 1]?.set(s, 'uploaded');
}

/** Keeps a storage out of every open scope (tidy will not free it). */
function keepStorage(s: Storage): void {
  for (const scope of scopes) scope.delete(s);
}

/**
 * Marks t's memory as kept: the enclosing `ax.tidy` calls do not free it. Gradients accumulated
 * into `.grad` are kept without it.
 */
export function keep<T extends Tensor>(t: T): T {
  if (!(t instanceof Tensor)) throw new ValueError(`keep: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
  keepStorage(t.storage);
  return t;
}

/** The storages of the tensors in a result (a tensor, or arrays and plain objects holding them). */
function collect(value: unknown, into: Set<Storage>, depth = 0): void {
  if (value instanceof Tensor) into.add(value.storage);
  else if (depth < 8 && Array.isArray(value)) for (const v of value) collect(v, into, depth + 1);
  else if (
    depth < 8 &&
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  )
    for (const v of Object.values(value)) collect(v, into, depth + 1);
}

/**
 * Runs fn, then frees the memory of the tensors its ops created, except those in its result
 * (a tensor, an array or a plain object of them), those passed to `ax.keep`, and gradients
 * accumulated into `.grad`. A freed tensor throws when used, and on CPU backends its array is
 * reused: a typed array taken from one (`t.data`) must not be kept past tidy (copy it, or use
 * `toTypedArray()`, `toArray()` or `item()`). Return detached values (`loss.detach()`): the graph
 * behind a returned tensor is freed with the rest.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new ValueError(`tidy: expected a function, got ${typeof fn}`);
  const scope: Scope = new Map();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise)
    throw new ValueError('tidy: fn returned a Promise; tidy frees memory when fn returns, so fn must be synchronous');
  const kept = new Set<Storage>();
  collect(result, kept);
  const outer = scopes[scopes.length - 1];
  for (const [s, kind] of scope) {
    if (kept.has(s))
      outer?.set(s, kind); // a returned tensor belongs to the enclosing tidy
    else if (kind === 'allocated') s.dispose();
    else s.releaseDeviceCopy();
  }
  return result;
}

/**
 * Called when a tensor becomes a `.grad`: open tidy calls do not free it. One they would have freed
 * is freed instead when `.grad` lets go of it (zeroGrad, or a new gradient), so a loop of tidy steps
 * does not leave one set of gradients per step to the garbage collector.
 */
export function keepGradient(t: Tensor): void {
  for (const scope of scopes)
    if (scope.get(t.storage) === 'allocated') {
      keepStorage(t.storage);
      t.storage.freedWithGrad = true;
      return;
    }
}
