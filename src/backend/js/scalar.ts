/** erf to about 1e-15: a positive series below 3, a continued fraction for erfc above. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  let r: number;
  if (ax < 3) {
    // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (2n+1)!!  (all terms positive)
    const x2 = ax * ax;
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  } else {
    // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
    let t = ax;
    for (let k = 60; k >= 1; k--) t = ax + k / 2 / t;
    r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / t;
  }
  return x < 0 ? -r : r;
}

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Round half to even, as PyTorch does. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const SQRT1_2 = Math.SQRT1_2;
const GELU_TANH_K = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * The scalar kernel of every unary op, by backend kernel name: `(p0, p1) => (x) => y`. This object
 * is the list of unary kernels (`UnaryOp` is its keys): a new pointwise op adds its kernel here and
 * its entry in src/ops/pointwise.ts; the native addon runs the ones it also has (by name).
 */
export const UNARY_KERNELS = {
  neg: () => (x) => -x,
  abs: () => Math.abs,
  sign: () => (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
  exp: () => Math.exp,
  expm1: () => Math.expm1,
  log: () => Math.log,
  log1p: () => Math.log1p,
  sqrt: () => Math.sqrt,
  rsqrt: () => (x) => 1 / Math.sqrt(x),
  sin: () => Math.sin,
  tan: () => Math.tan,
  asin: () => Math.asin,
  acos: () => Math.acos,
  atan: () => Math.atan,
  sinh: () => Math.sinh,
  cosh: () => Math.cosh,
  log2: () => Math.log2,
  log10: () => Math.log10,
  isinf: () => (x) => (x === Infinity || x === -Infinity ? 1 : 0),
  isfinite: () => (x) => (Number.isFinite(x) ? 1 : 0),
  relu6: () => (x) => (x !== x ? NaN : x <= 0 ? 0 : x >= 6 ? 6 : x),
  hardsigmoid: () => (x) => (x !== x ? NaN : x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5),
  hardswish: () => (x) => (x !== x ? NaN : x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6),
  // −softplus(−x), stable on both sides
  logsigmoid: () => (x) => (x < 0 ? x - Math.log1p(Math.exp(x)) : -Math.log1p(Math.exp(-x))),
  softsign: () => (x) => x / (1 + Math.abs(x)),
  cos: () => Math.cos,
  tanh: () => Math.tanh,
  sigmoid: () => sigmoid,
  relu: () => (x) => (x > 0 ? x : x === x ? 0 : NaN),
  erf: () => erf,
  reciprocal: () => (x) => 1 / x,
  square: () => (x) => x * x,
  floor: () => Math.floor,
  ceil: () => Math.ceil,
  round: () => roundHalfEven,
  logicalNot: () => (x) => (x === 0 ? 1 : 0),
  isnan: () => (x) => (x !== x ? 1 : 0),
  step: () => (x) => (x > 0 ? 1 : 0),
  leakyRelu: (p0) => (x) => (x > 0 ? x : x * p0),
  elu: (p0) => (x) => (x > 0 ? x : p0 * Math.expm1(x)),
  gelu: () => (x) => 0.5 * x * (1 + erf(x * SQRT1_2)),
  geluTanh: () => (x) => 0.5 * x * (1 + Math.tanh(GELU_TANH_K * (x + 0.044715 * x * x * x))),
  // Their derivatives, which the backward pass multiplies by the output gradient (two ops, not eleven).
  geluGrad: () => (x) => 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
  geluTanhGrad: () => (x) => {
    const t = Math.tanh(GELU_TANH_K * (x + 0.044715 * x * x * x));
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_TANH_K * (1 + 3 * 0.044715 * x * x);
  },
  silu: () => (x) => x * sigmoid(x),
  // x·tanh(softplus(x)), softplus linear above 20 as PyTorch's
  mish: () => (x) => x * Math.tanh(x > 20 ? x : Math.log1p(Math.exp(x))),
  softplus: (p0, p1) => (x) => (x * p0 > p1 ? x : Math.log1p(Math.exp(x * p0)) / p0),
  // max then min, as PyTorch: with p0 > p1 every value becomes p1; NaN stays NaN.
  clamp: (p0, p1) => (x) => {
    const y = x < p0 ? p0 : x;
    return y > p1 ? p1 : y;
  },
  powScalar: (p0) => (x) => powC(x, p0),
  rpowScalar: (p0) => (x) => powC(p0, x),
} satisfies Record<string, (p0: number, p1: number) => (x: number) => number>;

export type UnaryKernel = keyof typeof UNARY_KERNELS;

export function unaryFn(op: UnaryKernel, p0 = 0, p1 = 0): (x: number) => number {
  return UNARY_KERNELS[op](p0, p1);
}

/**
 * The scalar kernel of every binary op, by backend kernel name. This object is the list of binary
 * kernels (`BinaryOp` is its keys): a new binary op adds its kernel here and its entry in
 * src/ops/binary-table.ts; the native addon runs the ones it also has (by name).
 */
export const BINARY_KERNELS = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => powC(a, b),
  // NaN propagates, as in PyTorch.
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  atan2: Math.atan2,
  // C's fmod (the sign of the dividend) and Python's modulo (the sign of the divisor)
  fmod: (a, b) => a % b,
  remainder: (a, b) => a - b * Math.floor(a / b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  logicalOr: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
  logicalXor: (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0),
} satisfies Record<string, (a: number, b: number) => number>;

export type BinaryKernel = keyof typeof BINARY_KERNELS;

export function binaryFn(op: BinaryKernel): (a: number, b: number) => number {
  return BINARY_KERNELS[op];
}

/**
 * pow with C's (and so PyTorch's and the native kernels') special cases, where JavaScript's
 * Math.pow differs: 1 to any power is 1 (JS: 1 ** NaN is NaN), and (-1) ** ±Infinity is 1.
 */
export function powC(a: number, b: number): number {
  if (a === 1) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}
