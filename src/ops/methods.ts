/**
 * Tensor methods: each delegates to the op of the same name, so `x.exp()` and `ax.exp(x)` are one
 * definition. Kept apart from tensor.ts so the data model does not import the ops built on it.
 */
import { type BackwardOptions, backward } from '../autograd/engine.js';
import { DTypeError } from '../errors.js';
import { guard } from '../guard.js';
import type { DType } from '../tensor/dtype.js';
import { isFloating } from '../tensor/dtype.js';
import { ones, zeros } from '../tensor/create.js';
import type { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import * as act from './activations.js';
import * as bin from './binary.js';
import { to } from './cast.js';
import * as comb from './combine.js';
import * as idx from './indexing.js';
import * as inplace from './inplace.js';
import { matmul } from './matmul.js';
import * as red from './reduce.js';
import { logSoftmax, softmax } from './softmax.js';
import { type PointwiseMethods, pointwise } from './pointwise.js';
import { BINARY, type BinaryName } from './binary-table.js';
import type { TensorLike } from './util.js';
import * as v from './views.js';
import * as sorting from './sorting.js';
import type { KeepdimOptions, SortOptions, TopkOptions } from './sorting.js';
import { cumprod, cumsum } from './scan.js';
import * as logical from './logical.js';
import type { CloseOptions, NanToNumOptions } from './logical.js';
import { roll } from './roll.js';
import * as linalg from './linalg.js';
import { lerp } from './lerp.js';
import * as selection from './selection.js';

type Dims = number | readonly number[];
/** The binary op table's methods, `x.mul(y)`, `y.atan2(x)`, … (add, sub and pow have their own forms). */
type BinaryMethods = { [K in Exclude<BinaryName, 'add' | 'sub' | 'pow'>]: (other: TensorLike) => Tensor };

declare module '../tensor/tensor.js' {
  // The pointwise ops' methods come from the op tables (src/ops/pointwise.ts, src/ops/binary-table.ts).
  interface Tensor extends PointwiseMethods, BinaryMethods {
    // arithmetic
    add(other: TensorLike, options?: { alpha?: number }): Tensor;
    sub(other: TensorLike, options?: { alpha?: number }): Tensor;
    rsub(other: TensorLike): Tensor;
    pow(exponent: TensorLike): Tensor;
    // activations
    selu(): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
    // comparisons and logic (bool results)
    /** PyTorch's x.where(cond, y): x where cond is true, else y. */
    where(condition: Tensor, other: TensorLike): Tensor;
    // reductions
    sum(dim?: Dims, options?: red.ReduceOptions): Tensor;
    mean(dim?: Dims, options?: red.ReduceOptions): Tensor;
    /** The largest element; along one dim [values, indices], as PyTorch; with a tensor, the elementwise maximum. */
    max(): Tensor;
    max(dim: number, options?: red.ReduceOptions): [Tensor, Tensor];
    max(other: Tensor): Tensor;
    /** The smallest element; along one dim [values, indices], as PyTorch; with a tensor, the elementwise minimum. */
    min(): Tensor;
    min(dim: number, options?: red.ReduceOptions): [Tensor, Tensor];
    min(other: Tensor): Tensor;
    /** Largest values over one or several dims (ties share the gradient). */
    amax(dim?: Dims, options?: red.ReduceOptions): Tensor;
    /** Smallest values over one or several dims (ties share the gradient). */
    amin(dim?: Dims, options?: red.ReduceOptions): Tensor;
    prod(dim?: Dims, options?: red.ReduceOptions): Tensor;
    argmax(dim?: number, options?: red.ReduceOptions): Tensor;
    argmin(dim?: number, options?: red.ReduceOptions): Tensor;
    var(dim?: Dims, options?: red.VarOptions): Tensor;
    std(dim?: Dims, options?: red.VarOptions): Tensor;
    logsumexp(dim?: Dims, options?: red.ReduceOptions): Tensor;
    norm(p?: number | 'fro', dim?: Dims, options?: red.ReduceOptions): Tensor;
    // linear algebra
    matmul(other: Tensor): Tensor;
    // views and shape
    view(...shape: number[]): Tensor;
    view(shape: readonly number[]): Tensor;
    reshape(...shape: number[]): Tensor;
    reshape(shape: readonly number[]): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    permute(...dims: number[]): Tensor;
    permute(dims: readonly number[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    expand(...shape: number[]): Tensor;
    expand(shape: readonly number[]): Tensor;
    expandAs(other: Tensor): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    detach(): Tensor;
    split(sizes: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    flip(dims: number | readonly number[]): Tensor;
    pad(pads: readonly number[], options?: { mode?: 'constant'; value?: number }): Tensor;
    repeat(...repeats: number[]): Tensor;
    repeat(repeats: readonly number[]): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    // indexing
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: TensorLike): Tensor;
    scatterAdd(dim: number, index: Tensor, src: TensorLike): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
    maskedFill(mask: Tensor, value: number): Tensor;
    // sorting, scans, truth, matrices
    sort(dim?: number, options?: SortOptions): [Tensor, Tensor];
    argsort(dim?: number, options?: SortOptions): Tensor;
    topk(k: number, dim?: number, options?: TopkOptions): [Tensor, Tensor];
    kthvalue(k: number, dim?: number, options?: KeepdimOptions): [Tensor, Tensor];
    median(): Tensor;
    median(dim: number, options?: KeepdimOptions): [Tensor, Tensor];
    /** The most frequent value along dim and its index: [values, indices]. */
    mode(dim?: number, options?: KeepdimOptions): [Tensor, Tensor];
    cumsum(dim: number): Tensor;
    cumprod(dim: number): Tensor;
    any(dim?: Dims, options?: { keepdim?: boolean }): Tensor;
    all(dim?: Dims, options?: { keepdim?: boolean }): Tensor;
    isclose(other: TensorLike, options?: CloseOptions): Tensor;
    allclose(other: TensorLike, options?: CloseOptions): boolean;
    nanToNum(options?: NanToNumOptions): Tensor;
    roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    outer(other: Tensor): Tensor;
    diag(diagonal?: number): Tensor;
    trace(): Tensor;
    lerp(end: TensorLike, weight: TensorLike): Tensor;
    nonzero(): Tensor;
    maskedSelect(mask: Tensor): Tensor;
    /** This tensor with the positions where mask is true filled, in order, from source's elements. */
    maskedScatter(mask: Tensor, source: Tensor): Tensor;
    /** The dims reversed (the transpose of a matrix). */
    readonly T: Tensor;
    /** The last two dims swapped (a batch of matrices transposed). */
    readonly mT: Tensor;
    // dtype
    to(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
    bool(): Tensor;
    zerosLike(): Tensor;
    onesLike(): Tensor;
    // in place (not recorded by autograd)
    add_(other: TensorLike, options?: { alpha?: number }): Tensor;
    sub_(other: TensorLike): Tensor;
    mul_(other: TensorLike): Tensor;
    div_(other: TensorLike): Tensor;
    fill_(value: number): Tensor;
    zero_(): Tensor;
    copy_(src: Tensor): Tensor;
    clamp_(min?: number | null, max?: number | null): Tensor;
    uniform_(low?: number, high?: number, generator?: Generator): Tensor;
    normal_(mean?: number, std?: number, generator?: Generator): Tensor;
    // autograd
    /** Accumulates gradients into the leaves' `.grad`; `gradient` is required for non-scalar outputs. */
    backward(gradient?: Tensor | null | BackwardOptions, options?: BackwardOptions): void;
  }
}

/** Accepts both f(2, 3) and f([2, 3]), as PyTorch does for shapes. */
function dimsArg(args: (number | readonly number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as number[]);
}

const P = Tensor.prototype;
P.add = function (o, opts) {
  return bin.add(this, o, opts);
};
P.sub = function (o, opts) {
  return bin.sub(this, o, opts);
};
P.rsub = function (o) {
  return bin.rsub(this, o);
};
P.pow = function (o) {
  return bin.pow(this, o);
};
P.selu = function () {
  return act.selu(this);
};
P.softmax = function (d) {
  return softmax(this, d);
};
P.logSoftmax = function (d) {
  return logSoftmax(this, d);
};
P.where = function (c, o) {
  return bin.where(c, this, o);
};
P.sum = function (d, o) {
  return red.sum(this, d, o);
};
P.mean = function (d, o) {
  return red.mean(this, d, o);
};
P.max = function (this: Tensor, d?: number | Tensor, o?: red.ReduceOptions) {
  return d === undefined ? red.max(this) : d instanceof Tensor ? red.max(this, d) : red.max(this, d, o);
} as Tensor['max'];
P.min = function (this: Tensor, d?: number | Tensor, o?: red.ReduceOptions) {
  return d === undefined ? red.min(this) : d instanceof Tensor ? red.min(this, d) : red.min(this, d, o);
} as Tensor['min'];
P.amax = function (d, o) {
  return red.amax(this, d, o);
};
P.amin = function (d, o) {
  return red.amin(this, d, o);
};
P.prod = function (d, o) {
  return red.prod(this, d, o);
};
P.argmax = function (d, o) {
  return red.argmax(this, d, o);
};
P.argmin = function (d, o) {
  return red.argmin(this, d, o);
};
P.var = function (d, o) {
  return red.variance(this, d, o);
};
P.std = function (d, o) {
  return red.std(this, d, o);
};
P.logsumexp = function (d, o) {
  return red.logsumexp(this, d, o);
};
P.norm = function (p, d, o) {
  return red.norm(this, p, d, o);
};
P.matmul = function (o) {
  return matmul(this, o);
};
P.view = function (this: Tensor, ...s: (number | readonly number[])[]) {
  return v.view(this, dimsArg(s));
} as Tensor['view'];
P.reshape = function (this: Tensor, ...s: (number | readonly number[])[]) {
  return v.reshape(this, dimsArg(s));
} as Tensor['reshape'];
P.flatten = function (s, e) {
  return v.flatten(this, s, e);
};
P.unflatten = function (d, s) {
  return v.unflatten(this, d, s);
};
P.permute = function (this: Tensor, ...s: (number | readonly number[])[]) {
  return v.permute(this, dimsArg(s));
} as Tensor['permute'];
P.transpose = function (a, b) {
  return v.transpose(this, a, b);
};
P.t = function () {
  return v.t(this);
};
P.expand = function (this: Tensor, ...s: (number | readonly number[])[]) {
  return v.expand(this, dimsArg(s));
} as Tensor['expand'];
P.expandAs = function (o) {
  return v.expand(this, o.shape);
};
P.squeeze = function (d) {
  return v.squeeze(this, d);
};
P.unsqueeze = function (d) {
  return v.unsqueeze(this, d);
};
P.slice = function (d, s, e, st) {
  return v.slice(this, d, s, e, st);
};
P.narrow = function (d, s, l) {
  return v.narrow(this, d, s, l);
};
P.select = function (d, i) {
  return v.select(this, d, i);
};
P.contiguous = function () {
  return v.contiguous(this);
};
P.clone = function () {
  return v.clone(this);
};
P.detach = function () {
  return v.detach(this);
};
P.split = function (s, d) {
  return comb.split(this, s, d);
};
P.chunk = function (c, d) {
  return comb.chunk(this, c, d);
};
P.flip = function (d) {
  return comb.flip(this, d);
};
P.pad = function (p, o) {
  return comb.pad(this, p, o);
};
P.repeat = function (this: Tensor, ...r: (number | readonly number[])[]) {
  return comb.repeat(this, dimsArg(r));
} as Tensor['repeat'];
P.tril = function (d) {
  return idx.tril(this, d);
};
P.triu = function (d) {
  return idx.triu(this, d);
};
P.gather = function (d, i) {
  return idx.gather(this, d, i);
};
P.scatter = function (d, i, s) {
  return idx.scatter(this, d, i, s);
};
P.scatterAdd = function (d, i, s) {
  return idx.scatterAdd(this, d, i, s);
};
P.indexSelect = function (d, i) {
  return idx.indexSelect(this, d, i);
};
P.maskedFill = function (m, val) {
  return idx.maskedFill(this, m, val);
};
P.to = function (d) {
  return to(this, d);
};
P.float = function () {
  return to(this, 'float32');
};
P.double = function () {
  return to(this, 'float64');
};
P.int = function () {
  return to(this, 'int32');
};
P.bool = function () {
  return to(this, 'bool');
};
P.zerosLike = function () {
  return zeros(this.shape, { dtype: this.dtype });
};
P.onesLike = function () {
  return ones(this.shape, { dtype: this.dtype });
};
P.add_ = function (o, opts) {
  return inplace.add_(this, o, opts);
};
P.sub_ = function (o) {
  return inplace.sub_(this, o);
};
P.mul_ = function (o) {
  return inplace.mul_(this, o);
};
P.div_ = function (o) {
  if (!isFloating(this.dtype))
    throw new DTypeError(
      `div_: true division of a ${this.dtype} tensor can't be stored in place; convert with .float() first`,
    );
  return inplace.div_(this, o);
};
P.fill_ = function (x) {
  return inplace.fill_(this, x);
};
P.zero_ = function () {
  return inplace.zero_(this);
};
P.copy_ = function (s) {
  return inplace.copy_(this, s);
};
P.clamp_ = function (a, b) {
  return inplace.clamp_(this, a, b);
};
P.uniform_ = function (a, b, g) {
  return inplace.uniform_(this, a, b, g);
};
P.normal_ = function (m, s, g) {
  return inplace.normal_(this, m, s, g);
};
P.backward = function (g, o) {
  backward(this, g, o);
};
P.sort = function (d, o) {
  return sorting.sort(this, d, o);
};
P.argsort = function (d, o) {
  return sorting.argsort(this, d, o);
};
P.topk = function (k, d, o) {
  return sorting.topk(this, k, d, o);
};
P.kthvalue = function (k, d, o) {
  return sorting.kthvalue(this, k, d, o);
};
P.median = function (this: Tensor, d?: number, o?: KeepdimOptions) {
  return d === undefined ? sorting.median(this) : sorting.median(this, d, o);
} as Tensor['median'];
P.cumsum = function (d) {
  return cumsum(this, d);
};
P.cumprod = function (d) {
  return cumprod(this, d);
};
P.any = function (d, o) {
  return logical.any(this, d, o);
};
P.all = function (d, o) {
  return logical.all(this, d, o);
};
P.isclose = function (b, o) {
  return logical.isclose(this, b, o);
};
P.allclose = function (b, o) {
  return logical.allclose(this, b, o);
};
P.nanToNum = function (o) {
  return logical.nanToNum(this, o);
};
P.roll = function (s, d) {
  return roll(this, s, d);
};
P.mm = function (b) {
  return linalg.mm(this, b);
};
P.bmm = function (b) {
  return linalg.bmm(this, b);
};
P.outer = function (b) {
  return linalg.outer(this, b);
};
P.diag = function (k) {
  return linalg.diag(this, k);
};
P.trace = function () {
  return linalg.trace(this);
};
P.lerp = function (e, w) {
  return lerp(this, e, w);
};
P.nonzero = function () {
  return selection.nonzero(this);
};
P.mode = function (d, o) {
  return sorting.mode(this, d, o);
};
P.maskedScatter = function (m, source) {
  return selection.maskedScatter(this, m, source);
};
P.maskedSelect = function (m) {
  return selection.maskedSelect(this, m);
};
Object.defineProperty(P, 'T', {
  get(this: Tensor) {
    return v.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  },
});
Object.defineProperty(P, 'mT', {
  get(this: Tensor) {
    return v.transpose(this, -2, -1);
  },
});

// Every entry of the pointwise op table is a method too: x.exp(), x.clamp(min, max), x.gelu(options).
for (const [name, fn] of Object.entries(pointwise) as [string, (x: Tensor, ...args: unknown[]) => Tensor][]) {
  (P as unknown as Record<string, unknown>)[name] = function (this: Tensor, ...args: unknown[]) {
    return fn(this, ...args);
  };
}

// …and every entry of the binary op table: x.mul(y), y.atan2(x), x.eq(y) (add, sub, pow: their wrappers).
for (const name of Object.keys(BINARY) as BinaryName[]) {
  const fn = bin[name] as (a: Tensor, b: TensorLike, ...rest: unknown[]) => Tensor;
  (P as unknown as Record<string, unknown>)[name] = function (this: Tensor, other: TensorLike, ...rest: unknown[]) {
    return fn(this, other, ...rest);
  };
}

// The public boundary (src/guard.ts): every method a plain JavaScript caller reaches raises Axon's
// error types, whatever it is passed. backward() runs user-written backward functions, so it checks
// its own arguments instead.
for (const name of Object.keys(P) as (keyof typeof P)[]) {
  const value = P[name];
  if (typeof value === 'function' && name !== 'backward')
    (P as unknown as Record<string, unknown>)[name] = guard(
      `Tensor.${String(name)}`,
      value as (...a: never[]) => unknown,
    );
}
