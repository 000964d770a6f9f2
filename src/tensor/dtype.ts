import { DTypeError, ValueError } from '../errors.js';
import { takeArray } from './array-pool.js';
import { takeHostMemory } from './host-memory.js';

/** The element types a tensor can hold. float32 is the default for floating-point data. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** The most elements one tensor may hold: V8's limit on a typed array's length. */
export const MAX_ELEMENTS = 2 ** 32 - 1;

export function allocArray(dtype: DType, size: number, op = 'alloc'): TypedArray {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new ValueError(`${op}: cannot allocate ${size} elements: not a non-negative integer`);
  if (size > MAX_ELEMENTS)
    throw new ValueError(`${op}: cannot allocate ${size} elements: a tensor holds at most ${MAX_ELEMENTS}`);
  const pooled = takeHostMemory(dtype, size) ?? takeArray(dtype, size);
  if (pooled !== undefined) return pooled;
  try {
    switch (dtype) {
      case 'float32':
        return new Float32Array(size);
      case 'float64':
        return new Float64Array(size);
      case 'int32':
        return new Int32Array(size);
      case 'bool':
        return new Uint8Array(size);
    }
  } catch (e) {
    // V8 throws a RangeError when the memory is not there.
    throw new ValueError(`${op}: cannot allocate ${size} ${dtype} elements: ${(e as Error).message}`);
  }
}

/** The dtype of a typed array (subclasses such as Node's Buffer included), or undefined. */
export function arrayDType(data: unknown): DType | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'bool';
  return undefined;
}

export function dtypeOfArray(data: TypedArray): DType {
  const dtype = arrayDType(data);
  if (dtype) return dtype;
  throw new DTypeError(
    `tensor: unsupported typed array ${(data as object).constructor.name}; expected Float32Array, Float64Array, Int32Array or Uint8Array`,
  );
}

export function checkDType(op: string, dtype: string): DType {
  if ((DTYPES as readonly string[]).includes(dtype)) return dtype as DType;
  throw new DTypeError(`${op}: unknown dtype '${dtype}'; expected one of ${DTYPES.join(', ')}`);
}

// Promotion follows PyTorch: bool < int32 < float32 < float64.
const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };
type Category = 0 | 1 | 2; // bool, integer, floating
function category(dtype: DType): Category {
  return dtype === 'bool' ? 0 : dtype === 'int32' ? 1 : 2;
}

export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** A JS scalar taking part in an operation: it has a category but no width of its own. */
export function scalarDType(value: number | boolean): DType {
  if (typeof value === 'boolean') return 'bool';
  return Number.isInteger(value) ? 'int32' : 'float32';
}

/**
 * The result dtype of an elementwise op (PyTorch's rule): dimensioned tensors decide the dtype;
 * 0-d tensors and JS scalars only matter when they are of a higher category (an int tensor times
 * 2.5 is float32, a float32 tensor times a float64 0-d tensor stays float32).
 */
export function resultType(operands: { dtype: DType; rank: number; scalar?: boolean }[]): DType {
  let dims: DType | null = null;
  let zeroDim: DType | null = null;
  let scalars: DType | null = null;
  for (const o of operands) {
    if (o.scalar) scalars = scalars ? promoteTypes(scalars, o.dtype) : o.dtype;
    else if (o.rank === 0) zeroDim = zeroDim ? promoteTypes(zeroDim, o.dtype) : o.dtype;
    else dims = dims ? promoteTypes(dims, o.dtype) : o.dtype;
  }
  let result = dims;
  for (const weaker of [zeroDim, scalars]) {
    if (weaker === null) continue;
    if (result === null) result = weaker;
    else if (category(weaker) > category(result)) {
      // A float scalar promotes an integer tensor to the default float dtype, not to float64.
      result =
        category(weaker) === 2 && weaker === 'float64' && scalars === weaker && zeroDim !== weaker ? 'float32' : weaker;
    }
  }
  return result ?? 'float32';
}
