// One step of the recurrent cells, shared by the sequence layers (RNN, LSTM, GRU) and the
// single-step cells (RNNCell, LSTMCell, GRUCell). Internal: not exported from nn.
import { lstmCell } from '../../ops/lstm-cell.js';
import { addmm } from '../../ops/matmul.js';
import type { Tensor } from '../../tensor/tensor.js';
import { linear } from '../functional/linear.js';
import type { Parameter } from '../parameter.js';

export type Cell = 'tanh' | 'relu' | 'lstm' | 'gru';
export const GATES: Record<Cell, number> = { tanh: 1, relu: 1, lstm: 4, gru: 3 };

export interface LayerParams {
  wih: Parameter;
  whh: Parameter;
  bih: Parameter | null;
  bhh: Parameter | null;
}

/**
 * One time step of a recurrent cell; xt already holds W_ih·x + b_ih (+ b_hh except for GRU's n
 * gate). Shared by the sequence layers and the single-step cells (RNNCell, LSTMCell, GRUCell).
 */
export function stepCell(cell: Cell, H: number, xt: Tensor, state: Tensor[], p: LayerParams): Tensor[] {
  const h = state[0]!;
  switch (cell) {
    case 'tanh':
      return [addmm(xt, h, p.whh.t()).tanh()];
    case 'relu':
      return [addmm(xt, h, p.whh.t()).relu()];
    case 'lstm': {
      // One GEMM onto the input projection, one fused kernel for the gates and the state update.
      const hc = lstmCell(addmm(xt, h, p.whh.t()), state[1]!);
      return [hc.narrow(1, 0, H), hc.narrow(1, H, H)];
    }
    case 'gru': {
      // The n gate needs W_hn·h + b_hn on its own (it is scaled by r), so GRU keeps b_hh apart.
      const gh = linear(h, p.whh, p.bhh);
      const r = xt
        .narrow(1, 0, H)
        .add(gh.narrow(1, 0, H))
        .sigmoid();
      const z = xt
        .narrow(1, H, H)
        .add(gh.narrow(1, H, H))
        .sigmoid();
      const n = xt
        .narrow(1, 2 * H, H)
        .add(r.mul(gh.narrow(1, 2 * H, H)))
        .tanh();
      return [n.sub(n.mul(z)).add(z.mul(h))];
    }
  }
}
