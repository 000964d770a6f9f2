import type { DType } from '../tensor/dtype.js';

/** TensorProto.DataType numbers (onnx.proto), the ones Axon reads or writes. */
export const ONNX_TYPE = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

const NAMES: Record<number, string> = {
  0: 'undefined',
  1: 'float',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'double',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

export function onnxTypeName(type: number): string {
  return NAMES[type] ?? `type ${type}`;
}

/**
 * The Axon dtype that holds an ONNX element type. Axon has no 8/16/64-bit integers and no half
 * floats: small integers widen to int32, half floats to float32, and 64-bit integers narrow to int32
 * with every value checked (tensor-proto.ts). Undefined for types Axon cannot hold (complex, float8, 4-bit).
 */
export function axonDType(type: number): DType | 'string' | undefined {
  switch (type) {
    case ONNX_TYPE.FLOAT:
    case ONNX_TYPE.FLOAT16:
    case ONNX_TYPE.BFLOAT16:
      return 'float32';
    case ONNX_TYPE.DOUBLE:
      return 'float64';
    case ONNX_TYPE.UINT8:
    case ONNX_TYPE.INT8:
    case ONNX_TYPE.UINT16:
    case ONNX_TYPE.INT16:
    case ONNX_TYPE.INT32:
    case ONNX_TYPE.INT64:
    case ONNX_TYPE.UINT32:
    case ONNX_TYPE.UINT64:
      return 'int32';
    case ONNX_TYPE.BOOL:
      return 'bool';
    case ONNX_TYPE.STRING:
      return 'string';
    default:
      return undefined;
  }
}

/** The ONNX element type an Axon tensor is written as. int32 is written as INT64 where ONNX wants indices. */
export function onnxType(dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return ONNX_TYPE.FLOAT;
    case 'float64':
      return ONNX_TYPE.DOUBLE;
    case 'int32':
      return ONNX_TYPE.INT32;
    case 'bool':
      return ONNX_TYPE.BOOL;
  }
}
