// ONNX's recurrent ops (RNN, LSTM, GRU) as a loop over time of Axon ops, so gradients flow and
// imported recurrent models fine-tune. Default activations only (as PyTorch exports them).
import * as B from '../../ops/binary.js';
import { cat, stack } from '../../ops/combine.js';
import { lstmCell } from '../../ops/lstm-cell.js';
import { arange, zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type OpContext, defineOps, fail, input, optionalInput } from './registry.js';

type Kind = 'RNN' | 'LSTM' | 'GRU';
const GATES: Record<Kind, number> = { RNN: 1, LSTM: 4, GRU: 3 };
const DEFAULT_ACTIVATIONS: Record<Kind, string[]> = {
  RNN: ['Tanh'],
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
};

function blocks(t: Tensor, order: number[], H: number): Tensor {
  return cat(
    order.map((k) => t.narrow(-1, k * H, H)),
    -1,
  );
}

function recurrent(kind: Kind) {
  return (ctx: OpContext) => {
    let x = input(ctx, 0);
    const W = input(ctx, 1);
    const R = input(ctx, 2);
    const bias = optionalInput(ctx, 3);
    const lens = optionalInput(ctx, 4);
    let h0 = optionalInput(ctx, 5);
    let c0 = kind === 'LSTM' ? optionalInput(ctx, 6) : undefined;
    if (kind === 'LSTM' && optionalInput(ctx, 7)) fail(ctx, 'peephole weights (input P) are not supported');
    const H = ctx.attrs.int('hidden_size', R.shape[R.ndim - 1]);
    const direction = ctx.attrs.string('direction', 'forward');
    const D = direction === 'bidirectional' ? 2 : 1;
    if (!['forward', 'reverse', 'bidirectional'].includes(direction)) fail(ctx, `unknown direction '${direction}'`);
    if (ctx.attrs.has('clip')) fail(ctx, 'cell clipping is not supported');
    if (kind === 'LSTM' && ctx.attrs.int('input_forget', 0) !== 0) fail(ctx, 'input_forget is not supported');
    const acts = ctx.attrs.strings('activations', []);
    const defaults = DEFAULT_ACTIVATIONS[kind];
    const relu = kind === 'RNN' && acts.length > 0 && acts.every((a) => a === 'Relu');
    if (acts.length > 0 && !relu && acts.some((a, i) => a !== defaults[i % defaults.length]))
      fail(ctx, `activations [${acts}] are not supported (the defaults, and Relu for RNN, are)`);
    const layout = ctx.attrs.int('layout', 0);
    if (layout === 1) {
      x = x.transpose(0, 1);
      h0 = h0?.transpose(0, 1);
      c0 = c0?.transpose(0, 1);
    }
    const G = GATES[kind] * H;
    if (x.ndim !== 3 || W.shape.join() !== [D, G, x.shape[2]!].join() || R.shape.join() !== [D, G, H].join())
      fail(
        ctx,
        `expects X [L, N, I], W [${D}, ${G}, I], R [${D}, ${G}, ${H}]; got [${x.shape}], [${W.shape}], [${R.shape}]`,
      );
    const [L, N] = x.shape as [number, number];
    const linearBeforeReset = ctx.attrs.int('linear_before_reset', 0) === 1;
    // Steps past a sequence's length keep the state and output zeros (ONNX's sequence_lens).
    const masks = lens
      ? B.lt(arange(L, undefined, 1, { dtype: 'int32' }).unsqueeze(1), lens.to('int32').unsqueeze(0))
      : undefined;
    const ys: Tensor[] = [];
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let d = 0; d < D; d++) {
      const reverse = direction === 'reverse' || d === 1;
      let w = W.select(0, d);
      let r = R.select(0, d);
      let wb = bias ? bias.select(0, d).narrow(0, 0, G) : undefined;
      let rb = bias ? bias.select(0, d).narrow(0, G, G) : undefined;
      if (kind === 'LSTM') {
        // ONNX's (i, o, f, c) into the (i, f, g, o) of Axon's fused cell.
        const order = [0, 2, 3, 1];
        w = blocks(w.t(), order, H).t();
        r = blocks(r.t(), order, H).t();
        wb = wb && blocks(wb, order, H);
        rb = rb && blocks(rb, order, H);
      }
      // The input projection of every step at once: [L, N, G].
      let xp = x.matmul(w.t());
      if (wb) xp = xp.add(wb);
      if (rb && kind !== 'GRU') xp = xp.add(rb);
      let h = h0 ? h0.select(0, d) : zeros([N, H], { dtype: x.dtype });
      let c = c0 ? c0.select(0, d) : zeros([N, H], { dtype: x.dtype });
      const out = new Array<Tensor>(L);
      for (let k = 0; k < L; k++) {
        const t = reverse ? L - 1 - k : k;
        const xt = xp.select(0, t);
        let nh: Tensor;
        let nc = c;
        if (kind === 'RNN') {
          const pre = xt.add(h.matmul(r.t()));
          nh = relu ? pre.relu() : pre.tanh();
        } else if (kind === 'LSTM') {
          const hc = lstmCell(xt.add(h.matmul(r.t())), c);
          nh = hc.narrow(1, 0, H);
          nc = hc.narrow(1, H, H);
        } else {
          // GRU gates (z, r, h); linear_before_reset=1 is PyTorch's form: r ⊙ (R_h h + Rb_h).
          const rz = r.narrow(0, 0, 2 * H);
          const rh = r.narrow(0, 2 * H, H);
          let hr = h.matmul(rz.t());
          if (rb) hr = hr.add(rb.narrow(0, 0, 2 * H));
          const z = xt
            .narrow(1, 0, H)
            .add(hr.narrow(1, 0, H))
            .sigmoid();
          const rg = xt
            .narrow(1, H, H)
            .add(hr.narrow(1, H, H))
            .sigmoid();
          const rbh = rb?.narrow(0, 2 * H, H);
          const hh = linearBeforeReset
            ? rg.mul(rbh ? h.matmul(rh.t()).add(rbh) : h.matmul(rh.t()))
            : rbh
              ? rg.mul(h).matmul(rh.t()).add(rbh)
              : rg.mul(h).matmul(rh.t());
          const n = xt
            .narrow(1, 2 * H, H)
            .add(hh)
            .tanh();
          nh = n.sub(n.mul(z)).add(z.mul(h));
        }
        const m = masks?.select(0, t).unsqueeze(1);
        if (m) {
          h = B.where(m, nh, h);
          c = B.where(m, nc, c);
          out[t] = B.where(m, nh, 0);
        } else {
          h = nh;
          c = nc;
          out[t] = nh;
        }
      }
      ys.push(stack(out, 0));
      hs.push(h);
      cs.push(c);
    }
    let y = stack(ys, 1); // [L, D, N, H]
    let yh = stack(hs, 0);
    let yc = stack(cs, 0);
    if (layout === 1) {
      y = y.permute([2, 0, 1, 3]);
      yh = yh.transpose(0, 1);
      yc = yc.transpose(0, 1);
    }
    return kind === 'LSTM' ? [y, yh, yc] : [y, yh];
  };
}

defineOps('', {
  RNN: recurrent('RNN'),
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
});
