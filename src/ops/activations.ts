import { record } from '../autograd/record.js';
import { ValueError } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { to } from './cast.js';
import { mapUnary } from './unary.js';
import { where } from './binary.js';

// Activation functions. Each backward is written with ops, so second derivatives work.

function floatIn(x: Tensor): Tensor {
  return isFloating(x.dtype) ? x : to(x, 'float32');
}

/** 1 where x > 0, else 0, in x's dtype: relu's derivative (zero gradient of its own). */
function positive(x: Tensor): Tensor {
  return mapUnary('step', x);
}

export function relu(x: Tensor): Tensor {
  x = floatIn(x);
  return record('relu', mapUnary('relu', x), [x], (g) => [g.mul(positive(x))], [x]);
}

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  x = floatIn(x);
  return record(
    'leakyRelu',
    mapUnary('leakyRelu', x, negativeSlope),
    [x],
    (g) => [where(x.gt(0), g, g.mul(negativeSlope))],
    [x],
  );
}

export function elu(x: Tensor, alpha = 1): Tensor {
  x = floatIn(x);
  const out = mapUnary('elu', x, alpha);
  // d/dx = 1 for x > 0, alpha * exp(x) otherwise
  return record('elu', out, [x], (g) => [where(x.gt(0), g, g.mul(x.exp().mul(alpha)))], [x]);
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

export function selu(x: Tensor): Tensor {
  return elu(x, SELU_ALPHA).mul(SELU_SCALE);
}

/** GELU: exact (x·Φ(x)) or with PyTorch's tanh approximation (`approximate: 'tanh'`). */
export function gelu(x: Tensor, options: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  x = floatIn(x);
  const approximate = options.approximate ?? 'none';
  if (approximate === 'none') {
    return record(
      'gelu',
      mapUnary('gelu', x),
      [x],
      (g) => {
        // Φ(x) + x·φ(x)
        const cdf = x.mul(Math.SQRT1_2).erf().add(1).mul(0.5);
        const pdf = x
          .mul(x)
          .mul(-0.5)
          .exp()
          .mul(1 / Math.sqrt(2 * Math.PI));
        return [g.mul(cdf.add(x.mul(pdf)))];
      },
      [x],
    );
  }
  if (approximate !== 'tanh') throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
  const k = Math.sqrt(2 / Math.PI);
  return record(
    'geluTanh',
    mapUnary('geluTanh', x),
    [x],
    (g) => {
      const x2 = x.mul(x);
      const inner = x.add(x2.mul(x).mul(0.044715)).mul(k);
      const th = inner.tanh();
      const dInner = x2
        .mul(3 * 0.044715)
        .add(1)
        .mul(k);
      const d = th
        .add(1)
        .mul(0.5)
        .add(x.mul(0.5).mul(th.mul(th).rsub(1)).mul(dInner));
      return [g.mul(d)];
    },
    [x],
  );
}

/** SiLU (swish): x·σ(x). */
export function silu(x: Tensor): Tensor {
  x = floatIn(x);
  return record(
    'silu',
    mapUnary('silu', x),
    [x],
    (g) => {
      const s = x.sigmoid();
      return [g.mul(s.mul(x.mul(s.rsub(1)).add(1)))];
    },
    [x],
  );
}

/** log(1 + exp(beta·x)) / beta, linear above `threshold` as in PyTorch. */
export function softplus(x: Tensor, options: { beta?: number; threshold?: number } = {}): Tensor {
  x = floatIn(x);
  const beta = options.beta ?? 1,
    threshold = options.threshold ?? 20;
  return record(
    'softplus',
    mapUnary('softplus', x, beta, threshold),
    [x],
    (g) => {
      const bx = x.mul(beta);
      return [where(bx.gt(threshold), g, g.mul(bx.sigmoid()))];
    },
    [x],
  );
}
