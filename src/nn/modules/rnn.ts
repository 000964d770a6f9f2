import { optionsArg, show } from '../../check.js';
import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { where } from '../../ops/binary.js';
import { cat, stack } from '../../ops/combine.js';
import { arange, tensor, zeros } from '../../tensor/create.js';
import { Tensor } from '../../tensor/tensor.js';
import { dropout } from '../functional/dropout.js';
import { linear } from '../functional/linear.js';
import { Module } from '../module.js';
import { uniformParameter } from './linear.js';
import { GATES, type Cell, type LayerParams, stepCell } from './recurrent-step.js';

export interface RNNOptions {
  numLayers?: number;
  bias?: boolean;
  /** Input and output as [N, L, features] instead of [L, N, features]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode. */
  dropout?: number;
  bidirectional?: boolean;
}

export interface RNNForwardOptions {
  /**
   * Valid length of each sequence (int32 [N]): steps past it neither update the state nor produce
   * output (zeros there), and the reverse direction starts at each sequence's last valid step —
   * the same results as PyTorch's packed sequences, without packing.
   */
  lengths?: Tensor | readonly number[];
}

/**
 * The recurrent layers share this: PyTorch's parameter names (weight_ih_l0, weight_hh_l0_reverse, ...),
 * gate order (LSTM i, f, g, o; GRU r, z, n), U(±1/sqrt(hidden)) init, and the input projection of
 * all time steps computed as one matmul before the loop over time.
 */
abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly batchFirst: boolean;
  readonly dropoutP: number;
  private readonly layers: LayerParams[][] = [];

  constructor(
    private readonly cell: Cell,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RNNOptions = {},
  ) {
    super();
    this.numLayers = options.numLayers ?? 1;
    this.bidirectional = options.bidirectional ?? false;
    this.batchFirst = options.batchFirst ?? false;
    this.dropoutP = options.dropout ?? 0;
    if (!Number.isInteger(this.numLayers) || this.numLayers < 1)
      throw new ValueError(`${this.constructor.name}: numLayers must be a positive integer, got ${this.numLayers}`);
    if (!Number.isInteger(hiddenSize) || hiddenSize < 1)
      throw new ValueError(`${this.constructor.name}: hiddenSize must be a positive integer, got ${hiddenSize}`);
    const G = GATES[cell] * hiddenSize,
      bound = 1 / Math.sqrt(hiddenSize),
      D = this.directions;
    for (let l = 0; l < this.numLayers; l++) {
      const dirs: LayerParams[] = [];
      const inSize = l === 0 ? inputSize : hiddenSize * D;
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        dirs.push({
          wih: this.registerParameter(`weight_ih${sfx}`, uniformParameter([G, inSize], bound)),
          whh: this.registerParameter(`weight_hh${sfx}`, uniformParameter([G, hiddenSize], bound)),
          bih: this.registerParameter(`bias_ih${sfx}`, options.bias === false ? null : uniformParameter([G], bound)),
          bhh: this.registerParameter(`bias_hh${sfx}`, options.bias === false ? null : uniformParameter([G], bound)),
        });
      }
      this.layers.push(dirs);
    }
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** Runs all layers; states: [numLayers·D, N, H] each (h, and c for LSTM). */
  protected run(input: Tensor, states: (Tensor | undefined)[], options: RNNForwardOptions): [Tensor, Tensor[]] {
    const name = this.constructor.name;
    const unbatched = input.ndim === 2;
    if (input.ndim !== 3 && !unbatched)
      throw new ShapeError(
        `${name}: expected input [L, N, ${this.inputSize}]${this.batchFirst ? ' (batchFirst: [N, L, ...])' : ''} or unbatched [L, ${this.inputSize}], got ${fmtShape(input.shape)}`,
      );
    let x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    if (x.shape[2] !== this.inputSize)
      throw new ShapeError(`${name}: expected input with ${this.inputSize} features, got ${fmtShape(input.shape)}`);
    const [L, N] = x.shape as [number, number];
    const H = this.hiddenSize,
      D = this.directions;
    const stateShape = [this.numLayers * D, N, H];
    const init = states.map((s, i) => {
      if (!s) return zeros(stateShape, { dtype: x.dtype });
      const st = unbatched ? s.unsqueeze(1) : s;
      if (st.ndim !== 3 || st.shape.some((v, k) => v !== stateShape[k])) {
        throw new ShapeError(
          `${name}: expected ${i === 0 ? 'hidden' : 'cell'} state of shape ${fmtShape(unbatched ? [stateShape[0]!, H] : stateShape)}, got ${fmtShape(s.shape)}`,
        );
      }
      return st;
    });
    const masks = optionsArg(name, options).lengths !== undefined ? this.stepMasks(options.lengths!, L, N) : null;
    const finals: Tensor[][] = init.map(() => []);
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const p = this.layers[l]![d]!;
        const start = init.map((s) => s.select(0, l * D + d));
        const [seq, last] = this.direction(x, p, start, d === 1, masks);
        outs.push(seq);
        last.forEach((t, i) => finals[i]!.push(t));
      }
      x = D === 2 ? cat([outs[0]!, outs[1]!], 2) : outs[0]!;
      if (this.dropoutP > 0 && l < this.numLayers - 1) x = dropout(x, this.dropoutP, { training: this.training });
    }
    let output = this.batchFirst && !unbatched ? x.transpose(0, 1) : x;
    if (unbatched) output = output.squeeze(1);
    const last = finals.map((f) => (unbatched ? stack(f, 0).squeeze(1) : stack(f, 0)));
    return [output, last];
  }

  /** For each step t, a bool [N, 1] mask of the sequences still running. */
  private stepMasks(given: Tensor | readonly number[], L: number, N: number): Tensor[] {
    // A plain array of lengths is accepted, as PyTorch accepts a list.
    const lengths = Array.isArray(given) ? tensor(given as number[], { dtype: 'int32' }) : given;
    if (!(lengths instanceof Tensor)) {
      throw new ValueError(
        `${this.constructor.name}: lengths must be an int32 tensor or an array of ${N} integers, got ${show(given)}`,
      );
    }
    if (lengths.dtype !== 'int32' || lengths.ndim !== 1 || lengths.shape[0] !== N) {
      throw new ShapeError(
        `${this.constructor.name}: lengths must be an int32 tensor of shape [${N}], got ${lengths.dtype} ${fmtShape(lengths.shape)}`,
      );
    }
    const bad = (lengths.toArray() as number[]).find((v) => v < 1 || v > L);
    if (bad !== undefined)
      throw new ValueError(`${this.constructor.name}: every length must be in [1, ${L}], got ${bad}`);
    const running = arange(L).unsqueeze(1).lt(lengths.unsqueeze(0)); // [L, N]
    return Array.from({ length: L }, (_, t) => running.select(0, t).unsqueeze(1));
  }

  /** One direction of one layer over the whole sequence: [L, N, H] and the final states. */
  private direction(
    x: Tensor,
    p: LayerParams,
    start: Tensor[],
    reverse: boolean,
    masks: Tensor[] | null,
  ): [Tensor, Tensor[]] {
    const L = x.shape[0]!;
    // All time steps at once: [L, N, G·H], with b_hh folded in so a step is one addmm.
    let xp = linear(x, p.wih, p.bih);
    if (p.bhh && this.cell !== 'gru') xp = xp.add(p.bhh);
    let state = start;
    const outputs = new Array<Tensor>(L);
    for (let k = 0; k < L; k++) {
      const t = reverse ? L - 1 - k : k;
      const next = stepCell(this.cell, this.hiddenSize, xp.select(0, t), state, p);
      const m = masks?.[t];
      if (m) {
        state = next.map((s, i) => where(m, s, state[i]!));
        outputs[t] = where(m, next[0]!, 0);
      } else {
        state = next;
        outputs[t] = next[0]!;
      }
    }
    return [stack(outputs, 0), state];
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}, numLayers=${this.numLayers}${this.bidirectional ? ', bidirectional=true' : ''}${this.batchFirst ? ', batchFirst=true' : ''}`;
  }
}

/** Elman RNN: h' = act(W_ih x + b_ih + W_hh h + b_hh). forward(x, h0?) → [output, hN]. */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu')
      throw new ValueError(`RNN: nonlinearity must be 'tanh' or 'relu', got '${nl as string}'`);
    super(nl, inputSize, hiddenSize, options);
  }

  forward(input: Tensor, h0?: Tensor | null, options: RNNForwardOptions = {}): [Tensor, Tensor] {
    const [out, [h]] = this.run(input, [h0 ?? undefined], options);
    return [out, h!];
  }
}

/** LSTM. forward(x, [h0, c0]?) → [output, [hN, cN]], as PyTorch. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('lstm', inputSize, hiddenSize, options);
  }

  forward(input: Tensor, state?: [Tensor, Tensor] | null, options: RNNForwardOptions = {}): [Tensor, [Tensor, Tensor]] {
    if (state != null && (!Array.isArray(state) || state.length !== 2 || !state.every((t) => t instanceof Tensor))) {
      throw new ValueError(
        `LSTM: the initial state is a pair [h0, c0] of tensors (as PyTorch's (h0, c0)), got ${state instanceof Tensor ? `one tensor of shape ${fmtShape(state.shape)}` : show(state)}`,
      );
    }
    const [out, [h, c]] = this.run(input, [state?.[0], state?.[1]], options);
    return [out, [h!, c!]];
  }
}

/** GRU. forward(x, h0?) → [output, hN]. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('gru', inputSize, hiddenSize, options);
  }

  forward(input: Tensor, h0?: Tensor | null, options: RNNForwardOptions = {}): [Tensor, Tensor] {
    const [out, [h]] = this.run(input, [h0 ?? undefined], options);
    return [out, h!];
  }
}
