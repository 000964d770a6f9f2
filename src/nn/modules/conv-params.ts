// The weight and bias of a convolution layer (2-D, 1-D, transposed, 3-D). Internal: not exported from nn.
import type { Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { defaultBound, uniformParameter } from './linear.js';

/** A convolution's weight and bias, U(±1/√fan_in) as PyTorch initialises them. */
export function convParams(
  m: Module,
  weightShape: number[],
  fanIn: number,
  outChannels: number,
  bias: boolean,
): [Parameter, Parameter | null] {
  const bound = defaultBound(fanIn);
  return [
    m.registerParameter('weight', uniformParameter(weightShape, bound)),
    m.registerParameter('bias', bias ? uniformParameter([outChannels], bound) : null),
  ];
}
