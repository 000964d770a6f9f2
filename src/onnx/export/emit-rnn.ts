// ONNX forms of the recurrent layers: each layer of nn.RNN / nn.LSTM / nn.GRU becomes one ONNX
// RNN / LSTM / GRU op (not a loop unrolled over time, so the sequence length stays dynamic).
import { tensor } from '../../tensor/create.js';
import { cat, stack } from '../../ops/combine.js';
import type { Tensor } from '../../tensor/tensor.js';
import { GRU, LSTM, RNN } from '../../nn/modules/rnn.js';
import type { GraphBuilder } from './builder.js';
import { CannotExport, type ModuleEmitter } from './tracer.js';

interface Recurrent {
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  hiddenSize: number;
  stateDict(): Record<string, Tensor>;
}

/**
 * PyTorch's gate blocks in ONNX's order: LSTM (i, f, g, o) → (i, o, f, c); GRU (r, z, n) → (z, r, h).
 * Each weight or bias has `gates` blocks of H rows.
 */
function reorder(t: Tensor, order: number[], H: number): Tensor {
  return cat(
    order.map((k) => t.narrow(0, k * H, H)),
    0,
  );
}

function recurrent(op: 'RNN' | 'LSTM' | 'GRU', order: number[]): ModuleEmitter {
  return (g: GraphBuilder, module, args, out) => {
    const m = module as Recurrent & { options?: unknown; constructor: { name: string } };
    const input = args[0] as Tensor;
    if (input.ndim !== 3) throw new CannotExport(`${op} of an unbatched input (add a batch dimension)`);
    const given = args[1] as Tensor | [Tensor, Tensor] | null | undefined;
    const options = (op === 'LSTM' ? args[2] : args[2]) as { lengths?: Tensor | number[] } | undefined;
    const H = m.hiddenSize;
    const D = m.bidirectional ? 2 : 1;
    const state = m.stateDict();
    const gates = order.length;
    const zeros = (n: number) => tensor(new Array<number>(n).fill(0), { dtype: input.dtype });
    let x: string = g.name(input);
    if (m.batchFirst) [x] = g.node('Transpose', [x], ['tmajor'], { perm: [1, 0, 2] });
    let lengths: string | undefined;
    if (options?.lengths !== undefined) {
      const l = options.lengths;
      lengths = Array.isArray(l) ? g.name(tensor(l, { dtype: 'int32' })) : g.name(l as Tensor);
    }
    const initial = given == null ? [] : op === 'LSTM' ? (given as Tensor[]) : [given as Tensor];
    const finals: string[][] = initial.length === 2 || op === 'LSTM' ? [[], []] : [[]];
    for (let l = 0; l < m.numLayers; l++) {
      const dirs = Array.from({ length: D }, (_, d) => `_l${l}${d === 1 ? '_reverse' : ''}`);
      const W = stack(
        dirs.map((s) => reorder(state[`weight_ih${s}`]!, order, H)),
        0,
      );
      const R = stack(
        dirs.map((s) => reorder(state[`weight_hh${s}`]!, order, H)),
        0,
      );
      const B = stack(
        dirs.map((s) =>
          cat(
            [
              state[`bias_ih${s}`] ? reorder(state[`bias_ih${s}`]!, order, H) : zeros(gates * H),
              state[`bias_hh${s}`] ? reorder(state[`bias_hh${s}`]!, order, H) : zeros(gates * H),
            ],
            0,
          ),
        ),
        0,
      );
      const layerState = (t: Tensor) =>
        g.node('Slice', [t, g.axes([l * D]), g.axes([(l + 1) * D]), g.axes([0])], ['h0'])[0];
      const attrs: Record<string, number | string | string[]> = {
        hidden_size: H,
        direction: D === 2 ? 'bidirectional' : 'forward',
      };
      if (op === 'GRU') attrs.linear_before_reset = 1;
      if (op === 'RNN') {
        const act = (m as unknown as { cell: string }).cell === 'relu' ? 'Relu' : 'Tanh';
        attrs.activations = new Array<string>(D).fill(act);
      }
      const inputs = [x, g.name(W), g.name(R), g.name(B), lengths, ...initial.map(layerState)];
      const outs = g.node(op, inputs, op === 'LSTM' ? ['y', 'y_h', 'y_c'] : ['y', 'y_h'], attrs);
      finals[0]!.push(outs[1]!);
      if (op === 'LSTM') finals[1]!.push(outs[2]!);
      // Y [L, D, N, H] → [L, N, D·H] for the next layer (0 copies a size, so L and N stay dynamic).
      const [t] = g.node('Transpose', [outs[0]], ['yt'], { perm: [0, 2, 1, 3] });
      [x] = g.node('Reshape', [t, g.axes([0, 0, -1])], ['layer_out']);
    }
    const [output, last] = out as [Tensor, Tensor | [Tensor, Tensor]];
    if (m.batchFirst) g.node('Transpose', [x], [output], { perm: [1, 0, 2] });
    else g.node('Identity', [x], [output]);
    const lastStates = op === 'LSTM' ? (last as Tensor[]) : [last as Tensor];
    lastStates.forEach((t, i) => g.node('Concat', finals[i]!, [t], { axis: 0 }));
  };
}

export const MODULE_ONNX = new Map<object, ModuleEmitter>([
  [RNN, recurrent('RNN', [0])],
  [LSTM, recurrent('LSTM', [0, 3, 1, 2])],
  [GRU, recurrent('GRU', [1, 0, 2])],
]);
