/**
 * The browser host: no file system (each file-reading function has a byte-level twin that takes an
 * ArrayBuffer, a fetch response's bytes or a File's), gzip through the caller, POSIX-style paths.
 * Installed by src/browser.ts.
 */
import { IOError, ValueError } from '../errors.js';
import { type Platform, installPlatform } from './platform.js';

function noFiles(what: string, path: string): never {
  throw new IOError(
    `${what} ${path}: there is no file system in the browser; pass the bytes instead ` +
      `(e.g. parseSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer())))`,
  );
}

const basename = (path: string): string => path.replace(/\/+$/, '').split('/').pop() ?? '';
const dirname = (path: string): string => {
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i < 0 ? '.' : i === 0 ? '/' : trimmed.slice(0, i);
};

/**
 * Whether this page can make a shared WebAssembly memory. Chromium lets any page make one (it hides
 * the SharedArrayBuffer constructor and refuses to post one to a worker unless the page is
 * cross-origin isolated); other browsers may refuse it outright outside isolation. Found by trying.
 */
function makesSharedMemory(): boolean {
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}
let canMakeSharedMemory: boolean | undefined;

export const browserPlatform: Platform = {
  name: 'browser',
  readFile: (path) => noFiles('cannot read', path),
  writeFileAtomic: (path) => noFiles('cannot write', path),
  writeFile: (path) => noFiles('cannot write', path),
  appendFile: (path) => noFiles('cannot write', path),
  exists: () => false,
  mkdirp: (dir) => noFiles('cannot create', dir),
  remove: () => undefined,
  join: (...parts) =>
    parts
      .filter((p) => p.length > 0)
      .join('/')
      .replace(/\/{2,}/g, '/'),
  dirname,
  basename,
  gunzip() {
    throw new IOError(
      'gzip data: decompress it in the page first (new Response(blob.stream().pipeThrough(new DecompressionStream("gzip"))))',
    );
  },
  externalReader: () => () => {
    throw new IOError('ONNX external data: not available in the browser; export the model with its weights inside');
  },
  hostname: () => 'browser',
  pid: () => 0,
  env: () => undefined,
  cpuTimeMicros: () => null,
  // The modules are shipped beside the bundle (scripts/build-browser.mjs copies them to dist/).
  wasmSource: (threaded) => Promise.resolve(new URL(threaded ? './axon-threads.wasm' : './axon.wasm', import.meta.url)),
  sharedMemory: () => (canMakeSharedMemory ??= makesSharedMemory()),
  // Only a cross-origin-isolated page (COOP same-origin, COEP require-corp) may post shared memory to a worker.
  workersShareMemory: () => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
  cpuCount: () => (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 1,
  startWorker(source) {
    if (typeof Worker === 'undefined') return null;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    try {
      return new Worker(url);
    } catch {
      return null; // a content security policy that forbids blob: workers
    } finally {
      URL.revokeObjectURL(url);
    }
  },
  encodePng() {
    throw new IOError('PNG encoding needs Node.js; in a page, draw the pixels on a canvas (ImageData) instead');
  },
  progressBar: () => null,
  startDashboard() {
    throw new ValueError('fit: the dashboard option needs Node.js (it serves a page over HTTP)');
  },
};

installPlatform(browserPlatform);
