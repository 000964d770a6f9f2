// ONNX forms of views, joins, indexing, reductions, matrix products and tensor creation.
import type { Tensor } from '../../tensor/tensor.js';
import { onnxType } from '../dtypes.js';
import { fromTypedArray } from '../../tensor/create.js';
import type { GraphBuilder } from './builder.js';
import { CannotExport, type OpEmitter } from './tracer.js';

const T = (v: unknown) => v as Tensor;
const BIG = 2147483647;

function norm(dim: number, rank: number): number {
  return dim < 0 ? dim + rank : dim;
}

/** Sizes given as an array or as separate numbers (`reshape(2, 3)` / `reshape([2, 3])`). */
function sizesArg(args: unknown[], from: number): number[] | undefined {
  const a = args[from];
  if (Array.isArray(a)) return a as number[];
  if (typeof a === 'number') return args.slice(from).filter((v): v is number => typeof v === 'number');
  return undefined;
}

function dimsArg(v: unknown, rank: number): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  return (typeof v === 'number' ? [v] : (v as number[])).map((d) => norm(d, rank));
}

function reshapeTo(g: GraphBuilder, x: Tensor, shape: readonly number[], out: Tensor): void {
  g.node('Reshape', [x, g.ints(shape)], [out]);
}

function slice(g: GraphBuilder, x: Tensor, dim: number, start: number, end: number, step: number, out: Tensor) {
  g.node('Slice', [x, g.ints([start]), g.ints([end]), g.axes([norm(dim, x.ndim)]), g.axes([step])], [out]);
}

function reduce(op: string): OpEmitter {
  return (g, args, out) => {
    const x = T(args[0]);
    const dims = dimsArg(args[1], x.ndim) ?? x.shape.map((_, i) => i);
    const keepdims = (args[2] as { keepdim?: boolean } | undefined)?.keepdim ? 1 : 0;
    if (x.ndim === 0) return void g.node('Identity', [x], [T(out)]);
    // Axes became an input at opset 13 for ReduceSum and at 18 for the others.
    if (op === 'ReduceSum' ? g.opset >= 13 : g.opset >= 18) g.node(op, [x, g.axes(dims)], [T(out)], { keepdims });
    else g.node(op, [x], [T(out)], { keepdims, axes: dims });
  };
}

function argReduce(op: string): OpEmitter {
  return (g, args, out) => {
    const x = T(args[0]);
    const keepdim = (args[2] as { keepdim?: boolean } | undefined)?.keepdim ? 1 : 0;
    let axis: number;
    let input: string = g.name(x);
    if (args[1] === undefined || args[1] === null) {
      [input] = g.node('Reshape', [x, g.axes([-1])], ['flat']);
      axis = 0;
    } else axis = norm(args[1] as number, x.ndim);
    const [i64] = g.node(op, [input], ['arg'], { axis, keepdims: keepdim });
    g.node('Cast', [i64], [T(out)], { to: onnxType('int32') });
  };
}

function softmaxLike(op: string): OpEmitter {
  return (g, args, out) => g.node(op, [T(args[0])], [T(out)], { axis: norm(args[1] as number, T(args[0]).ndim) });
}

/** zeros/ones/full: ConstantOfShape, its shape a shape constant (so it can follow an input's size). */
function filled(g: GraphBuilder, out: Tensor, value: number): void {
  const data =
    out.dtype === 'float64'
      ? Float64Array.of(value)
      : out.dtype === 'int32'
        ? Int32Array.of(value)
        : out.dtype === 'bool'
          ? Uint8Array.of(value ? 1 : 0)
          : Float32Array.of(value);
  g.node('ConstantOfShape', [g.ints(out.shape)], [out], { value: fromTypedArray(data, [1]) });
}

export const SHAPE_ONNX: Record<string, OpEmitter> = {
  matmul: (g, args, out) => g.node('MatMul', [T(args[0]), T(args[1])], [T(out)]),
  addmm: (g, args, out) => g.node('Gemm', [T(args[1]), T(args[2]), T(args[0])], [T(out)]),
  reshape: (g, args, out) => reshapeTo(g, T(args[0]), sizesArg(args, 1) ?? T(out).shape, T(out)),
  view: (g, args, out) => reshapeTo(g, T(args[0]), sizesArg(args, 1) ?? T(out).shape, T(out)),
  flatten: (g, args, out) => {
    const x = T(args[0]);
    const start = norm((args[1] as number | undefined) ?? 0, Math.max(x.ndim, 1));
    const end = norm((args[2] as number | undefined) ?? -1, Math.max(x.ndim, 1));
    // Leading dims copied (0), the flattened run inferred (-1), trailing dims as they are.
    reshapeTo(g, x, [...new Array<number>(start).fill(0), -1, ...x.shape.slice(end + 1)], T(out));
  },
  unflatten: (g, args, out) => reshapeTo(g, T(args[0]), T(out).shape, T(out)),
  permute: (g, args, out) => {
    const x = T(args[0]);
    g.node('Transpose', [x], [T(out)], { perm: sizesArg(args, 1)!.map((d) => norm(d, x.ndim)) });
  },
  transpose: (g, args, out) => {
    const x = T(args[0]);
    const perm = x.shape.map((_, i) => i);
    const [a, b] = [norm(args[1] as number, x.ndim), norm(args[2] as number, x.ndim)];
    [perm[a], perm[b]] = [perm[b]!, perm[a]!];
    g.node('Transpose', [x], [T(out)], { perm });
  },
  t: (g, args, out) => {
    const x = T(args[0]);
    if (x.ndim < 2) g.node('Identity', [x], [T(out)]);
    else g.node('Transpose', [x], [T(out)], { perm: [1, 0] });
  },
  expand: (g, args, out) => g.node('Expand', [T(args[0]), g.ints(T(out).shape)], [T(out)]),
  expandAs: (g, args, out) => g.node('Expand', [T(args[0]), g.node('Shape', [T(args[1])], ['shape'])[0]], [T(out)]),
  squeeze: (g, args, out) => {
    const x = T(args[0]);
    const dims = (dimsArg(args[1], x.ndim) ?? x.shape.map((_, i) => i)).filter((d) => x.shape[d] === 1);
    if (dims.length === 0) g.node('Identity', [x], [T(out)]);
    else g.node('Squeeze', [x, g.axes(dims)], [T(out)]);
  },
  unsqueeze: (g, args, out) => {
    const x = T(args[0]);
    g.node('Unsqueeze', [x, g.axes([norm(args[1] as number, x.ndim + 1)])], [T(out)]);
  },
  slice: (g, args, out) => {
    const x = T(args[0]);
    const step = (args[4] as number | undefined) ?? 1;
    slice(g, x, args[1] as number, (args[2] as number | null) ?? 0, (args[3] as number | null) ?? BIG, step, T(out));
  },
  narrow: (g, args, out) => {
    const [x, dim, start, length] = args as [Tensor, number, number, number];
    const s = start < 0 ? start + x.shape[norm(dim, x.ndim)]! : start;
    slice(g, x, dim, s, s + length, 1, T(out));
  },
  select: (g, args, out) => {
    const x = T(args[0]);
    g.node('Gather', [x, g.index(args[2] as number)], [T(out)], { axis: norm(args[1] as number, x.ndim) });
  },
  contiguous: (g, args, out) => g.node('Identity', [T(args[0])], [T(out)]),
  clone: (g, args, out) => g.node('Identity', [T(args[0])], [T(out)]),
  detach: (g, args, out) => g.node('Identity', [T(args[0])], [T(out)]),
  cat: (g, args, out) => {
    const xs = args[0] as Tensor[];
    g.node('Concat', xs, [T(out)], { axis: norm((args[1] as number | undefined) ?? 0, xs[0]!.ndim) });
  },
  stack: (g, args, out) => {
    const xs = args[0] as Tensor[];
    const axis = norm((args[1] as number | undefined) ?? 0, xs[0]!.ndim + 1);
    const parts = xs.map((x) => g.node('Unsqueeze', [x, g.axes([axis])], ['u'])[0]!);
    g.node('Concat', parts, [T(out)], { axis });
  },
  split: (g, args, out) => {
    const x = T(args[0]);
    const outs = out as Tensor[];
    const axis = norm((args[2] as number | undefined) ?? 0, x.ndim);
    g.node('Split', [x, g.ints(outs.map((o) => o.shape[axis]!))], outs, { axis });
  },
  chunk: (g, args, out) => SHAPE_ONNX.split!(g, [args[0], undefined, args[2]], out),
  flip: (g, args, out) => {
    const x = T(args[0]);
    const dims = dimsArg(args[1], x.ndim)!;
    g.node(
      'Slice',
      [x, g.axes(dims.map(() => -1)), g.axes(dims.map(() => -BIG - 1)), g.axes(dims), g.axes(dims.map(() => -1))],
      [T(out)],
    );
  },
  pad: (g, args, out) => {
    const x = T(args[0]);
    const pads = args[1] as number[];
    const value = (args[2] as { value?: number } | undefined)?.value ?? 0;
    const begin = x.shape.map(() => 0);
    const end = x.shape.map(() => 0);
    for (let i = 0; i < pads.length / 2; i++) {
      begin[x.ndim - 1 - i] = pads[2 * i]!;
      end[x.ndim - 1 - i] = pads[2 * i + 1]!;
    }
    g.node('Pad', [x, g.axes([...begin, ...end]), g.scalar(value, x)], [T(out)], { mode: 'constant' });
  },
  repeat: (g, args, out) => {
    let x: string = g.name(T(args[0]));
    const repeats = sizesArg(args, 1)!;
    const extra = repeats.length - T(args[0]).ndim;
    if (extra > 0) [x] = g.node('Unsqueeze', [x, g.axes(Array.from({ length: extra }, (_, i) => i))], ['u']);
    g.node('Tile', [x, g.axes(repeats)], [T(out)]);
  },
  indexSelect: (g, args, out) => {
    const x = T(args[0]);
    g.node('Gather', [x, T(args[2])], [T(out)], { axis: norm(args[1] as number, x.ndim) });
  },
  gather: (g, args, out) => {
    const x = T(args[0]);
    g.node('GatherElements', [x, T(args[2])], [T(out)], { axis: norm(args[1] as number, x.ndim) });
  },
  tril: (g, args, out) => g.node('Trilu', [T(args[0]), g.index((args[1] as number) ?? 0)], [T(out)], { upper: 0 }),
  triu: (g, args, out) => g.node('Trilu', [T(args[0]), g.index((args[1] as number) ?? 0)], [T(out)], { upper: 1 }),
  sum: reduce('ReduceSum'),
  mean: reduce('ReduceMean'),
  max: reduce('ReduceMax'),
  min: reduce('ReduceMin'),
  prod: reduce('ReduceProd'),
  logsumexp: reduce('ReduceLogSumExp'),
  argmax: argReduce('ArgMax'),
  argmin: argReduce('ArgMin'),
  softmax: softmaxLike('Softmax'),
  logSoftmax: softmaxLike('LogSoftmax'),
  // Creation: recorded even without tensor inputs, so a size taken from an input stays symbolic.
  zeros: (g, _args, out) => filled(g, T(out), 0),
  ones: (g, _args, out) => filled(g, T(out), 1),
  full: (g, args, out) => filled(g, T(out), Number(args[1])),
  zerosLike: (g, args, out) =>
    g.node('ConstantOfShape', g.node('Shape', [T(args[0])], ['shape']), [T(out)], {
      value: fromTypedArray(T(out).dtype === 'float64' ? Float64Array.of(0) : Float32Array.of(0), [1]),
    }),
  onesLike: (g, args, out) =>
    g.node('ConstantOfShape', g.node('Shape', [T(args[0])], ['shape']), [T(out)], {
      value: fromTypedArray(T(out).dtype === 'float64' ? Float64Array.of(1) : Float32Array.of(1), [1]),
    }),
  arange: (g, args, out) => {
    const o = T(out);
    const [a, b, step] = args as [number, number | undefined, number | undefined];
    const [start, end] = b === undefined ? [0, a] : [a, b];
    const s = step ?? 1;
    if (o.dtype !== 'int32' || !Number.isInteger(start) || !Number.isInteger(s))
      throw new CannotExport('arange with a non-integer start or step');
    // The limit is a size (often an input's length): a shape constant, resolved like the others.
    const [range] = g.node('Range', [g.index(start), g.size(end), g.index(s)], ['range']);
    g.node('Cast', [range], [o], { to: onnxType('int32') });
  },
  causalMask: (g, args, out) => {
    const o = T(out);
    const n = args[0] as number;
    const [neg] = g.node('ConstantOfShape', [g.ints([n, n])], ['neg'], {
      value: fromTypedArray(o.dtype === 'float64' ? Float64Array.of(-Infinity) : Float32Array.of(-Infinity), [1]),
    });
    g.node('Trilu', [neg, g.index(1)], [o], { upper: 1 });
  },
};
