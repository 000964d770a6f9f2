import type { Tensor } from '../tensor/tensor.js';
import { isGradEnabled } from './grad-mode.js';
import { type BackwardFn, Node } from './node.js';

/**
 * Attaches an op's backward rule to its freshly computed output when grad mode is on and an input
 * requires a gradient; otherwise returns the output untouched (no graph, no closure kept).
 * `saved` lists the tensors the rule reads, so in-place changes to them are caught.
 */
export function record(
  name: string,
  out: Tensor,
  inputs: readonly Tensor[],
  backward: BackwardFn,
  saved: readonly Tensor[] = [],
): Tensor {
  if (!isGradEnabled()) return out;
  let any = false;
  for (const t of inputs)
    if (t.requiresGrad) {
      any = true;
      break;
    }
  if (!any) return out;
  const edges = inputs.map((t) => (t.requiresGrad ? (t.gradFn ?? t) : null));
  out.gradFn = new Node(name, edges, backward, saved);
  out.requiresGrad = true;
  return out;
}

/**
 * record() for rules written outside the library (`ax.recordOp`): the same, with the node marked so
 * that the autograd engine never recycles a gradient such a rule has seen.
 */
export function recordCustom(...args: Parameters<typeof record>): Tensor {
  const result = record(...args);
  if (result.gradFn) result.gradFn.foreign = true;
  return result;
}
