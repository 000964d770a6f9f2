import { FormatError, IOError } from '../errors.js';
import { platform } from '../platform/platform.js';

/** The bytes of a file, or a FormatError naming the operation and the path. */
export function readFileFor(op: string, path: string): Uint8Array {
  try {
    return platform().readFile(path);
  } catch (e) {
    if (e instanceof IOError) throw new FormatError(`${op}: ${e.message}`);
    throw new FormatError(`${op}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * Writes a file atomically: a temporary file beside it, flushed, then renamed over the target.
 * A failure leaves the target as it was and raises an IOError naming the path.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | readonly Uint8Array[], op = 'write'): void {
  try {
    platform().writeFileAtomic(path, bytes instanceof Uint8Array ? [bytes] : bytes);
  } catch (e) {
    if (e instanceof IOError) throw new IOError(`${op}: ${e.message}`);
    throw new IOError(`${op}: cannot write ${path}: ${(e as Error).message}`);
  }
}
