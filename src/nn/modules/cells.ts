// Single-step recurrent cells (PyTorch's RNNCell, LSTMCell, GRUCell): the same parameters and step
// as one layer of RNN/LSTM/GRU, for loops written by hand (decoders, custom unrolling).
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { zeros } from '../../tensor/create.js';
import { Tensor } from '../../tensor/tensor.js';
import { linear } from '../functional/linear.js';
import { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { uniformParameter } from './linear.js';
import { type Cell, GATES, stepCell } from './recurrent-step.js';

abstract class CellBase extends Module {
  readonly weight_ih: Parameter;
  readonly weight_hh: Parameter;
  readonly bias_ih: Parameter | null;
  readonly bias_hh: Parameter | null;

  constructor(
    private readonly cell: Cell,
    readonly inputSize: number,
    readonly hiddenSize: number,
    bias: boolean,
  ) {
    super();
    for (const [k, v] of [
      ['inputSize', inputSize],
      ['hiddenSize', hiddenSize],
    ] as const)
      if (!Number.isInteger(v) || v < 1)
        throw new ValueError(`${this.constructor.name}: ${k} must be a positive integer, got ${v}`);
    const G = GATES[cell] * hiddenSize,
      bound = 1 / Math.sqrt(hiddenSize);
    this.weight_ih = this.registerParameter('weight_ih', uniformParameter([G, inputSize], bound));
    this.weight_hh = this.registerParameter('weight_hh', uniformParameter([G, hiddenSize], bound));
    this.bias_ih = this.registerParameter('bias_ih', bias ? uniformParameter([G], bound) : null);
    this.bias_hh = this.registerParameter('bias_hh', bias ? uniformParameter([G], bound) : null);
  }

  /** One step from input x [N, inputSize] (or [inputSize]) and state tensors [N, hidden] (zeros when absent). */
  protected run(x: Tensor, state: (Tensor | undefined)[]): Tensor[] {
    const name = this.constructor.name;
    if (!(x instanceof Tensor) || (x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize)
      throw new ShapeError(
        `${name}: expected input [N, ${this.inputSize}] or [${this.inputSize}], got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`,
      );
    const unbatched = x.ndim === 1;
    const x2 = unbatched ? x.unsqueeze(0) : x;
    const N = x2.shape[0]!;
    const s = state.map((t, i) => {
      if (t === undefined) return zeros([N, this.hiddenSize], { dtype: x.dtype });
      if (!(t instanceof Tensor)) throw new ValueError(`${name}: state ${i} must be a Tensor, got ${typeof t}`);
      const t2 = unbatched && t.ndim === 1 ? t.unsqueeze(0) : t;
      if (t2.ndim !== 2 || t2.shape[0] !== N || t2.shape[1] !== this.hiddenSize)
        throw new ShapeError(`${name}: expected state [${N}, ${this.hiddenSize}], got ${fmtShape(t.shape)}`);
      return t2;
    });
    let xt = linear(x2, this.weight_ih, this.bias_ih);
    if (this.bias_hh && this.cell !== 'gru') xt = xt.add(this.bias_hh);
    const p = { wih: this.weight_ih, whh: this.weight_hh, bih: this.bias_ih, bhh: this.bias_hh };
    const out = stepCell(this.cell, this.hiddenSize, xt, s, p);
    return unbatched ? out.map((t) => t.squeeze(0)) : out;
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? '' : ', bias=false'}`;
  }
}

/** h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or ReLU). forward(x, h?) → h'. */
export class RNNCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu')
      throw new ValueError(`RNNCell: nonlinearity must be 'tanh' or 'relu', got '${nl}'`);
    super(nl, inputSize, hiddenSize, options.bias !== false);
  }
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.run(x, [h])[0]!;
  }
}

/** One LSTM step: forward(x, [h, c]?) → [h', c'] (gates i, f, g, o as PyTorch). */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    super('lstm', inputSize, hiddenSize, options.bias !== false);
  }
  forward(x: Tensor, state?: readonly [Tensor, Tensor]): [Tensor, Tensor] {
    if (state !== undefined && (!Array.isArray(state) || state.length !== 2))
      throw new ValueError("LSTMCell: the state is a pair [h, c] of tensors (as PyTorch's (h, c))");
    const [h, c] = this.run(x, [state?.[0], state?.[1]]);
    return [h!, c!];
  }
}

/** One GRU step: forward(x, h?) → h' (gates r, z, n as PyTorch). */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    super('gru', inputSize, hiddenSize, options.bias !== false);
  }
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.run(x, [h])[0]!;
  }
}
