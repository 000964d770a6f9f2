// Attention weights per head, from every MultiheadAttention a model runs (also inside Transformer
// layers, which compute them without returning them).
import { ValueError } from '../errors.js';
import { listenToAttention } from '../nn/attention-capture.js';
import { Module } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';

export interface AttentionRecord {
  /** The attention module's name in the model ('encoder.layers.0.self_attn'), or '' for the model itself. */
  name: string;
  /** [N, heads, L, S] (or [heads, L, S] for unbatched inputs), after softmax and any dropout. */
  weights: Tensor;
}

/**
 * Runs `run()` and returns its result with the attention weights of each MultiheadAttention of
 * `model` it ran, in call order (a module called twice appears twice).
 */
export function attentionWeights<T>(model: Module, run: () => T): { output: T; attention: AttentionRecord[] } {
  if (!(model instanceof Module)) throw new ValueError('explain.attentionWeights: model must be a Module');
  if (typeof run !== 'function') throw new ValueError('explain.attentionWeights: run must be a function');
  const names = new Map<Module, string>();
  for (const [name, m] of model.namedModules()) names.set(m, name);
  const attention: AttentionRecord[] = [];
  const stop = listenToAttention((m, weights) => {
    const name = names.get(m);
    if (name !== undefined) attention.push({ name, weights });
  });
  try {
    return { output: run(), attention };
  } finally {
    stop();
  }
}
