/**
 * What Axon's core needs from its host, in one narrow interface: files, gzip, a few facts about the
 * process, and the dashboard. The Node entry (src/index.ts) installs node.ts; the browser entry
 * (src/browser.ts) installs browser.ts, where file access fails with a clear IOError and every
 * format has a byte-level twin (parseCsv, parseSafetensors, onnx.load(bytes), ...). Keeping `node:`
 * imports out of the core is what lets esbuild bundle it for a page (test/browser.bundle.test.ts).
 */
import type { ExternalReader } from '../onnx/tensor-proto.js';

export interface DashboardHandle {
  readonly url: string;
  close(): Promise<void>;
}

export interface Platform {
  readonly name: 'node' | 'browser';
  readFile(path: string): Uint8Array;
  /** A temporary file beside the target, flushed, renamed over it. */
  writeFileAtomic(path: string, chunks: readonly Uint8Array[]): void;
  writeFile(path: string, data: string | Uint8Array): void;
  appendFile(path: string, data: string | Uint8Array): void;
  exists(path: string): boolean;
  mkdirp(dir: string): void;
  remove(path: string): void;
  join(...parts: string[]): string;
  dirname(path: string): string;
  basename(path: string): string;
  /**
   * Inflates gzip data. `partial`: what a prefix of a stream decodes to (no error at its end);
   * `maxOutput`: a bigger result throws a GunzipTooLarge instead of being allocated.
   */
  gunzip(bytes: Uint8Array, options?: { partial?: boolean; maxOutput?: number }): Uint8Array;
  /** Reads ONNX external data from files in `baseDir`, refusing locations outside it. */
  externalReader(baseDir: string): ExternalReader;
  hostname(): string;
  pid(): number;
  env(name: string): string | undefined;
  /** Process CPU time (user + system) in microseconds, or null where the host cannot tell. */
  cpuTimeMicros(): number | null;
  startDashboard(logDir: string, options: { port?: number; host?: string; timeoutMs?: number }): DashboardHandle;
  /**
   * Where initWasm() finds the WebAssembly kernels when not told: the threaded build (shared memory,
   * whose tensors the kernels read in place) or the other.
   */
  wasmSource(threaded: boolean): Promise<Uint8Array<ArrayBuffer> | URL>;
  /**
   * Whether a shared WebAssembly memory can be made (Node; Chromium in any page; other browsers
   * only in a cross-origin-isolated page): the threaded build runs on one, on one thread if need be.
   */
  sharedMemory(): boolean;
  /** Whether shared memory can be handed to workers (Node; a cross-origin-isolated page). */
  workersShareMemory(): boolean;
  /** Logical processors (os.availableParallelism(), navigator.hardwareConcurrency). */
  cpuCount(): number;
  /**
   * Starts a worker running `source` (a script that receives one message), or null where workers
   * cannot be started. It never keeps the process alive.
   */
  startWorker(source: string): { postMessage(message: unknown): void } | null;
  /** PNG bytes of an RGBA image. */
  encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array;
  /** A terminal progress bar for `total` steps, or null (no terminal, CI, a page). */
  progressBar(format: string, total: number): ProgressBar | null;
}

export interface ProgressBar {
  update(value: number, payload: Record<string, string>): void;
  stop(): void;
}

/** Thrown by Platform.gunzip when the output would exceed maxOutput. */
export class GunzipTooLarge extends Error {}

let installed: Platform | null = null;

export function installPlatform(p: Platform): void {
  installed = p;
}

export function platform(): Platform {
  if (!installed) throw new Error('axon: no platform installed (import axon through its package entry)');
  return installed;
}
