import type { BinaryOp, UnaryOp } from '../backend.js';

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

export function unaryFn(op: UnaryOp, p0 = 0, p1 = 0): (x: number) => number {
  switch (op) {
    case 'neg':
      return (x) => -x;
    case 'abs':
      return Math.abs;
    case 'sign':
      return (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN);
    case 'exp':
      return Math.exp;
    case 'log':
      return Math.log;
    case 'log1p':
      return Math.log1p;
    case 'sqrt':
      return Math.sqrt;
    case 'rsqrt':
      return (x) => 1 / Math.sqrt(x);
    case 'sin':
      return Math.sin;
    case 'cos':
      return Math.cos;
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      return sigmoid;
    case 'relu':
      return (x) => (x > 0 ? x : x === x ? 0 : NaN);
    case 'erf':
      return erf;
    case 'reciprocal':
      return (x) => 1 / x;
    case 'square':
      return (x) => x * x;
    case 'floor':
      return Math.floor;
    case 'ceil':
      return Math.ceil;
    case 'round':
      return roundHalfEven;
    case 'logicalNot':
      return (x) => (x === 0 ? 1 : 0);
    case 'isnan':
      return (x) => (x !== x ? 1 : 0);
    case 'step':
      return (x) => (x > 0 ? 1 : 0);
    case 'leakyRelu':
      return (x) => (x > 0 ? x : x * p0);
    case 'elu':
      return (x) => (x > 0 ? x : p0 * Math.expm1(x));
    case 'gelu':
      return (x) => 0.5 * x * (1 + erf(x * SQRT1_2));
    case 'geluTanh':
      return (x) => 0.5 * x * (1 + Math.tanh(GELU_TANH_K * (x + 0.044715 * x * x * x)));
    case 'silu':
      return (x) => x * sigmoid(x);
    case 'softplus':
      return (x) => (x * p0 > p1 ? x : Math.log1p(Math.exp(x * p0)) / p0);
    // max then min, as PyTorch: with p0 > p1 every value becomes p1; NaN stays NaN.
    case 'clamp':
      return (x) => {
        const y = x < p0 ? p0 : x;
        return y > p1 ? p1 : y;
      };
    case 'powScalar':
      return (x) => powC(x, p0);
    case 'rpowScalar':
      return (x) => powC(p0, x);
  }
}

export function binaryFn(op: BinaryOp): (a: number, b: number) => number {
  switch (op) {
    case 'add':
      return (a, b) => a + b;
    case 'sub':
      return (a, b) => a - b;
    case 'mul':
      return (a, b) => a * b;
    case 'div':
      return (a, b) => a / b;
    case 'pow':
      return powC;
    // NaN propagates, as in PyTorch.
    case 'maximum':
      return (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b);
    case 'minimum':
      return (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b);
    case 'eq':
      return (a, b) => (a === b ? 1 : 0);
    case 'ne':
      return (a, b) => (a !== b ? 1 : 0);
    case 'lt':
      return (a, b) => (a < b ? 1 : 0);
    case 'le':
      return (a, b) => (a <= b ? 1 : 0);
    case 'gt':
      return (a, b) => (a > b ? 1 : 0);
    case 'ge':
      return (a, b) => (a >= b ? 1 : 0);
    case 'logicalAnd':
      return (a, b) => (a !== 0 && b !== 0 ? 1 : 0);
    case 'logicalOr':
      return (a, b) => (a !== 0 || b !== 0 ? 1 : 0);
    case 'logicalXor':
      return (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0);
  }
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
