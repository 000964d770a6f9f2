import { Tensor } from '../../tensor/tensor.js';
import type { TraceHook } from '../../trace-hook.js';
import type { GraphBuilder } from './builder.js';

/** Writes the ONNX nodes for one call: `args` are the call's arguments (a method's tensor first). */
export type OpEmitter = (g: GraphBuilder, args: unknown[], out: unknown) => void;
/** Writes the ONNX nodes for one module call (layers ONNX has an op for: LSTM, GRU, RNN). */
export type ModuleEmitter = (g: GraphBuilder, module: object, args: unknown[], out: unknown) => void;

/** Thrown by an emitter for a call it cannot express (an option ONNX lacks): reported with the others. */
export class CannotExport extends Error {}

/** Every tensor in a value (arrays and plain objects walked). */
export function tensorsIn(v: unknown, out: Tensor[] = []): Tensor[] {
  if (v instanceof Tensor) out.push(v);
  else if (Array.isArray(v)) for (const x of v) tensorsIn(x, out);
  else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    for (const x of Object.values(v)) tensorsIn(x, out);
  return out;
}

/** The first stack frame outside Axon's own sources: where the user called the op. */
function callSite(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  const user = frames.find((f) => !/[/\\]src[/\\]/.test(f) && !/node:internal|node_modules/.test(f));
  const frame = (user ?? frames.find((f) => !/onnx[/\\]export|guard\.ts|trace-hook/.test(f)) ?? '').trim();
  return frame.replace(/^at /, '');
}

/**
 * Records a forward pass as ONNX nodes. A public op or method whose inputs include a traced value
 * (or a parameter) is recorded by its emitter; the ops it calls inside run untraced. An op with no
 * emitter runs traced inside (composites are recorded through the ops they use); if its result is
 * still unknown, it is reported. Creation ops (zeros, arange, ...) are recorded even without tensor
 * inputs, so a size that follows an input's size is computed, not baked in.
 */
export class Tracer implements TraceHook {
  private depth = 0;
  readonly unsupported: string[] = [];

  constructor(
    readonly g: GraphBuilder,
    private readonly ops: Record<string, OpEmitter>,
    private readonly creators: ReadonlySet<string>,
    private readonly modules: Map<object, ModuleEmitter>,
  ) {}

  private reads(args: unknown[]): boolean {
    return tensorsIn(args).some((t) => this.g.isTraced(t) || this.g.isState(t));
  }

  call(name: string, fn: (...args: never[]) => unknown, thisArg: unknown, args: unknown[]): unknown {
    const run = () => fn.apply(thisArg, args as never[]);
    if (this.depth > 0) return run();
    const op = name.replace(/^(Tensor|functional|onnx|io|data|train|optim)\./, '');
    const all = thisArg instanceof Tensor ? [thisArg, ...args] : args;
    const emitter = this.ops[op];
    if (!this.reads(all) && !(emitter && this.creators.has(op))) return run();
    if (op.endsWith('_')) {
      // An in-place op changes a value the graph already recorded: the trace cannot follow it.
      this.report(op, 'in-place ops cannot be exported; use the out-of-place form');
      return run();
    }
    if (!emitter) {
      // A composite: its inner public calls are recorded; its result must come out traced.
      const out = run();
      const outs = tensorsIn(out);
      if (outs.length === 0 || outs.some((t) => !this.g.isTraced(t) && !this.g.isState(t)))
        this.report(op, 'no ONNX form');
      return out;
    }
    const out = this.untraced(run);
    this.emit(op, () => emitter(this.g, all, out));
    return out;
  }

  module(module: object, args: unknown[], run: () => unknown): unknown {
    if (this.depth > 0) return run();
    const emitter = this.modules.get(Object.getPrototypeOf(module).constructor);
    if (!emitter) return run();
    const out = this.untraced(run);
    this.emit((module as { constructor: { name: string } }).constructor.name, () => emitter(this.g, module, args, out));
    return out;
  }

  /** Runs fn with recording off: the ops inside an op or layer that has its own ONNX form. */
  private untraced<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private emit(op: string, write: () => void): void {
    // Emitters may compute small constants with public ops: those are not part of the trace.
    try {
      this.untraced(write);
    } catch (e) {
      if (!(e instanceof CannotExport)) throw e;
      this.report(op, e.message);
    }
  }

  private report(op: string, why: string): void {
    this.unsupported.push(`${op} (${why}) at ${callSite()}`);
  }
}
