// The gradient methods: saliency and input × gradient (Captum's Saliency and InputXGradient).
import { optionsArg } from '../check.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Forward, type TargetOptions, checkInputs, gradientsOf, targetIndices } from './target.js';

export interface SaliencyOptions extends TargetOptions {
  /** Return |∂y/∂x| (default, as Captum) or the signed gradient. */
  abs?: boolean;
}

/** ∂y/∂x of the chosen output y for every input element, in absolute value by default. Same shape as the inputs. */
export function saliency(model: Forward, inputs: Tensor, options: SaliencyOptions = {}): Tensor {
  optionsArg('explain.saliency', options);
  const x = checkInputs('explain.saliency', inputs);
  const { grads } = gradientsOf(
    'explain.saliency',
    model,
    x,
    targetIndices('explain.saliency', options.target, x.shape[0]!),
  );
  return options.abs === false ? grads : grads.abs();
}

/** x · ∂y/∂x, element by element: the first-order share of each input in the output. */
export function inputXGradient(model: Forward, inputs: Tensor, options: TargetOptions = {}): Tensor {
  optionsArg('explain.inputXGradient', options);
  const x = checkInputs('explain.inputXGradient', inputs);
  const targets = targetIndices('explain.inputXGradient', options.target, x.shape[0]!);
  return gradientsOf('explain.inputXGradient', model, x, targets).grads.mul(x.detach());
}
