// ONNX sequence ops: ordered lists of tensors built, read and concatenated.
import { cat, split, stack } from '../../ops/combine.js';
import { squeeze } from '../../ops/views.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Sequence, StringTensor, type Value, describeValue } from '../value.js';
import { type OpContext, defineOps, fail, input, intsInput, isTensor, normAxis, scalarInput } from './registry.js';

function sequenceInput(ctx: OpContext, i: number): Sequence {
  const v = ctx.inputs[i];
  if (!(v instanceof Sequence)) return fail(ctx, `input ${i} should be a sequence, got ${describeValue(v)}`);
  return v;
}

/** A position in [-n, n) (or [-n, n] where inserting at the end is allowed), made non-negative. */
function position(ctx: OpContext, pos: number, n: number, allowEnd: boolean): number {
  const hi = allowEnd ? n : n - 1;
  if (!Number.isInteger(pos) || pos < -n || pos > hi)
    fail(ctx, `position ${pos} is out of range for a sequence of ${n}`);
  return pos < 0 ? pos + n : pos;
}

function item(ctx: OpContext, v: Value, i: number): Tensor | StringTensor {
  if (isTensor(v) || v instanceof StringTensor) return v;
  return fail(ctx, `input ${i} should be a tensor, got ${describeValue(v)}`);
}

defineOps('', {
  SequenceConstruct: (ctx) => new Sequence(ctx.inputs.map((v, i) => item(ctx, v, i))),
  SequenceEmpty: () => new Sequence([]),
  SequenceLength: (ctx) => tensor(sequenceInput(ctx, 0).items.length, { dtype: 'int32' }),
  SequenceAt: (ctx) => {
    const seq = sequenceInput(ctx, 0);
    return seq.items[position(ctx, scalarInput(ctx, 1)!, seq.items.length, false)];
  },
  SequenceInsert: (ctx) => {
    const seq = sequenceInput(ctx, 0);
    const items = [...seq.items];
    const at = scalarInput(ctx, 2);
    items.splice(
      at === undefined ? items.length : position(ctx, at, items.length, true),
      0,
      item(ctx, ctx.inputs[1], 1),
    );
    return new Sequence(items);
  },
  SequenceErase: (ctx) => {
    const seq = sequenceInput(ctx, 0);
    const items = [...seq.items];
    items.splice(position(ctx, scalarInput(ctx, 1) ?? -1, items.length, false), 1);
    return new Sequence(items);
  },
  SplitToSequence: (ctx) => {
    const x = input(ctx, 0);
    const axis = normAxis(ctx, ctx.attrs.int('axis', 0), x.ndim);
    const given = ctx.inputs[1];
    if (given === undefined) {
      // No split: pieces of size 1, with the axis dropped unless keepdims.
      const parts = split(x, 1, axis);
      return new Sequence(ctx.attrs.int('keepdims', 1) === 1 ? parts : parts.map((p) => squeeze(p, axis)));
    }
    const t = input(ctx, 1);
    const n = x.shape[axis]!;
    if (t.ndim === 0) {
      const size = t.item();
      if (!(size > 0)) fail(ctx, `split size ${size} must be positive`);
      return new Sequence(split(x, size, axis));
    }
    const sizes = intsInput(ctx, 1)!;
    if (sizes.reduce((a, b) => a + b, 0) !== n) fail(ctx, `split sizes [${sizes}] do not add up to ${n}`);
    return new Sequence(split(x, sizes, axis));
  },
  ConcatFromSequence: (ctx) => {
    const seq = sequenceInput(ctx, 0);
    const xs = seq.items.map((v, i) => (isTensor(v) ? v : fail(ctx, `item ${i} is not a numeric tensor`)));
    if (xs.length === 0) fail(ctx, 'the sequence is empty');
    const newAxis = ctx.attrs.int('new_axis', 0) === 1;
    const rank = xs[0]!.ndim + (newAxis ? 1 : 0);
    const axis = normAxis(ctx, ctx.attrs.int('axis'), rank);
    return newAxis ? stack(xs, axis) : cat(xs, axis);
  },
});
