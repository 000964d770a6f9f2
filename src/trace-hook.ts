// The hook a tracer (ONNX export, src/onnx/export/) sets while it records a forward pass. The public
// boundary (src/guard.ts) and Module.forward call into it; when no trace runs it is null and costs
// one comparison per call.

export interface TraceHook {
  /** A public function or Tensor method called by the traced code. */
  call(name: string, fn: (...args: never[]) => unknown, thisArg: unknown, args: unknown[]): unknown;
  /** A module's forward, with `run` computing it. */
  module(module: object, args: unknown[], run: () => unknown): unknown;
}

let active: TraceHook | null = null;

export function activeTrace(): TraceHook | null {
  return active;
}

/** Runs fn with the hook set; only one trace at a time. */
export function withTrace<T>(hook: TraceHook, fn: () => T): T {
  if (active) throw new Error('a trace is already running');
  active = hook;
  try {
    return fn();
  } finally {
    active = null;
  }
}
