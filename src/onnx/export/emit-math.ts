// ONNX forms of Axon's arithmetic, comparisons, logic and the pointwise op table.
import { checkChoice, optionsArg } from '../../check.js';
import type { PointwiseName } from '../../ops/pointwise.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { onnxType } from '../dtypes.js';
import type { GraphBuilder } from './builder.js';
import type { OpEmitter } from './tracer.js';

const T = (v: unknown) => v as Tensor;

/** An operand as a value name: a tensor (cast to dtype if Axon promoted it) or a number as a constant. */
export function operand(g: GraphBuilder, v: unknown, dtype: DType): string {
  if (typeof v === 'number' || typeof v === 'boolean') {
    return g.scalar(Number(v), { dtype });
  }
  const t = T(v);
  if (t.dtype === dtype) return g.name(t);
  const [out] = g.node('Cast', [t], ['cast'], { to: onnxType(dtype) });
  return out!;
}

/** The dtype arithmetic runs in: the output's (Axon promotes before computing). */
function computeType(args: unknown[], out: Tensor): DType {
  if (out.dtype !== 'bool') return out.dtype;
  const t = args.find((a): a is Tensor => a instanceof Tensor);
  return t ? t.dtype : 'float32';
}

function binary(op: string, negate = false): OpEmitter {
  return (g, args, out) => {
    const o = T(out);
    const dtype = computeType(args.slice(0, 2), o);
    const inputs = [operand(g, args[0], dtype), operand(g, args[1], dtype)];
    if (!negate) g.node(op, inputs, [o]);
    else g.node('Not', g.node(op, inputs, ['cmp']), [o]);
  };
}

/** add/sub with PyTorch's alpha: a ± alpha·b. */
function addLike(op: 'Add' | 'Sub', reversed = false): OpEmitter {
  return (g, args, out) => {
    const o = T(out);
    const [a, b] = reversed ? [args[1], args[0]] : [args[0], args[1]];
    const alpha = (args[2] as { alpha?: number } | undefined)?.alpha ?? 1;
    let bn = operand(g, b, o.dtype);
    if (alpha !== 1) [bn] = g.node('Mul', [bn, g.scalar(alpha, o)], ['scaled']);
    g.node(op, [operand(g, a, o.dtype), bn], [o]);
  };
}

/** A chain of unary ONNX ops; the last writes the output. */
function chain(...ops: string[]): OpEmitter {
  return (g, args, out) => {
    let v = g.name(T(args[0]));
    ops.forEach((op, i) => {
      if (i === ops.length - 1) g.node(op, [v], [T(out)]);
      else [v] = g.node(op, [v], [op.toLowerCase()]);
    });
  };
}

/** f(x) op c, e.g. log1p = Log(x + 1) written as Add then Log (`before` ops run on x first). */
function withScalar(first: string, c: number, then?: string, swap = false): OpEmitter {
  return (g, args, out) => {
    const x = T(args[0]);
    const o = T(out);
    const inputs = swap ? [g.scalar(c, o), operand(g, x, o.dtype)] : [operand(g, x, o.dtype), g.scalar(c, o)];
    if (!then) g.node(first, inputs, [o]);
    else g.node(then, g.node(first, inputs, ['t']), [o]);
  };
}

function clip(g: GraphBuilder, x: Tensor, out: Tensor, lo: number | null | undefined, hi: number | null | undefined) {
  g.node('Clip', [x, lo == null ? undefined : g.scalar(lo, x), hi == null ? undefined : g.scalar(hi, x)], [out]);
}

/** Every entry of the pointwise op table has an ONNX form here (TypeScript checks the table is complete). */
export const POINTWISE_ONNX: Record<PointwiseName, OpEmitter> = {
  neg: chain('Neg'),
  abs: chain('Abs'),
  sign: chain('Sign'),
  exp: chain('Exp'),
  expm1: (g, args, out) => g.node('Sub', [g.node('Exp', [T(args[0])], ['exp'])[0], g.scalar(1, T(out))], [T(out)]),
  log: chain('Log'),
  log1p: withScalar('Add', 1, 'Log'),
  sqrt: chain('Sqrt'),
  rsqrt: chain('Sqrt', 'Reciprocal'),
  sin: chain('Sin'),
  cos: chain('Cos'),
  tan: chain('Tan'),
  asin: chain('Asin'),
  acos: chain('Acos'),
  atan: chain('Atan'),
  sinh: chain('Sinh'),
  cosh: chain('Cosh'),
  log2: (g, args, out) => g.node('Div', [g.node('Log', [T(args[0])], ['ln'])[0], g.scalar(Math.LN2, T(out))], [T(out)]),
  log10: (g, args, out) =>
    g.node('Div', [g.node('Log', [T(args[0])], ['ln'])[0], g.scalar(Math.LN10, T(out))], [T(out)]),
  isinf: chain('IsInf'),
  isfinite: (g, args, out) => {
    const x = T(args[0]);
    const [nan] = g.node('IsNaN', [x], ['nan']);
    const [inf] = g.node('IsInf', [x], ['inf']);
    g.node('Not', g.node('Or', [nan, inf], ['bad']), [T(out)]);
  },
  tanh: chain('Tanh'),
  sigmoid: chain('Sigmoid'),
  erf: chain('Erf'),
  reciprocal: chain('Reciprocal'),
  square: (g, args, out) => g.node('Mul', [T(args[0]), T(args[0])], [T(out)]),
  floor: chain('Floor'),
  ceil: chain('Ceil'),
  round: chain('Round'),
  clamp: (g, args, out) => clip(g, T(args[0]), T(out), args[1] as number, args[2] as number),
  isnan: chain('IsNaN'),
  logicalNot: chain('Not'),
  relu: chain('Relu'),
  leakyRelu: (g, args, out) =>
    g.node('LeakyRelu', [T(args[0])], [T(out)], { alpha: { float: (args[1] as number | undefined) ?? 0.01 } }),
  elu: (g, args, out) =>
    g.node('Elu', [T(args[0])], [T(out)], { alpha: { float: (args[1] as number | undefined) ?? 1 } }),
  gelu: (g, args, out) => {
    const x = T(args[0]);
    const o = T(out);
    const approximate = checkChoice(
      'gelu',
      'approximate',
      optionsArg('gelu', args[1] as { approximate?: string }).approximate,
      ['none', 'tanh'] as const,
    );
    if (g.opset >= 20) return void g.node('Gelu', [x], [o], { approximate: approximate ?? 'none' });
    // Before opset 20: 0.5·x·(1 + erf(x/√2)), or the tanh form 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).
    let inner: string;
    if (approximate === 'tanh') {
      const [cube] = g.node('Mul', [g.node('Mul', [x, x], ['x2'])[0], x], ['x3']);
      const [poly] = g.node('Add', [x, g.node('Mul', [cube, g.scalar(0.044715, x)], ['c'])[0]], ['poly']);
      [inner] = g.node('Tanh', g.node('Mul', [poly, g.scalar(Math.sqrt(2 / Math.PI), x)], ['s']), ['t']);
    } else [inner] = g.node('Erf', g.node('Mul', [x, g.scalar(Math.SQRT1_2, x)], ['s']), ['e']);
    const [onePlus] = g.node('Add', [inner, g.scalar(1, x)], ['p']);
    g.node('Mul', [g.node('Mul', [x, g.scalar(0.5, x)], ['h'])[0], onePlus], [o]);
  },
  silu: (g, args, out) => g.node('Mul', [T(args[0]), g.node('Sigmoid', [T(args[0])], ['sig'])[0]], [T(out)]),
  mish: (g, args, out) =>
    g.node('Mul', [T(args[0]), g.node('Tanh', g.node('Softplus', [T(args[0])], ['sp']), ['t'])[0]], [T(out)]),
  softplus: (g, args, out) => {
    const beta = (args[1] as { beta?: number } | undefined)?.beta ?? 1;
    const x = T(args[0]);
    // Above the threshold PyTorch returns x itself; Softplus differs from x there by under e^-20.
    if (beta === 1) return void g.node('Softplus', [x], [T(out)]);
    const [sp] = g.node('Softplus', g.node('Mul', [x, g.scalar(beta, x)], ['bx']), ['sp']);
    g.node('Div', [sp, g.scalar(beta, x)], [T(out)]);
  },
  hardtanh: (g, args, out) =>
    clip(g, T(args[0]), T(out), (args[1] as number | undefined) ?? -1, (args[2] as number | undefined) ?? 1),
  relu6: (g, args, out) => clip(g, T(args[0]), T(out), 0, 6),
  hardsigmoid: (g, args, out) =>
    g.node('HardSigmoid', [T(args[0])], [T(out)], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } }),
  hardswish: chain('HardSwish'),
  logsigmoid: chain('Neg', 'Softplus', 'Neg'),
  softsign: chain('Softsign'),
};

export const MATH_ONNX: Record<string, OpEmitter> = {
  ...POINTWISE_ONNX,
  add: addLike('Add'),
  sub: addLike('Sub'),
  rsub: addLike('Sub', true),
  mul: binary('Mul'),
  div: binary('Div'),
  pow: (g, args, out) => {
    const o = T(out);
    g.node('Pow', [operand(g, args[0], o.dtype), operand(g, args[1], o.dtype)], [o]);
  },
  maximum: binary('Max'),
  minimum: binary('Min'),
  eq: binary('Equal'),
  ne: binary('Equal', true),
  lt: binary('Less'),
  le: binary('LessOrEqual'),
  gt: binary('Greater'),
  ge: binary('GreaterOrEqual'),
  logicalAnd: binary('And'),
  logicalOr: binary('Or'),
  logicalXor: binary('Xor'),
  where: (g, args, out) => {
    const o = T(out);
    g.node('Where', [T(args[0]), operand(g, args[1], o.dtype), operand(g, args[2], o.dtype)], [o]);
  },
  maskedFill: (g, args, out) => {
    const x = T(args[0]);
    g.node('Where', [T(args[1]), g.scalar(args[2] as number, x), x], [T(out)]);
  },
  selu: chain('Selu'),
  to: (g, args, out) => {
    const o = T(out);
    if (T(args[0]).dtype === o.dtype) g.node('Identity', [T(args[0])], [o]);
    else g.node('Cast', [T(args[0])], [o], { to: onnxType(o.dtype) });
  },
  float: (g, args, out) => MATH_ONNX.to!(g, args, out),
  double: (g, args, out) => MATH_ONNX.to!(g, args, out),
  int: (g, args, out) => MATH_ONNX.to!(g, args, out),
  bool: (g, args, out) => MATH_ONNX.to!(g, args, out),
};
