// NumPy's .npy format (version 1–3): a magic string, a Python-literal header (dtype, order, shape),
// then the raw array. Little-endian numeric dtypes only; every header field is checked before use.
import { FormatError } from '../errors.js';
import { fromTypedArray } from '../tensor/create.js';
import { MAX_ELEMENTS, allocArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { readFileFor } from './files.js';
import { halfToNumber } from './half.js';

const DTYPES: Record<
  string,
  { bytes: number; axon: 'float32' | 'float64' | 'int32' | 'bool'; read: (v: DataView, o: number) => number }
> = {
  '<f4': { bytes: 4, axon: 'float32', read: (v, o) => v.getFloat32(o, true) },
  '<f8': { bytes: 8, axon: 'float64', read: (v, o) => v.getFloat64(o, true) },
  '<f2': { bytes: 2, axon: 'float32', read: (v, o) => halfToNumber(v.getUint16(o, true)) },
  '<i4': { bytes: 4, axon: 'int32', read: (v, o) => v.getInt32(o, true) },
  '<i2': { bytes: 2, axon: 'int32', read: (v, o) => v.getInt16(o, true) },
  '|i1': { bytes: 1, axon: 'int32', read: (v, o) => v.getInt8(o) },
  '|u1': { bytes: 1, axon: 'int32', read: (v, o) => v.getUint8(o) },
  '<u2': { bytes: 2, axon: 'int32', read: (v, o) => v.getUint16(o, true) },
  '|b1': { bytes: 1, axon: 'bool', read: (v, o) => (v.getUint8(o) ? 1 : 0) },
  '<i8': {
    bytes: 8,
    axon: 'int32',
    read: (v, o) => {
      const x = v.getBigInt64(o, true);
      if (x < -2147483648n || x > 2147483647n)
        throw new FormatError(`parseNpy: the int64 value ${x} does not fit int32`);
      return Number(x);
    },
  },
};

/** An array from the bytes of a .npy file. */
export function parseNpy(bytes: Uint8Array): Tensor {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b))
    throw new FormatError('parseNpy: not a .npy file (bad magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new FormatError(`parseNpy: format version ${major} is not supported`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : -1;
  const start = major === 1 ? 10 : 12;
  if (headerLen < 0 || start + headerLen > bytes.length) throw new FormatError('parseNpy: the header is cut short');
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new FormatError(`parseNpy: cannot read the header ${JSON.stringify(header.slice(0, 120))}`);
  const type = DTYPES[descr === '<b1' ? '|b1' : descr];
  if (!type) throw new FormatError(`parseNpy: dtype '${descr}' is not supported (${Object.keys(DTYPES).join(', ')})`);
  if (fortran === 'True') throw new FormatError('parseNpy: Fortran-ordered arrays are not supported');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s);
      if (!Number.isSafeInteger(n) || n < 0) throw new FormatError(`parseNpy: bad dimension '${s}'`);
      return n;
    });
  const size = shape.reduce((a, b) => a * b, 1);
  if (size > MAX_ELEMENTS) throw new FormatError(`parseNpy: shape [${shape}] is too large`);
  const dataStart = start + headerLen;
  if (bytes.length - dataStart !== size * type.bytes)
    throw new FormatError(
      `parseNpy: shape [${shape}] of ${descr} needs ${size * type.bytes} bytes, the file has ${bytes.length - dataStart}`,
    );
  const out = allocArray(type.axon, size, 'parseNpy');
  for (let i = 0; i < size; i++) out[i] = type.read(view, dataStart + i * type.bytes);
  return fromTypedArray(out, shape);
}

/** An array from a .npy file. */
export function loadNpy(path: string): Tensor {
  return parseNpy(readFileFor('loadNpy', path));
}
