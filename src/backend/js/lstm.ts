import type { View } from '../backend.js';
import { sigmoid } from './scalar.js';

// The fused LSTM cell of the JS backend (the reference for the native one). Rows are the first
// dim; elements within a row are contiguous.

export function lstmCell(gates: View, c: View, out: View, act: View): void {
  const N = c.shape[0]!,
    H = c.shape[1]!;
  const gd = gates.data,
    cd = c.data,
    od = out.data,
    ad = act.data;
  for (let n = 0; n < N; n++) {
    const g0 = gates.offset + n * gates.strides[0]!,
      c0 = c.offset + n * c.strides[0]!;
    const o0 = out.offset + n * out.strides[0]!,
      a0 = act.offset + n * act.strides[0]!;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gd[g0 + j]!),
        f = sigmoid(gd[g0 + H + j]!);
      const g = Math.tanh(gd[g0 + 2 * H + j]!),
        o = sigmoid(gd[g0 + 3 * H + j]!);
      const cn = f * cd[c0 + j]! + i * g;
      ad[a0 + j] = i;
      ad[a0 + H + j] = f;
      ad[a0 + 2 * H + j] = g;
      ad[a0 + 3 * H + j] = o;
      od[o0 + j] = o * Math.tanh(cn);
      od[o0 + H + j] = cn;
    }
  }
}

// The cell: i = σ(aᵢ), f = σ(a_f), g = tanh(a_g), o = σ(a_o) from the gate pre-activations a;
// c' = f·c + i·g; h = o·tanh(c'). Given dh and dc' (the two halves of dOut), with t = tanh(c'):
//   dc' += dh·o·(1 − t²)            (h depends on c' through tanh)
//   daᵢ = dc'·g·i(1 − i)            (σ' = σ(1 − σ))
//   da_f = dc'·c·f(1 − f)
//   da_g = dc'·i·(1 − g²)           (tanh' = 1 − tanh²)
//   da_o = dh·t·o(1 − o)
//   dc  = dc'·f                     (the gradient flowing to the previous cell state)
export function lstmCellBackward(dOut: View, act: View, c: View, out: View, dGates: View, dC: View): void {
  const N = c.shape[0]!,
    H = c.shape[1]!;
  const dd = dOut.data,
    ad = act.data,
    cd = c.data,
    od = out.data,
    gd = dGates.data,
    dcd = dC.data;
  for (let n = 0; n < N; n++) {
    const d0 = dOut.offset + n * dOut.strides[0]!,
      a0 = act.offset + n * act.strides[0]!,
      c0 = c.offset + n * c.strides[0]!;
    const o0 = out.offset + n * out.strides[0]!,
      g0 = dGates.offset + n * dGates.strides[0]!,
      e0 = dC.offset + n * dC.strides[0]!;
    for (let j = 0; j < H; j++) {
      const i = ad[a0 + j]!,
        f = ad[a0 + H + j]!,
        g = ad[a0 + 2 * H + j]!,
        o = ad[a0 + 3 * H + j]!;
      const tc = Math.tanh(od[o0 + H + j]!);
      const dh = dd[d0 + j]!;
      const dc = dd[d0 + H + j]! + dh * o * (1 - tc * tc);
      gd[g0 + j] = dc * g * i * (1 - i);
      gd[g0 + H + j] = dc * cd[c0 + j]! * f * (1 - f);
      gd[g0 + 2 * H + j] = dc * i * (1 - g * g);
      gd[g0 + 3 * H + j] = dh * tc * o * (1 - o);
      dcd[e0 + j] = dc * f;
    }
  }
}
