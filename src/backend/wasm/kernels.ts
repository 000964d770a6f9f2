/**
 * The WebAssembly build of native/'s kernels (native/src/wasm_addon.cc), instantiated from a
 * compiled module. A call passes arrays already in the module's memory by address (the threaded
 * build's tensors live there: module-arrays.ts) and copies any other typed array in, runs the
 * binding, and copies the outputs back out (the single-threaded build's memory detaches when it
 * grows, so there every array is copied: a 1 M-element add costs 1.06 ms copying, 0.24 in place).
 */
import { BackendError } from '../../errors.js';
import { platform } from '../../platform/platform.js';
import { ModuleArrays } from './module-arrays.js';
import { WORKER_STACK_BYTES, startWorker } from './workers.js';

interface Exports {
  /** The single-threaded module's own memory (the threaded one imports a shared memory instead). */
  memory?: WebAssembly.Memory;
  _initialize(): void;
  __wasm_init_tls?(block: number): void;
  axon_tls_size?(): number;
  axon_tls_align?(): number;
  axon_call(index: number, args: number, argc: number): number;
  axon_error(): number;
  axon_binding_count(): number;
  axon_binding_name(i: number): number;
  axon_op_name(family: number, i: number): number;
  axon_isa(): number;
  axon_threads(): number;
  axon_alloc(bytes: number): number;
  axon_alloc_zeroed(bytes: number): number;
  axon_free(p: number): void;
}

// WasmArg kinds (wasm_addon.cc).
const enum Kind {
  Undefined = 0,
  Null = 1,
  Number = 2,
  Boolean = 3,
  String = 4,
  Float32 = 5,
  Int32 = 6,
  Uint8 = 7,
  Float64 = 8,
  Other = 9,
}
const ARG_BYTES = 24;

type Typed = Float32Array | Int32Array | Uint8Array | Float64Array;

function kindOf(v: unknown): Kind {
  if (v === undefined) return Kind.Undefined;
  if (v === null) return Kind.Null;
  if (typeof v === 'number') return Kind.Number;
  if (typeof v === 'boolean') return Kind.Boolean;
  if (typeof v === 'string') return Kind.String;
  if (v instanceof Float32Array) return Kind.Float32;
  if (v instanceof Int32Array) return Kind.Int32;
  if (v instanceof Uint8Array) return Kind.Uint8;
  if (v instanceof Float64Array) return Kind.Float64;
  return Kind.Other;
}

const align16 = (n: number) => (n + 15) & ~15;
const isArray = (k: Kind) => k >= Kind.Float32 && k <= Kind.Float64;
/** `resident` of a build without module arrays: nothing is. */
const NONE: readonly boolean[] = [];

// The threaded module's memory limits: scripts/build-wasm.mjs links it with the same.
const PAGE = 65536;
const THREADED_INITIAL_PAGES = (16 << 20) / PAGE;
const THREADED_MAX_PAGES = 2 ** 31 / PAGE;

/**
 * WASI imports for a module that calls none of them on its paths (its printf-family code is
 * unreachable): each answers ENOSYS, and proc_exit (abort) becomes an error.
 */
function wasiStubs(module: WebAssembly.Module): WebAssembly.Imports {
  const wasi: Record<string, () => number> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'wasi_snapshot_preview1' || imp.kind !== 'function') continue;
    wasi[imp.name] =
      imp.name === 'proc_exit'
        ? () => {
            throw new BackendError('wasm kernels: the module aborted');
          }
        : () => 52; // ENOSYS
  }
  return { wasi_snapshot_preview1: wasi };
}

export class WasmKernels {
  private readonly x: Exports;
  private readonly memory: WebAssembly.Memory;
  private readonly module: WebAssembly.Module;
  /** Whether this is the threaded build (axon-threads.wasm: shared memory, workers). */
  readonly threaded: boolean;
  private workers = 0;
  private readonly index = new Map<string, number>();
  private scratch = 0;
  private scratchBytes = 0;
  /**
   * Tensors' arrays in the module's memory, read in place by the kernels: the threaded build only
   * (its memory is shared and never detaches); null for the single-threaded one, which copies.
   */
  readonly arrays: ModuleArrays | null = null;
  /** Bytes copied into and out of the module's memory by calls so far (what in-place arrays save). */
  copiedBytes = 0;

  constructor(module: WebAssembly.Module) {
    this.module = module;
    this.threaded = WebAssembly.Module.imports(module).some((i) => i.module === 'env' && i.kind === 'memory');
    const imports = wasiStubs(module);
    let shared: WebAssembly.Memory | undefined;
    if (this.threaded) {
      if (!platform().sharedMemory())
        throw new BackendError(
          'wasm kernels: the threaded build needs shared memory, which this page cannot make (browsers other ' +
            'than Chromium allow it only in a cross-origin-isolated page: Cross-Origin-Opener-Policy: same-origin, ' +
            'Cross-Origin-Embedder-Policy: require-corp); load axon.wasm instead',
        );
      shared = new WebAssembly.Memory({ initial: THREADED_INITIAL_PAGES, maximum: THREADED_MAX_PAGES, shared: true });
      imports['env'] = { memory: shared };
    }
    const instance = new WebAssembly.Instance(module, imports);
    this.x = instance.exports as unknown as Exports;
    this.memory = shared ?? this.x.memory!;
    if (this.threaded) {
      // Blocks come from axon_alloc, 16-byte aligned.
      if (this.x.axon_tls_align!() > 16)
        throw new BackendError(`wasm kernels: thread-local alignment ${this.x.axon_tls_align!()} is over 16`);
      // The main instance's thread-locals need a block too, before anything runs.
      this.x.__wasm_init_tls!(this.allocate(this.x.axon_tls_size!(), 'thread-local storage'));
    }
    this.x._initialize();
    for (let i = 0; i < this.x.axon_binding_count(); i++) this.index.set(this.string(this.x.axon_binding_name(i)), i);
    if (this.threaded) {
      const memory = this.memory;
      this.arrays = new ModuleArrays({
        buffer: () => memory.buffer,
        allocZeroed: (bytes) => this.x.axon_alloc_zeroed(bytes),
        free: (address) => this.x.axon_free(address),
      });
      const env = Number(platform().env('AXON_NUM_THREADS'));
      this.setThreads(Number.isInteger(env) && env > 0 ? env : platform().cpuCount());
    }
  }

  private allocate(bytes: number, what: string): number {
    const p = this.x.axon_alloc(Math.max(bytes, 16));
    if (!p) throw new BackendError(`wasm kernels: cannot allocate ${bytes} bytes of module memory for ${what}`);
    return p;
  }

  /**
   * Threads the kernels use, the caller included. The threaded build starts workers up to n - 1
   * (never stopping any: fewer threads just leave some idle); the other build stays on one, and so
   * does the threaded one in a page that cannot hand its memory to workers (not cross-origin isolated).
   */
  setThreads(n: number): void {
    if (this.threaded && !platform().workersShareMemory()) n = 1;
    this.call('setNumThreads', [n], []);
    if (!this.threaded) return;
    while (this.workers < n - 1) {
      const stack = this.allocate(WORKER_STACK_BYTES, 'a worker stack');
      const tls = this.allocate(this.x.axon_tls_size!(), 'thread-local storage');
      if (!startWorker({ module: this.module, memory: this.memory, stackTop: stack + WORKER_STACK_BYTES, tls })) {
        this.x.axon_free(stack);
        this.x.axon_free(tls);
        return;
      }
      this.workers++;
    }
  }

  /** A NUL-terminated string in the module's memory. */
  private string(p: number): string {
    const bytes = new Uint8Array(this.memory.buffer);
    let end = p;
    while (bytes[end] !== 0) end++;
    // A copy: TextDecoder refuses views of shared memory.
    return new TextDecoder().decode(bytes.slice(p, end));
  }

  /** The module memory's size in bytes (it grows, never shrinks). */
  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  isa(): string {
    return this.string(this.x.axon_isa());
  }

  threads(): number {
    return this.x.axon_threads();
  }

  /** Op names of family 0 unary, 1 binary, 2 reduce, 3 compare, in op-code order. */
  opNames(family: number): string[] {
    const names: string[] = [];
    for (let i = 0; ; i++) {
      const name = this.string(this.x.axon_op_name(family, i));
      if (name === '') return names;
      names.push(name);
    }
  }

  /** Bytes of module memory the calls reuse (grown on demand, never shrunk). */
  private reserve(bytes: number): number {
    if (bytes <= this.scratchBytes) return this.scratch;
    if (this.scratch) this.x.axon_free(this.scratch);
    const size = Math.max(bytes, 2 * this.scratchBytes, 1 << 16);
    this.scratch = this.x.axon_alloc(size);
    this.scratchBytes = this.scratch ? size : 0;
    if (!this.scratch) throw new BackendError(`wasm kernels: cannot allocate ${size} bytes of module memory`);
    return this.scratch;
  }

  /**
   * Runs binding `name` on `args`; the typed arrays at positions `outputs` get the kernel's
   * results. An array passed in several positions is copied once, so aliasing behaves as natively
   * (arrays in the module's memory are the kernels' own memory: they alias as natively too).
   */
  call(name: string, args: readonly unknown[], outputs: readonly number[]): true {
    const index = this.index.get(name);
    if (index === undefined) throw new BackendError(`wasm kernels: no binding '${name}'`);
    const kinds = args.map(kindOf);
    const strings = args.map((a) => (typeof a === 'string' ? new TextEncoder().encode(a) : null));
    // Layout: the argument table, then each distinct array (or string) 16-byte aligned.
    const at = new Map<unknown, number>();
    // Arrays already in the module's memory are passed by address: no room, no copies.
    const inPlace = this.arrays;
    const resident = inPlace ? args.map((a, i) => isArray(kinds[i]!) && inPlace.inModule(a as Typed)) : NONE;
    let bytes = ARG_BYTES * args.length;
    args.forEach((a, i) => {
      const k = kinds[i]!;
      if (isArray(k) && !resident[i] && !at.has(a)) {
        bytes = align16(bytes);
        at.set(a, bytes);
        bytes += (a as Typed).byteLength;
      } else if (k === Kind.String) {
        bytes = align16(bytes);
        at.set(a, bytes);
        bytes += strings[i]!.length;
      }
    });
    const base = this.reserve(bytes);
    const mem = this.memory.buffer;
    const view = new DataView(mem, base, ARG_BYTES * args.length);
    const heap = new Uint8Array(mem);
    const copied = new Set<unknown>();
    args.forEach((a, i) => {
      const k = kinds[i]!;
      const o = i * ARG_BYTES;
      view.setInt32(o, k, true);
      if (isArray(k)) {
        const t = a as Typed;
        view.setUint32(o + 4, resident[i] ? t.byteOffset : base + at.get(a)!, true);
        view.setUint32(o + 8, t.length, true);
        if (!resident[i] && !copied.has(a)) {
          heap.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), base + at.get(a)!);
          this.copiedBytes += t.byteLength;
          copied.add(a);
        }
      } else if (k === Kind.String) {
        view.setUint32(o + 4, base + at.get(a)!, true);
        view.setUint32(o + 8, strings[i]!.length, true);
        heap.set(strings[i]!, base + at.get(a)!);
      } else if (k === Kind.Number) {
        view.setFloat64(o + 16, a as number, true);
      } else if (k === Kind.Boolean) {
        view.setFloat64(o + 16, a ? 1 : 0, true);
      }
    });
    let ok: number;
    try {
      ok = this.x.axon_call(index, base, args.length);
    } catch (e) {
      // A trap: a kernel's own, or a worker's (threadpool_wasm.cc then traps the caller too).
      throw new BackendError(`${name} (wasm): the kernels trapped: ${(e as Error).message}`);
    }
    if (!ok) throw new BackendError(`${name} (wasm): ${this.string(this.x.axon_error())}`);
    // The kernels may have grown memory (their own buffers): take its buffer afresh.
    const after = this.memory.buffer;
    for (const i of outputs) {
      const a = args[i];
      const k = kinds[i]!;
      if (!isArray(k) || resident[i]) continue;
      const t = a as Typed;
      new Uint8Array(t.buffer, t.byteOffset, t.byteLength).set(new Uint8Array(after, base + at.get(a)!, t.byteLength));
      this.copiedBytes += t.byteLength;
    }
    return true;
  }
}
