/**
 * The wasm glue (kernels.ts) copies each array a kernel gets into the module's memory, and the
 * arrays it writes back out, whole. A view of one time step of a [T, N, H] tensor would copy all
 * T steps in and out: the LSTM's per-step adds and copies cost 50–170 µs a call that way, 10–40
 * times their work. So before each kernel call, views that address only part of their array are
 * re-based onto that part: one subarray per array, spanning every view of it in the call, so that
 * views sharing memory still share it in the module (the glue lays out each array once).
 */
import type { Backend, View } from '../backend.js';
import { FUSED_KERNELS } from '../index.js';

/** Below this many elements outside the span, trimming saves less than making the subarray costs. */
const MIN_SAVED = 1024;

/** The kernel methods of Backend (every method that takes views). */
const KERNELS = [
  'copy',
  'fill',
  'unary',
  'binary',
  'where',
  'reduce',
  'argReduce',
  'matmul',
  'matmulBf16',
  'gather',
  'scatter',
  'im2col',
  'col2im',
  'conv2d',
  'conv2dBackward',
  ...FUSED_KERNELS,
] as const satisfies readonly (keyof Backend)[];

function isView(a: unknown): a is View {
  return typeof a === 'object' && a !== null && (a as View).strides !== undefined && (a as View).shape !== undefined;
}

/** The lowest and highest element a view addresses, or null when it addresses none. */
function span(v: View): [number, number] | null {
  let lo = v.offset,
    hi = v.offset;
  for (let d = 0; d < v.shape.length; d++) {
    const n = v.shape[d]!;
    if (n === 0) return null;
    const s = (n - 1) * v.strides[d]!;
    if (s < 0) lo += s;
    else hi += s;
  }
  return [lo, hi];
}

/** Whether a view leaves enough of its array unaddressed for trimming to pay. */
function trimmable(v: View): boolean {
  const s = span(v);
  return s !== null && v.data.length - (s[1] - s[0] + 1) >= MIN_SAVED;
}

/** The arguments with views re-based onto the part of their arrays the call addresses. */
export function trimArgs(args: unknown[]): unknown[] {
  // Most calls address whole arrays: they return here without allocating (every kernel call passes here).
  let any = false;
  for (const a of args) if (isView(a) && trimmable(a)) any = true;
  if (!any) return args;
  // Distinct arrays among the views and the union of their spans (a call has a handful of views).
  const arrays: View['data'][] = [];
  const lows: number[] = [];
  const highs: number[] = [];
  for (const a of args) {
    if (!isView(a)) continue;
    // An empty view addresses nothing, yet must not leave its array's part empty: it takes it whole.
    const [lo, hi] = span(a) ?? [0, a.data.length - 1];
    const i = arrays.indexOf(a.data);
    if (i < 0) {
      arrays.push(a.data);
      lows.push(lo);
      highs.push(hi);
    } else {
      lows[i] = Math.min(lows[i]!, lo);
      highs[i] = Math.max(highs[i]!, hi);
    }
  }
  const parts = arrays.map((data, i) =>
    data.length - (highs[i]! - lows[i]! + 1) >= MIN_SAVED ? data.subarray(lows[i]!, highs[i]! + 1) : null,
  );
  if (parts.every((p) => p === null)) return args;
  return args.map((a) => {
    if (!isView(a)) return a;
    const i = arrays.indexOf(a.data);
    const part = parts[i];
    if (!part) return a;
    return { data: part, shape: a.shape, strides: a.strides, offset: a.offset - lows[i]! } satisfies View;
  });
}

/** `backend` with each kernel method handed trimmed views (the methods are replaced on the object). */
export function trimmingViews<B extends Backend>(backend: B): B {
  for (const name of KERNELS) {
    const method = backend[name] as ((...args: unknown[]) => void) | undefined;
    if (typeof method !== 'function') continue;
    Object.defineProperty(backend, name, {
      value: (...args: unknown[]) => method.apply(backend, trimArgs(args)),
      configurable: true,
      writable: true,
    });
  }
  return backend;
}
