// The WGSL of the WebGPU backend's elementwise kernels: every unary and binary kernel of the JS
// backend (the tables are typed by its kernel lists, so a new kernel asks for its WGSL here), the
// dtype-converting copy, fill, where, gather and scatter. Views are strided as on the CPU backends.
//
// Element types: float32 is f32, int32 is i32, bool is u32 (0 or 1; WGSL storage has no bytes).
// An expression computes in f32, or in i32 when every input is an integer and the op has an `i`
// form; `test` expressions give a WGSL bool, stored as 1 or 0.
import type { BinaryOp, UnaryOp } from '../backend.js';

export type GpuType = 'f32' | 'i32' | 'u32';

/** An op's expression in x (and y), p0 and p1; `i` when it also has an exact integer form. */
export interface Expr {
  f: string;
  i?: string;
  test?: boolean;
  /** The f32 form decides NaN inputs itself; else a NaN input gives NaN (GPUs do not all propagate it). */
  ownNan?: boolean;
}

const NAN_GUARD = (e: string) => `select(${e}, x, is_nan(x))`;

export const UNARY_WGSL: Record<UnaryOp, Expr> = {
  neg: { f: '-x', i: '-x' },
  abs: { f: 'abs(x)', i: 'abs(x)' },
  sign: { f: NAN_GUARD('sign(x)'), i: 'sign(x)' },
  exp: { f: 'exp(x)' },
  expm1: { f: 'expm1_(x)' },
  log: { f: 'log_(x)' },
  log1p: { f: 'log1p_(x)' },
  sqrt: { f: 'select(sqrt(x), nan_(), x < 0.0)' },
  rsqrt: { f: 'select(select(inverseSqrt(x), inf_(), x == 0.0), nan_(), x < 0.0)' },
  sin: { f: 'sin(x)' },
  tan: { f: 'tan(x)' },
  asin: { f: 'select(asin(x), nan_(), abs(x) > 1.0)' },
  acos: { f: 'select(acos(x), nan_(), abs(x) > 1.0)' },
  atan: { f: 'atan(x)' },
  sinh: { f: 'sinh(x)' },
  cosh: { f: 'cosh(x)' },
  log2: { f: 'log_(x) * 1.4426950408889634' },
  log10: { f: 'log_(x) * 0.43429448190325182' },
  isinf: { f: 'is_inf(x)', i: 'false', test: true },
  isfinite: { f: '!is_inf(x) && !is_nan(x)', i: 'true', test: true },
  relu6: { f: NAN_GUARD('clamp(x, 0.0, 6.0)') },
  hardsigmoid: { f: NAN_GUARD('clamp(x / 6.0 + 0.5, 0.0, 1.0)') },
  hardswish: { f: 'select(select(x * (x + 3.0) / 6.0, x, x >= 3.0), 0.0, x <= -3.0)' },
  logsigmoid: { f: 'select(-log1p_(exp(-x)), x - log1p_(exp(x)), x < 0.0)' },
  softsign: { f: 'x / (1.0 + abs(x))' },
  cos: { f: 'cos(x)' },
  tanh: { f: 'tanh_(x)' },
  sigmoid: { f: '1.0 / (1.0 + exp(-x))' },
  relu: { f: NAN_GUARD('max(x, 0.0)'), i: 'max(x, 0)' },
  erf: { f: 'erf_(x)' },
  reciprocal: { f: '1.0 / x' },
  square: { f: 'x * x', i: 'x * x' },
  floor: { f: 'floor(x)', i: 'x' },
  ceil: { f: 'ceil(x)', i: 'x' },
  round: { f: 'round(x)', i: 'x' }, // WGSL rounds half to even, as PyTorch
  logicalNot: { f: 'x == 0.0', i: 'x == 0', test: true },
  isnan: { f: 'is_nan(x)', i: 'false', test: true },
  step: { f: 'x > 0.0', i: 'x > 0', test: true },
  leakyRelu: { f: 'select(x * p0, x, x > 0.0)' },
  elu: { f: 'select(p0 * expm1_(x), x, x > 0.0)' },
  gelu: { f: '0.5 * x * (1.0 + erf_(x * 0.70710678118654752))' },
  geluTanh: { f: '0.5 * x * (1.0 + tanh_(0.79788456080286536 * (x + 0.044715 * x * x * x)))' },
  geluGrad: { f: '0.5 * (1.0 + erf_(x * 0.70710678118654752)) + x * 0.39894228040143268 * exp(-0.5 * x * x)' },
  geluTanhGrad: {
    f:
      '0.5 * (1.0 + tanh_(0.79788456080286536 * (x + 0.044715 * x * x * x))) + 0.5 * x * ' +
      '(1.0 - tanh_(0.79788456080286536 * (x + 0.044715 * x * x * x)) * tanh_(0.79788456080286536 * (x + 0.044715 * x * x * x))) * ' +
      '0.79788456080286536 * (1.0 + 0.134145 * x * x)',
  },
  silu: { f: 'x / (1.0 + exp(-x))' },
  mish: { f: 'x * tanh_(select(log1p_(exp(x)), x, x > 20.0))' },
  softplus: { f: 'select(log1p_(exp(x * p0)) / p0, x, x * p0 > p1)' },
  clamp: { f: NAN_GUARD('min(max(x, p0), p1)') },
  powScalar: { f: 'pow_(x, p0)', ownNan: true },
  rpowScalar: { f: 'pow_(p0, x)', ownNan: true },
};

export const BINARY_WGSL: Record<BinaryOp, Expr> = {
  add: { f: 'x + y', i: 'x + y' },
  sub: { f: 'x - y', i: 'x - y' },
  mul: { f: 'x * y', i: 'x * y' },
  div: { f: 'x / y' },
  pow: { f: 'pow_(x, y)', ownNan: true },
  maximum: { f: 'select(max(x, y), x + y, is_nan(x) || is_nan(y))', i: 'max(x, y)' },
  minimum: { f: 'select(min(x, y), x + y, is_nan(x) || is_nan(y))', i: 'min(x, y)' },
  atan2: { f: 'atan2(x, y)' },
  fmod: { f: 'x - y * trunc(x / y)', i: 'x % y' },
  remainder: { f: 'x - y * floor(x / y)', i: 'remainder_i(x, y)' },
  eq: { f: 'x == y', i: 'x == y', test: true },
  ne: { f: 'x != y', i: 'x != y', test: true },
  lt: { f: 'x < y', i: 'x < y', test: true },
  le: { f: 'x <= y', i: 'x <= y', test: true },
  gt: { f: 'x > y', i: 'x > y', test: true },
  ge: { f: 'x >= y', i: 'x >= y', test: true },
  logicalAnd: { f: 'x != 0.0 && y != 0.0', i: 'x != 0 && y != 0', test: true },
  logicalOr: { f: 'x != 0.0 || y != 0.0', i: 'x != 0 || y != 0', test: true },
  logicalXor: { f: '(x != 0.0) != (y != 0.0)', i: '(x != 0) != (y != 0)', test: true },
};

// Helpers with C's (and the JS backend's) special cases where WGSL's built-ins leave them undefined:
// NaN tests by bits (a compiler may fold x != x), pow of negative bases, tanh far from 0.
const MATH = /* wgsl */ `
// Infinity and NaN from bits held in a variable: as constants WGSL refuses them.
fn inf_() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn nan_() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn expm1_(x: f32) -> f32 {
  if (abs(x) < 1e-3) { return x + 0.5 * x * x + x * x * x / 6.0; }
  return exp(x) - 1.0;
}
fn log_(x: f32) -> f32 {
  if (x < 0.0) { return nan_(); }
  if (x == 0.0) { return -inf_(); }
  return log(x);
}
fn log1p_(x: f32) -> f32 {
  if (x < -1.0) { return nan_(); }
  if (x == -1.0) { return -inf_(); }
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (is_inf(u)) { return u; }
  return log_(u) * x / (u - 1.0); // exact for the rounding of 1 + x
}
fn tanh_(x: f32) -> f32 {
  if (abs(x) > 15.0) { return sign(x); }
  return tanh(x);
}
// Abramowitz & Stegun 7.1.26 refined: |error| < 1.5e-7.
fn erf_(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign(x) * (1.0 - poly * exp(-a * a));
}
fn pow_(a: f32, b: f32) -> f32 {
  if (a == 1.0 || b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return a + b; }
  if (a == -1.0 && is_inf(b)) { return 1.0; }
  if (a == 0.0) { return select(0.0, inf_(), b < 0.0); }
  let odd = floor(b) == b && abs(b) < 16777216.0 && (i32(abs(b)) & 1) == 1;
  if (is_inf(a)) { return select(select(inf_(), -inf_(), a < 0.0 && odd), 0.0, b < 0.0); }
  if (a < 0.0) {
    if (floor(b) != b) { return nan_(); }
    let m = pow(-a, b);
    return select(m, -m, odd);
  }
  if (b == 2.0) { return a * a; }
  return pow(a, b);
}
fn remainder_i(x: i32, y: i32) -> i32 {
  let r = x % y;
  return select(r, r + y, r != 0 && ((r < 0) != (y < 0)));
}
`;

// p: [rank, n, p0 bits, p1 bits, extra × 4, shape × 6, then per view k (up to 4): strides × 6 and its
// offset at 14 + 7k]
export const ELEMENT_PARAMS = 42;
const STRIDED = /* wgsl */ `
@group(0) @binding(7) var<storage, read> p: array<i32>;

// The element offset of linear index i in view k.
fn at(i: i32, k: i32) -> i32 {
  var rem = i;
  var o = p[20 + 7 * k];
  for (var d = p[0] - 1; d >= 0; d--) {
    let s = p[8 + d];
    o += (rem % s) * p[14 + 7 * k + d];
    rem = rem / s;
  }
  return o;
}

fn linear(gid: vec3<u32>, nwg: vec3<u32>) -> i32 {
  return i32(gid.x + gid.y * nwg.x * 256u);
}
`;

const HEAD = (body: string) => /* wgsl */ `
${STRIDED}
${MATH}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear(gid, nwg);
  if (i >= p[1]) { return; }
  let p0 = bitcast<f32>(p[2]);
  let p1 = bitcast<f32>(p[3]);
${body}
}
`;

const binding = (k: number, name: string, type: GpuType, write = false) =>
  `@group(0) @binding(${k}) var<storage, ${write ? 'read_write' : 'read'}> ${name}: array<${type}>;`;

/** `value` (of type `from`, or a WGSL bool when `test`) converted for storing as `to`. */
function store(value: string, from: GpuType | 'bool', to: GpuType): string {
  if (from === 'bool') return `select(${to}(0), ${to}(1), ${value})`;
  if (to === 'u32') return `select(0u, 1u, ${value} != ${from}(0))`;
  return from === to ? value : `${to}(${value})`;
}

/** The compute type of an expression over inputs of these types. */
export function computeType(e: Expr, inputs: readonly GpuType[]): 'f32' | 'i32' {
  return e.i !== undefined && inputs.every((t) => t !== 'f32') ? 'i32' : 'f32';
}

/** One or two strided inputs (a, b) into out, by an op's expression. */
export function mapShader(e: Expr, inputs: readonly GpuType[], out: GpuType): string {
  const c = computeType(e, inputs);
  const names = ['x', 'y'].slice(0, inputs.length);
  let expr = c === 'i32' ? e.i! : e.f;
  if (c === 'f32' && !e.test && !e.ownNan)
    expr = `select(${expr}, ${names.join(' + ')}, ${names.map((n) => `is_nan(${n})`).join(' || ')})`;
  return `${inputs.map((t, k) => binding(k, 'in' + k, t)).join('\n')}
${binding(2, 'out', out, true)}
${HEAD(`${inputs.map((_, k) => `  let ${names[k]} = ${c}(in${k}[at(i, ${k})]);`).join('\n')}
  out[at(i, 2)] = ${store(expr, e.test ? 'bool' : c, out)};`)}`;
}

/** out = x converted to out's type (bool: nonzero is 1; int: truncation). */
export function copyShader(from: GpuType, to: GpuType): string {
  return `${binding(0, 'in0', from)}
${binding(2, 'out', to, true)}
${HEAD(`  out[at(i, 2)] = ${store('in0[at(i, 0)]', from, to)};`)}`;
}

/** out = the value (p0 as a float, the extra p[4] as an integer for i32 and u32). */
export function fillShader(to: GpuType): string {
  return `${binding(2, 'out', to, true)}
${HEAD(`  out[at(i, 2)] = ${to === 'f32' ? 'p0' : `${to}(p[4])`};`)}`;
}

/** out = cond ? a : b (cond u32 in view 0, a and b in views 1 and 3). */
export function whereShader(type: GpuType): string {
  return `${binding(0, 'cond', 'u32')}
${binding(1, 'a', type)}
${binding(3, 'b', type)}
${binding(2, 'out', type, true)}
${HEAD(`  out[at(i, 2)] = select(b[at(i, 3)], a[at(i, 1)], cond[at(i, 0)] != 0u);`)}`;
}

// gather and scatter walk the index's shape. View 0 is the data (its `axis` stride set to 0, the
// real one in p[4] and the axis size in p[5]), view 1 the index, view 2 the other side.

/** out[i] = x[... index[i] on axis ...]; an index out of range reads NaN (0 for integers). */
export function gatherShader(type: GpuType): string {
  return `${binding(0, 'x', type)}
${binding(1, 'index', 'i32')}
${binding(2, 'out', type, true)}
${HEAD(`  let k = index[at(i, 1)];
  if (k < 0 || k >= p[5]) { out[at(i, 2)] = ${type === 'f32' ? 'nan_()' : `${type}(0)`}; return; }
  out[at(i, 2)] = x[at(i, 0) + k * p[4]];`)}`;
}

/**
 * out[... index[i] on axis ...] (= or +=) src[i]; indices out of range are skipped. Adding uses
 * atomics, so repeated indices all land (floats through a compare-exchange loop on their bits).
 */
export function scatterShader(type: GpuType, add: boolean): string {
  const target = add
    ? `@group(0) @binding(0) var<storage, read_write> out: array<atomic<${type === 'f32' ? 'u32' : type}>>;`
    : binding(0, 'out', type, true);
  const write = !add
    ? 'out[o] = v;'
    : type === 'f32'
      ? `loop {
    let old = atomicLoad(&out[o]);
    if (atomicCompareExchangeWeak(&out[o], old, bitcast<u32>(bitcast<f32>(old) + v)).exchanged) { break; }
  }`
      : 'atomicAdd(&out[o], v);';
  return `${target}
${binding(1, 'index', 'i32')}
${binding(2, 'src', type)}
${HEAD(`  let k = index[at(i, 1)];
  if (k < 0 || k >= p[5]) { return; }
  let o = at(i, 0) + k * p[4];
  let v = src[at(i, 2)];
  ${write}`)}`;
}
