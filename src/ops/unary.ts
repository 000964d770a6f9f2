import { pointwise } from './pointwise.js';

// The pointwise unary ops are entries of the op table (src/ops/pointwise.ts); this module
// re-exports the table's functions under their names. Powers with a scalar are in pow-scalar.ts.
export const {
  neg,
  abs,
  sign,
  exp,
  log,
  log1p,
  sqrt,
  rsqrt,
  sin,
  cos,
  tanh,
  sigmoid,
  erf,
  reciprocal,
  square,
  floor,
  ceil,
  round,
  clamp,
  isnan,
  logicalNot,
} = pointwise;
