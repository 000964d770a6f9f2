import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { OnnxError } from '../errors.js';
import type { ExternalReader } from './tensor-proto.js';

/**
 * Reads external tensor data (ONNX's `external_data`: location, offset, length) from files beside
 * the model. A location must stay inside the model's directory: absolute paths, `..` and links are
 * refused, so a model cannot make Axon read /etc/passwd.
 */
export function externalReader(baseDir: string): ExternalReader {
  const root = resolve(baseDir);
  return (entries, byteLength, where) => {
    const location = entries.get('location');
    if (!location) throw new OnnxError(`${where}: external data without a location`);
    const norm = normalize(location);
    const path = resolve(root, norm);
    const rel = relative(root, path);
    if (isAbsolute(location) || rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..'))
      throw new OnnxError(`${where}: external data location '${location}' leaves the model's directory`);
    const offset = entries.has('offset') ? Number(entries.get('offset')) : 0;
    const length = entries.has('length') ? Number(entries.get('length')) : byteLength;
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0)
      throw new OnnxError(`${where}: external data offset/length must be non-negative integers`);
    if (length !== byteLength)
      throw new OnnxError(`${where}: external data length ${length} does not match the tensor's ${byteLength} bytes`);
    let fd: number;
    try {
      // A symbolic link inside the directory may still point out of it: compare the real paths.
      const real = relative(realpathSync(root), realpathSync(path));
      if (real.startsWith('..') || isAbsolute(real))
        throw new OnnxError(`${where}: external data location '${location}' links out of the model's directory`);
      fd = openSync(path, 'r');
    } catch (e) {
      if (e instanceof OnnxError) throw e;
      throw new OnnxError(`${where}: cannot open external data '${location}': ${(e as Error).message}`);
    }
    try {
      const size = fstatSync(fd).size;
      if (offset + length > size)
        throw new OnnxError(
          `${where}: external data '${location}' has ${size} bytes, the tensor needs bytes ${offset} to ${offset + length}`,
        );
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, out, done, length - done, offset + done);
        if (n <= 0) throw new OnnxError(`${where}: external data '${location}' ended early`);
        done += n;
      }
      return out;
    } finally {
      closeSync(fd);
    }
  };
}
