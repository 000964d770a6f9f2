import { FormatError } from '../errors.js';
import { readFileFor } from '../io/files.js';
import { GunzipTooLarge, platform } from '../platform/platform.js';
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';

// IDX element types: code → [bytes, reader]
const TYPES: Record<number, [number, string]> = {
  0x08: [1, 'ubyte'], 0x09: [1, 'byte'], 0x0b: [2, 'short'], 0x0c: [4, 'int'], 0x0d: [4, 'float'], 0x0e: [8, 'double'],
};

/**
 * Reads an IDX file (the MNIST format), gzip-compressed or not, into a tensor: integer types as
 * int32, float/double as float32/float64; `scale` multiplies the values into float32 (1/255 for
 * pixels). A truncated file or a header that does not match the data raises a FormatError.
 */
export function loadIdx(path: string, options: { scale?: number } = {}): Tensor {
  return parseIdx(readFileFor('loadIdx', path), options, path);
}

/**
 * Decompresses gzip data no further than the IDX header says it holds: the header is read from
 * growing prefixes of the input first, then the whole is inflated with the output capped at the
 * claimed size, so a small file of compressed zeros cannot make Axon allocate gigabytes.
 */
function gunzipIdx(input: Uint8Array, source: string): Uint8Array {
  const partial = (n: number) => platform().gunzip(input.subarray(0, n), { partial: true });
  let head: Uint8Array;
  for (let n = 256; ; n *= 4) {
    try {
      head = partial(Math.min(n, input.length));
    } catch (e) {
      throw new FormatError(`loadIdx: ${source} looks gzip-compressed but does not decompress: ${(e as Error).message}`);
    }
    if (head.length >= 4 && head.length >= 4 + 4 * head[3]!) break;
    if (n >= input.length) break; // too short: parseIdx reports the truncated header
  }
  let claimed = 4;
  if (head.length >= 4 && head.length >= 4 + 4 * head[3]!) {
    const size = TYPES[head[2]!]?.[0] ?? 1;
    claimed = 4 + 4 * head[3]!;
    let count = 1;
    for (let d = 0; d < head[3]!; d++) count *= new DataView(head.buffer, head.byteOffset).getUint32(4 + 4 * d, false);
    claimed += count * size;
  }
  if (claimed > MAX_IDX_BYTES) throw new FormatError(`loadIdx: ${source} claims ${claimed} bytes of data, more than ${MAX_IDX_BYTES}`);
  try {
    // One byte over the claim, so that more data than claimed is caught below as a mismatch.
    return platform().gunzip(input, { maxOutput: claimed + 1 });
  } catch (e) {
    if (e instanceof GunzipTooLarge) throw new FormatError(`loadIdx: ${source} decompresses to more than the ${claimed} bytes its header claims`);
    throw new FormatError(`loadIdx: ${source} looks gzip-compressed but does not decompress: ${(e as Error).message}`);
  }
}

// The largest IDX data Axon reads (a tensor's element limit, at most 8 bytes each, would be more than memory).
const MAX_IDX_BYTES = 2 ** 32;

export function parseIdx(input: Uint8Array, options: { scale?: number } = {}, source = 'IDX data'): Tensor {
  let bytes = input;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipIdx(bytes, source);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new FormatError(`loadIdx: ${source} does not start with an IDX magic number (0x0000TTDD)`);
  const type = TYPES[bytes[2]!];
  const ndim = bytes[3]!;
  if (!type) throw new FormatError(`loadIdx: ${source} has unknown element type 0x${bytes[2]!.toString(16)}`);
  if (ndim === 0 || bytes.length < 4 + 4 * ndim) throw new FormatError(`loadIdx: ${source} is truncated inside its header (${ndim} dims)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndim;
  const [size, name] = type;
  if (bytes.length - start !== count * size) {
    throw new FormatError(`loadIdx: ${source} header says [${shape.join(', ')}] of ${name} (${count * size} bytes) but ${bytes.length - start} bytes follow`);
  }
  const scale = options.scale;
  const out = name === 'double' && scale === undefined ? new Float64Array(count) : (name === 'float' || scale !== undefined) ? new Float32Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const o = start + i * size;
    let v: number;
    switch (name) {
      case 'ubyte': v = bytes[o]!; break;
      case 'byte': v = view.getInt8(o); break;
      case 'short': v = view.getInt16(o, false); break;
      case 'int': v = view.getInt32(o, false); break;
      case 'float': v = view.getFloat32(o, false); break;
      default: v = view.getFloat64(o, false);
    }
    out[i] = scale !== undefined ? v * scale : v;
  }
  return fromTypedArray(out, shape);
}
