import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { AttentionOptions } from '../functional/attention.js';
import { linear, scaledDotProductAttention } from '../functional/index.js';
import { attentionListened, reportAttention } from '../attention-capture.js';
import * as init from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { Linear } from './linear.js';

export interface MultiheadAttentionOptions {
  dropout?: number;
  bias?: boolean;
  /** Inputs [N, L, E] instead of [L, N, E]. */
  batchFirst?: boolean;
}

export interface MultiheadAttentionForwardOptions extends Pick<
  AttentionOptions,
  'attnMask' | 'keyPaddingMask' | 'isCausal'
> {
  /** Return the attention weights (default true, as PyTorch). */
  needWeights?: boolean;
  /** Average the weights over heads ([N, L, S]) or return them per head ([N, heads, L, S]). */
  averageAttnWeights?: boolean;
}

/**
 * nn.MultiheadAttention: packed q/k/v projection `in_proj_weight` [3E, E], `out_proj`, PyTorch's
 * mask conventions. forward(query, key, value) → [output, weights | null].
 */
export class MultiheadAttention extends Module {
  readonly headDim: number;
  readonly in_proj_weight: Parameter;
  readonly in_proj_bias: Parameter | null;
  readonly out_proj: Linear;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    readonly options: MultiheadAttentionOptions = {},
  ) {
    super();
    if (embedDim % numHeads !== 0)
      throw new ValueError(`MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.in_proj_weight = this.registerParameter('in_proj_weight', new Parameter(zeros([3 * embedDim, embedDim])));
    init.xavierUniform(this.in_proj_weight);
    this.in_proj_bias = this.registerParameter(
      'in_proj_bias',
      options.bias === false ? null : new Parameter(zeros([3 * embedDim])),
    );
    this.out_proj = this.registerModule('out_proj', new Linear(embedDim, embedDim, { bias: options.bias !== false }));
    if (this.out_proj.bias) init.zeros(this.out_proj.bias);
  }

  forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    options: MultiheadAttentionForwardOptions = {},
  ): [Tensor, Tensor | null] {
    const E = this.embedDim,
      Hh = this.numHeads,
      hd = this.headDim;
    const unbatched = query.ndim === 2;
    const expectRank = unbatched ? 2 : 3;
    for (const [name, t] of [
      ['query', query],
      ['key', key],
      ['value', value],
    ] as const) {
      if (t.ndim !== expectRank || t.shape[t.ndim - 1] !== E) {
        throw new ShapeError(
          `MultiheadAttention: expected ${name} [${this.options.batchFirst ? 'N, L' : 'L, N'}, ${E}] (or unbatched [L, ${E}]), got ${fmtShape(t.shape)}`,
        );
      }
    }
    // Work in [N, L, E].
    const toBatchFirst = (t: Tensor) => (unbatched ? t.unsqueeze(0) : this.options.batchFirst ? t : t.transpose(0, 1));
    const q0 = toBatchFirst(query),
      k0 = toBatchFirst(key),
      v0 = toBatchFirst(value);
    const [N, L] = q0.shape as [number, number];
    const S = k0.shape[1]!;
    if (v0.shape[1] !== S || k0.shape[0] !== N || v0.shape[0] !== N)
      throw new ShapeError(
        `MultiheadAttention: key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} must share batch and length`,
      );
    const w = this.in_proj_weight,
      b = this.in_proj_bias;
    const proj = (x: Tensor, i: number) => linear(x, w.narrow(0, i * E, E), b ? b.narrow(0, i * E, E) : null);
    const heads = (x: Tensor, len: number) => x.reshape(N, len, Hh, hd).transpose(1, 2); // [N, H, len, hd]
    const q = heads(proj(q0, 0), L),
      k = heads(proj(k0, 1), S),
      v = heads(proj(v0, 2), S);
    const kpm = options.keyPaddingMask && unbatched ? options.keyPaddingMask.unsqueeze(0) : options.keyPaddingMask;
    const [attn, weights] = scaledDotProductAttention(q, k, v, {
      attnMask: options.attnMask,
      keyPaddingMask: kpm,
      isCausal: options.isCausal,
      dropoutP: this.options.dropout ?? 0,
      training: this.training,
    });
    if (attentionListened()) reportAttention(this, unbatched ? weights.squeeze(0).detach() : weights.detach());
    let out = this.out_proj.forward(attn.transpose(1, 2).reshape(N, L, E));
    out = unbatched ? out.squeeze(0) : this.options.batchFirst ? out : out.transpose(0, 1);
    if (options.needWeights === false) return [out, null];
    let wOut = (options.averageAttnWeights ?? true) ? weights.mean(1) : weights;
    if (unbatched) wOut = wOut.squeeze(0);
    return [out, wOut];
  }
}
