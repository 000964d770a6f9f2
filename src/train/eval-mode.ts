import { noGrad } from '../autograd/grad-mode.js';
import { isIterable, show } from '../check.js';
import { ValueError } from '../errors.js';
import { Module } from '../nn/module.js';

/** The model argument of fit, evaluate, predict and measureLatency: an nn.Module. */
export function checkModel(op: string, model: unknown): Module {
  if (!(model instanceof Module)) throw new ValueError(`${op}: model must be an nn.Module, got ${show(model)}`);
  return model;
}

/** A loader argument: anything iterable (a DataLoader, an array of batches). */
export function checkIterable(op: string, name: string, v: unknown): void {
  if (!isIterable(v)) {
    throw new ValueError(`${op}: ${name} must be iterable (a DataLoader or an array of batches), got ${show(v)}`);
  }
}

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
