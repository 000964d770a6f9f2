import type { BinaryOp } from '../backend/index.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { AutogradError, DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import { broadcastShapes, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { asTensor } from './cast.js';
import { type TensorLike, backend, broadcastView, clampBounds, empty, promote } from './util.js';

// In-place ops write into a tensor's own memory (through any view of it) and are not recorded by
// autograd: they are for parameter updates and initialisation, under noGrad or on plain tensors.

function guard(op: string, self: Tensor, other?: TensorLike): void {
  // A broadcast view (stride 0 over a size > 1) maps several elements to one memory location: a
  // write through it would race with itself. PyTorch refuses it the same way.
  for (let d = 0; d < self.ndim; d++) {
    if (self.strides[d] === 0 && self.shape[d]! > 1 && self.numel > 0) {
      throw new ValueError(
        `${op}: the tensor (shape ${fmtShape(self.shape)}, strides [${self.strides.join(', ')}]) has several elements in one memory location (an expanded view); call .clone() before writing in place`,
      );
    }
  }
  if (!isGradEnabled()) return;
  if (self.requiresGrad || (other instanceof Tensor && other.requiresGrad)) {
    throw new AutogradError(
      `${op}: in-place operations on tensors that require grad are not recorded; wrap the update in noGrad(() => ...) or use the out-of-place op`,
    );
  }
}

function bumpVersion(t: Tensor): Tensor {
  t.storage.version++;
  return t;
}

/** other as a tensor readable at self's shape, never sharing self's memory. */
function operand(op: string, self: Tensor, other: TensorLike): Tensor {
  const dtype = promote(self, other);
  const category = (d: string) => (d === 'bool' ? 0 : d === 'int32' ? 1 : 2);
  if (category(dtype) > category(self.dtype)) {
    throw new DTypeError(`${op}: result dtype ${dtype} can't be cast to the tensor's dtype ${self.dtype} in place`);
  }
  let t = asTensor(other, self.dtype);
  const shape = broadcastShapes(op, self.shape, t.shape);
  if (!shapesEqual(shape, self.shape))
    throw new ShapeError(
      `${op}: operand of shape ${fmtShape(t.shape)} does not broadcast to the tensor's shape ${fmtShape(self.shape)}`,
    );
  if (t.storage === self.storage) {
    const copy = empty(t.shape, t.dtype);
    backend().copy(t, copy);
    t = copy;
  }
  return t;
}

function binaryInPlace(op: string, kernel: BinaryOp, self: Tensor, other: TensorLike): Tensor {
  guard(op, self, other);
  const t = operand(op, self, other);
  backend().binary(kernel, self, broadcastView(t, self.shape), self);
  return bumpVersion(self);
}

export function add_(self: Tensor, other: TensorLike, options: { alpha?: number } = {}): Tensor {
  const alpha = options.alpha ?? 1;
  if (alpha !== 1 && other instanceof Tensor) return binaryInPlace('add_', 'add', self, other.detach().mul(alpha));
  return binaryInPlace('add_', 'add', self, typeof other === 'number' ? other * alpha : other);
}
export const sub_ = (self: Tensor, other: TensorLike) => binaryInPlace('sub_', 'sub', self, other);
export const mul_ = (self: Tensor, other: TensorLike) => binaryInPlace('mul_', 'mul', self, other);
export const div_ = (self: Tensor, other: TensorLike) => binaryInPlace('div_', 'div', self, other);

export function fill_(self: Tensor, value: number): Tensor {
  guard('fill_', self);
  backend().fill(self, value);
  return bumpVersion(self);
}

export const zero_ = (self: Tensor) => fill_(self, 0);

/** Copies src (broadcast, converted to self's dtype) into self. */
export function copy_(self: Tensor, src: Tensor): Tensor {
  guard('copy_', self, src);
  const shape = broadcastShapes('copy_', self.shape, src.shape);
  if (!shapesEqual(shape, self.shape))
    throw new ShapeError(`copy_: source of shape ${fmtShape(src.shape)} does not broadcast to ${fmtShape(self.shape)}`);
  let s = src;
  if (s.storage === self.storage) {
    s = empty(src.shape, src.dtype);
    backend().copy(src, s);
  }
  backend().copy(broadcastView(s, self.shape), self);
  return bumpVersion(self);
}

export function clamp_(self: Tensor, min?: number | null, max?: number | null): Tensor {
  guard('clamp_', self);
  const [lo, hi] = clampBounds('clamp_', min, max);
  backend().unary('clamp', self, self, lo, hi);
  return bumpVersion(self);
}

/** Fills with uniform values on [low, high). */
export function uniform_(self: Tensor, low = 0, high = 1, generator: Generator = defaultGenerator): Tensor {
  guard('uniform_', self);
  self.forEachOffset((o) => {
    self.data[o] = low + (high - low) * generator.random();
  });
  return bumpVersion(self);
}

/** Fills with normal values of the given mean and standard deviation. */
export function normal_(self: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  guard('normal_', self);
  self.forEachOffset((o) => {
    self.data[o] = mean + std * generator.normal();
  });
  return bumpVersion(self);
}
