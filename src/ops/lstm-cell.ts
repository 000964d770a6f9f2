import { record } from '../autograd/record.js';
import { ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { cat } from './combine.js';
import { backend, empty } from './util.js';

/** Rows whose elements are contiguous, as the fused kernels want them. */
function rowMajor(t: Tensor): Tensor {
  return t.strides[1] === 1 || t.shape[1] === 1 ? t : t.contiguous();
}

/**
 * One LSTM step from pre-activation gates [N, 4H] (order i, f, g, o) and the cell state c [N, H]:
 * returns [h, c'] side by side as [N, 2H]. One fused kernel forward and one backward (written with
 * ops instead when a graph of the backward is asked for, so second derivatives still work).
 */
export function lstmCell(gates: Tensor, c: Tensor): Tensor {
  const [N, H] = c.shape as [number, number];
  if (gates.ndim !== 2 || c.ndim !== 2 || gates.shape[0] !== N || gates.shape[1] !== 4 * H) {
    throw new ShapeError(
      `lstmCell: expected gates [N, 4H] and c [N, H], got ${fmtShape(gates.shape)} and ${fmtShape(c.shape)}`,
    );
  }
  const b = backend();
  const g = rowMajor(gates),
    cp = rowMajor(c);
  const out = empty([N, 2 * H], g.dtype);
  const act = empty([N, 4 * H], g.dtype);
  if (b.lstmCell && b.lstmCellBackward) b.lstmCell(g, cp, out, act);
  else return composite(gates, c);
  return record(
    'lstmCell',
    out,
    [g, cp],
    (dOut, _needs, ctx) => {
      if (ctx.createGraph) return compositeBackward(dOut, g, cp);
      const d = rowMajor(dOut);
      const dGates = empty([N, 4 * H], g.dtype),
        dC = empty([N, H], g.dtype);
      b.lstmCellBackward!(d, act, cp, out, dGates, dC);
      return [dGates, dC];
    },
    [g, cp, out],
  );
}

/** The same step written with ops (backends without the fused kernels). */
function composite(gates: Tensor, c: Tensor): Tensor {
  const H = c.shape[1]!;
  const i = gates.narrow(1, 0, H).sigmoid(),
    f = gates.narrow(1, H, H).sigmoid();
  const g = gates.narrow(1, 2 * H, H).tanh(),
    o = gates.narrow(1, 3 * H, H).sigmoid();
  const cn = f.mul(c).add(i.mul(g));
  return cat([o.mul(cn.tanh()), cn], 1);
}

/**
 * The gradient written with ops, for createGraph (differentiable again): the formulas of the fused
 * kernel (src/backend/js/lstm.ts) with ops, dc' = dc + dh·o·(1 − tanh²c'), then each gate's term.
 */
function compositeBackward(dOut: Tensor, gates: Tensor, c: Tensor): [Tensor, Tensor] {
  const H = c.shape[1]!;
  const i = gates.narrow(1, 0, H).sigmoid(),
    f = gates.narrow(1, H, H).sigmoid();
  const g = gates.narrow(1, 2 * H, H).tanh(),
    o = gates.narrow(1, 3 * H, H).sigmoid();
  const tc = f.mul(c).add(i.mul(g)).tanh();
  const dh = dOut.narrow(1, 0, H);
  const dc = dOut.narrow(1, H, H).add(dh.mul(o).mul(tc.square().rsub(1)));
  const dGates = cat(
    [
      dc.mul(g).mul(i).mul(i.rsub(1)),
      dc.mul(c).mul(f).mul(f.rsub(1)),
      dc.mul(i).mul(g.square().rsub(1)),
      dh.mul(tc).mul(o).mul(o.rsub(1)),
    ],
    1,
  );
  return [dGates, dc.mul(f)];
}
