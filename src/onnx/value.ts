import { OnnxError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

/** A tensor of strings: Axon's tensors hold numbers, so ONNX string tensors live beside them. */
export class StringTensor {
  constructor(
    readonly data: string[],
    readonly shape: number[],
  ) {}
}

/**
 * What flows along an ONNX graph's edges: a tensor, a string tensor, a sequence of tensors, or
 * nothing (an omitted optional input).
 */
export type Value = Tensor | StringTensor | Sequence | undefined;

/** An ONNX sequence (SequenceConstruct, SplitToSequence, ...): an ordered list of tensors. */
export class Sequence {
  constructor(readonly items: (Tensor | StringTensor)[]) {}
}

export function describeValue(v: Value): string {
  if (v === undefined) return 'nothing';
  if (v instanceof Sequence) return `a sequence of ${v.items.length}`;
  if (v instanceof StringTensor) return `a string tensor [${v.shape.join(', ')}]`;
  return `a ${v.dtype} tensor [${v.shape.join(', ')}]`;
}

/** The value as a numeric tensor, or an OnnxError naming the node and the input. */
export function asTensor(v: Value, where: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new OnnxError(`${where}: expected a tensor, got ${describeValue(v)}`);
}
