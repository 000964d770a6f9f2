import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FormatError, IOError } from '../errors.js';

/** The bytes of a file, or a FormatError naming the operation and the path. */
export function readFileFor(op: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new FormatError(`${op}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * Writes a file atomically: a temporary file beside it, flushed, then renamed over the target.
 * A failure leaves the target as it was and raises an IOError naming the path.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | readonly Uint8Array[], op = 'write'): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      // Several chunks are written one after the other (files larger than one buffer may hold).
      for (const chunk of bytes instanceof Uint8Array ? [bytes] : bytes) writeSync(fd, chunk);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new IOError(`${op}: cannot write ${path}: ${(e as Error).message}`);
  }
}
