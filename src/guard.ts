import { AxonError, ValueError } from './errors.js';
import { show } from './check.js';
import { activeTrace } from './trace-hook.js';

// The public boundary's safety net. Plain JavaScript callers can pass anything (undefined for a
// tensor, a string for a size); the ops check what they use with messages that name the argument,
// and whatever slips past them as JavaScript's own TypeError or RangeError ("cannot read
// properties of undefined", "invalid array length") is turned here into a ValueError that names the
// function and shows the arguments, with the original error as its cause. Errors of Axon's own
// types, and errors thrown by user callbacks of other types, pass through unchanged.

/** A short picture of call arguments for a message: `(Tensor[2, 3], undefined, "x")`. */
export function showArgs(args: readonly unknown[]): string {
  return `(${args
    .map((a) => {
      if (a !== null && typeof a === 'object' && 'shape' in a && 'dtype' in a)
        return `Tensor[${(a as { shape: number[] }).shape.join(', ')}]`;
      if (typeof a === 'function') return 'function';
      return show(a);
    })
    .join(', ')})`;
}

/** The error to throw for `e` raised inside `name` called with `args`. */
export function boundaryError(name: string, args: readonly unknown[], e: unknown): unknown {
  if (e instanceof AxonError || !(e instanceof TypeError || e instanceof RangeError)) return e;
  const err = new ValueError(`${name}: invalid arguments ${showArgs(args)}: ${e.message}`);
  (err as { cause?: unknown }).cause = e;
  return err;
}

const GUARDED = Symbol('axon.guarded');

/** `fn` with JavaScript's own TypeErrors and RangeErrors turned into ValueErrors naming `name`. */
export function guard<F extends (...args: never[]) => unknown>(name: string, fn: F): F {
  if ((fn as unknown as { [GUARDED]?: boolean })[GUARDED]) return fn;
  // `arguments` rather than a rest parameter: V8 forwards it to apply without building an array,
  // which keeps the wrapper's cost near zero on the hot path of every op.
  const wrapped = function (this: unknown): unknown {
    try {
      const trace = activeTrace();
      // eslint-disable-next-line prefer-rest-params
      if (trace) return trace.call(name, fn, this, [...(arguments as unknown as unknown[])]);
      // eslint-disable-next-line prefer-rest-params
      return fn.apply(this, arguments as unknown as never[]);
    } catch (e) {
      // eslint-disable-next-line prefer-rest-params
      throw boundaryError(name, [...(arguments as unknown as unknown[])], e);
    }
  };
  Object.defineProperty(wrapped, 'name', { value: fn.name || name });
  Object.defineProperty(wrapped, 'length', { value: fn.length });
  (wrapped as unknown as { [GUARDED]: boolean })[GUARDED] = true;
  return wrapped as unknown as F;
}

/** Every function of a module namespace, guarded under `prefix + name`. */
export function guardAll<T extends object>(ns: T, prefix = ''): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ns)) {
    out[k] = typeof v === 'function' && !/^[A-Z]/.test(k) ? guard(`${prefix}${k}`, v as (...a: never[]) => unknown) : v;
  }
  return out as T;
}
