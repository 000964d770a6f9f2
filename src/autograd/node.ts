import { AutogradError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Computes the gradients of an op's inputs from the gradient of its output. `needs[i]` tells
 * whether input i wants a gradient, so work for the others can be skipped (return null there).
 * It is written with ops, so with createGraph it is itself differentiable.
 */
/** What a backward rule is told besides the gradient: whether the pass is itself being recorded. */
export interface BackwardContext {
  /** True under backward({ createGraph: true }) / grad(…, { createGraph }): build with recorded ops. */
  readonly createGraph: boolean;
}

/**
 * A backward rule: the gradient of the output → one gradient per input (null where `needs` says
 * the input needs none). Rules read their context from `ctx`, never from global grad mode.
 */
export type BackwardFn = (
  grad: Tensor,
  needs: readonly boolean[],
  ctx: BackwardContext,
) => (Tensor | PartialGrad | null)[];

/**
 * A gradient that is zero except in one region (the gradient of a slice of a larger tensor).
 * The engine adds it in place into the gradient it is accumulating, so the gradients of many
 * slices of one tensor (an RNN's time steps) cost the size of the slices rather than a full
 * tensor each. Only returned when the backward pass is not itself recorded.
 */
export interface PartialGrad {
  readonly partial: true;
  /** A fresh dense tensor holding the gradient. */
  materialize(): Tensor;
  /** Adds the gradient into `dense` (a contiguous tensor of the full shape) in place. */
  addInto(dense: Tensor): void;
}

export function isPartial(g: Tensor | PartialGrad): g is PartialGrad {
  return (g as PartialGrad).partial === true;
}

/**
 * Where an input's gradient goes: the node that produced it, the leaf tensor that accumulates it,
 * or null when the input does not need a gradient.
 */
export type Edge = Node | Tensor | null;

/** One recorded operation in the dynamic graph. Every op has exactly one output. */
export class Node {
  /** The output tensor, kept only when retainGrad() asked for its gradient. */
  retained: Tensor | null = null;
  /**
   * A rule from outside the library (ax.recordOp): it may keep the gradients it is given or
   * returns, so the engine never recycles their memory.
   */
  foreign = false;
  private savedVersions: number[];

  constructor(
    readonly name: string,
    readonly edges: readonly Edge[],
    private backwardFn: BackwardFn | null,
    private saved: readonly Tensor[],
  ) {
    this.savedVersions = saved.map((t) => t.version);
  }

  get released(): boolean {
    return this.backwardFn === null;
  }

  apply(grad: Tensor, ctx: BackwardContext): (Tensor | PartialGrad | null)[] {
    if (this.backwardFn === null) {
      throw new AutogradError(
        `backward: trying to backward through the graph a second time (op '${this.name}'): its saved values were freed by the first backward(). ` +
          'Pass { retainGraph: true } to the first backward() to keep them.',
      );
    }
    this.saved.forEach((t, i) => {
      if (t.version !== this.savedVersions[i]) {
        throw new AutogradError(
          `backward: a tensor of shape [${t.shape.join(', ')}] saved by op '${this.name}' was modified in place after it was saved ` +
            `(version ${this.savedVersions[i]} then, ${t.version} now); gradients would be wrong. Use an out-of-place op, or clone() first`,
        );
      }
    });
    const needs = this.edges.map((e) => e !== null);
    return this.backwardFn(grad, needs, ctx);
  }

  /** Frees what backward needed (the saved tensors live in the closure). */
  release(): void {
    this.backwardFn = null;
    this.saved = [];
  }
}
