// ONNX's Reduce* and ArgMax/ArgMin ops.
import { to } from '../../ops/cast.js';
import { flip } from '../../ops/combine.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type OpContext, defineOps, input, intsInput, normAxis } from './registry.js';

type Reducer = (x: Tensor, dims: number[], keepdim: boolean) => Tensor;

/**
 * The axes moved from an attribute to an input: ReduceSum at opset 13, the others at 18. No axes
 * means all of them, unless noop_with_empty_axes asks for the input unchanged.
 */
function reduceOp(inputSince: number, fn: Reducer) {
  return (ctx: OpContext) => {
    const x = input(ctx, 0);
    const raw =
      ctx.opset >= inputSince ? intsInput(ctx, 1) : ctx.attrs.has('axes') ? ctx.attrs.ints('axes') : undefined;
    const keepdim = ctx.attrs.int('keepdims', 1) === 1;
    if ((!raw || raw.length === 0) && ctx.attrs.int('noop_with_empty_axes', 0) === 1) return x;
    const dims = raw && raw.length > 0 ? raw.map((a) => normAxis(ctx, a, x.ndim)) : x.shape.map((_, i) => i);
    if (dims.length === 0) return x.clone(); // a scalar reduced over no axes
    return fn(x, [...new Set(dims)], keepdim);
  };
}

function argOp(which: 'argmax' | 'argmin') {
  return (ctx: OpContext) => {
    const x = input(ctx, 0);
    const axis = normAxis(ctx, ctx.attrs.int('axis', 0), x.ndim);
    const keepdim = ctx.attrs.int('keepdims', 1) === 1;
    if (ctx.attrs.int('select_last_index', 0) === 1) {
      // The last extreme is the first one in the flipped axis.
      const i = flip(x, axis)[which](axis, { keepdim });
      return to(i.neg().add(x.shape[axis]! - 1), 'int32');
    }
    return x[which](axis, { keepdim });
  };
}

defineOps('', {
  ReduceSum: reduceOp(13, (x, d, k) => x.sum(d, { keepdim: k })),
  ReduceMean: reduceOp(18, (x, d, k) => x.mean(d, { keepdim: k })),
  ReduceMax: reduceOp(18, (x, d, k) => x.amax(d, { keepdim: k })),
  ReduceMin: reduceOp(18, (x, d, k) => x.amin(d, { keepdim: k })),
  ReduceProd: reduceOp(18, (x, d, k) => x.prod(d, { keepdim: k })),
  ReduceL1: reduceOp(18, (x, d, k) => x.abs().sum(d, { keepdim: k })),
  ReduceL2: reduceOp(18, (x, d, k) => x.square().sum(d, { keepdim: k }).sqrt()),
  ReduceSumSquare: reduceOp(18, (x, d, k) => x.square().sum(d, { keepdim: k })),
  ReduceLogSum: reduceOp(18, (x, d, k) => x.sum(d, { keepdim: k }).log()),
  ReduceLogSumExp: reduceOp(18, (x, d, k) => x.logsumexp(d, { keepdim: k })),
  ArgMax: argOp('argmax'),
  ArgMin: argOp('argmin'),
});
