import { ValueError } from './errors.js';
import { Tensor } from './tensor/tensor.js';

// Run-time checks of values that arrive from outside the type system: plain JavaScript callers and
// files (checkpoints, headers). Each names the operation and the argument it rejects.

/** A plain object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short, safe rendering of any value for a message. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? typeof v : s.length > 60 ? `${s.slice(0, 60)}…` : s;
  } catch {
    return typeof v;
  }
}

/** An integer in [min, max] (safe-integer range by default). */
export function checkInteger(
  op: string,
  name: string,
  v: unknown,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? (min === Number.MIN_SAFE_INTEGER ? '' : ` ≥ ${min}`) : ` in [${min}, ${max}]`;
    throw new ValueError(`${op}: ${name} must be an integer${range}, got ${show(v)}`);
  }
  return v;
}

/** A number argument that is not NaN (±Infinity allowed), or `fallback` when undefined. */
export function numberArg(op: string, name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new ValueError(`${op}: ${name} must be a number, got ${show(v)}`);
  return v;
}

/** Whether `v` can be iterated with for…of (arrays, Sets, generators, DataLoaders). */
export function isIterable(v: unknown): v is Iterable<unknown> {
  return (
    v !== null && typeof v === 'object' && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}

/** A finite number. */
export function checkFinite(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ValueError(`${op}: ${name} must be a finite number, got ${show(v)}`);
  return v;
}

/**
 * Whether `value` has the same JSON kind as `like` (number, boolean, string, null, array of the
 * same kinds element by element, or object): how a saved hyper-parameter is checked against the
 * default it replaces.
 */
export function sameKind(value: unknown, like: unknown): boolean {
  if (Array.isArray(like))
    return Array.isArray(value) && value.length === like.length && value.every((v, i) => sameKind(v, like[i]));
  if (like === null) return value === null;
  if (typeof like === 'object') return isRecord(value);
  return typeof value === typeof like;
}

/** Rejects option names the function does not know (a typo would otherwise be ignored silently). */
export function checkOptionNames(op: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (!isRecord(options)) throw new ValueError(`${op}: options must be an object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ValueError(`${op}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}

/** One of the allowed string values (or undefined for the default). */
export function checkChoice<T extends string>(
  op: string,
  name: string,
  v: unknown,
  choices: readonly T[],
): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new ValueError(`${op}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${show(v)}`);
  }
  return v as T;
}

/** An options argument: undefined (the defaults) or a plain object. */
export function optionsArg<T extends object>(op: string, options: T | undefined | null): T {
  if (options === undefined) return {} as T;
  if (!isRecord(options)) throw new ValueError(`${op}: options must be an object, got ${show(options)}`);
  return options;
}

/** A Tensor argument. */
export function tensorArg(op: string, name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a Tensor, got ${show(v)}`);
  return v;
}
