import { noGrad } from '../autograd/grad-mode.js';
import type { Module } from '../nn/module.js';

/** Runs `fn` with the model in eval mode and no graph recorded, then restores the model's mode. */
export function inEvalMode<T>(model: Module, fn: () => T): T {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    model.train(wasTraining);
  }
}
