/** The Node.js host: real files, zlib, the process. Installed by src/index.ts. */
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { constants, gunzipSync } from 'node:zlib';
import cliProgress from 'cli-progress';
import { PNG } from 'pngjs';
import { startDashboard } from '../dashboard/start.js';
import { externalReader } from '../onnx/external-data.js';
import { readWasmFile } from '../backend/wasm/file.js';
import { GunzipTooLarge, type Platform, installPlatform } from './platform.js';

export const nodePlatform: Platform = {
  name: 'node',
  readFile: (path) => readFileSync(path),
  writeFileAtomic(path, chunks) {
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
    try {
      const fd = openSync(tmp, 'w');
      try {
        // Several chunks are written one after the other (files larger than one buffer may hold).
        for (const chunk of chunks) writeSync(fd, chunk);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  },
  writeFile: (path, data) => writeFileSync(path, data),
  appendFile: (path, data) => appendFileSync(path, data),
  exists: (path) => existsSync(path),
  mkdirp: (dir) => void mkdirSync(dir, { recursive: true }),
  remove: (path) => rmSync(path, { force: true }),
  join: (...parts) => join(...parts),
  dirname: (path) => dirname(path),
  basename: (path) => basename(path),
  gunzip(bytes, options = {}) {
    if (options.partial) return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    try {
      return gunzipSync(bytes, options.maxOutput === undefined ? {} : { maxOutputLength: options.maxOutput });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new GunzipTooLarge((e as Error).message);
      throw e;
    }
  },
  externalReader,
  hostname: () => hostname(),
  pid: () => process.pid,
  env: (name) => process.env[name],
  cpuTimeMicros() {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
  startDashboard,
  wasmSource: (threaded) => Promise.resolve(readWasmFile(threaded)),
  sharedMemory: () => true,
  workersShareMemory: () => true,
  cpuCount: () => availableParallelism(),
  startWorker(source) {
    const worker = new Worker(source, { eval: true });
    worker.unref();
    return worker;
  },
  encodePng(width, height, rgba) {
    const png = new PNG({ width, height });
    png.data.set(rgba);
    return PNG.sync.write(png);
  },
  progressBar(format, total) {
    if (process.stdout.isTTY !== true || process.env['CI']) return null;
    const bar = new cliProgress.SingleBar({ format, hideCursor: true }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, { loss: '-', speed: '-' });
    return bar;
  },
};

installPlatform(nodePlatform);
