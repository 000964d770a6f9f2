/**
 * The worker threads of the threaded WebAssembly build (axon-threads.wasm). WebAssembly cannot start
 * threads itself: each worker here (a Web Worker in a page, a worker thread in Node) instantiates the
 * same compiled module on the same shared memory, runs on a stack and thread-local block the main
 * instance allocated for it, and calls axon_worker_run, which joins the kernels' thread pool
 * (native/src/threadpool_wasm.cc) and never returns. Workers join asynchronously: until one has,
 * the kernels run on the calling thread.
 */
import { platform } from '../../platform/platform.js';

/** Bytes of stack per worker (the main instance has the linker's 64 KiB; kernels keep buffers on the heap). */
export const WORKER_STACK_BYTES = 1 << 20;

export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The top of the worker's stack (stacks grow down). */
  stackTop: number;
  /** The worker's thread-local block, __builtin_wasm_tls_size() bytes. */
  tls: number;
}

/**
 * The worker's whole program, as source: it runs where nothing of Axon is loaded (a page's Blob
 * worker, or Node's `eval` worker, where `require` exists). A trap in the kernels is reported to the
 * pool (axon_worker_failed), so the thread waiting for this worker stops waiting and fails too.
 */
export const WORKER_SOURCE = `
function start(msg) {
  const wasi = {};
  for (const imp of WebAssembly.Module.imports(msg.module)) {
    if (imp.module !== 'wasi_snapshot_preview1' || imp.kind !== 'function') continue;
    wasi[imp.name] = imp.name === 'proc_exit' ? () => { throw new Error('axon wasm worker: the module aborted'); } : () => 52;
  }
  const x = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory }, wasi_snapshot_preview1: wasi }).exports;
  x.axon_set_stack_pointer(msg.stackTop);
  x.__wasm_init_tls(msg.tls);
  try {
    x.axon_worker_run();
  } catch (e) {
    x.axon_worker_failed();
    throw e;
  }
}
if (typeof require === 'function') require('node:worker_threads').parentPort.once('message', start);
else self.onmessage = (e) => start(e.data);
`;

/** Starts one worker; false when the host cannot start workers (it then stays single-threaded). */
export function startWorker(start: WorkerStart): boolean {
  const worker = platform().startWorker(WORKER_SOURCE);
  if (!worker) return false;
  worker.postMessage(start);
  return true;
}
