// `axon export MODULE --onnx OUT.onnx`: a model defined in code (a JS/TS module) with its trained
// weights (a safetensors state dict or an Axon checkpoint) written as ONNX, which every other
// command (summary, predict, evaluate, serve) and any ONNX runtime then takes.
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValueError } from './errors.js';
import { loadCheckpoint } from './io/checkpoint.js';
import { loadSafetensors } from './io/safetensors.js';
import { Module } from './nn/module.js';
import { exportModel } from './onnx/export/export.js';
import { randn } from './tensor/create.js';
import { Tensor } from './tensor/tensor.js';

/** Bad command-line input (exit code 2), as opposed to a model that fails (exit code 1). */
export class UsageError extends Error {}

export interface ExportCommandOptions {
  onnx: string;
  weights?: string;
  export: string;
  inputShape?: number[][];
  dynamicBatch?: boolean;
  opset?: number;
}

/**
 * The module file's export `name`: an nn.Module, or a function of no arguments that returns one.
 * Its `exampleInputs` export (a tensor, an array of them, or a function returning either), if any,
 * gives the example inputs when no --input-shape is given.
 */
export async function loadModelModule(file: string, name: string): Promise<{ model: Module; example?: Tensor[] }> {
  if (!existsSync(file)) throw new UsageError(`export: no module file ${file}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (e) {
    const ts = ['.ts', '.mts', '.cts'].includes(extname(file));
    const hint =
      ts && (e as { code?: string }).code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? ' (run axon through tsx, or compile the module to JavaScript)'
        : '';
    throw new ValueError(`export: cannot import ${file}: ${(e as Error).message}${hint}`);
  }
  const found = mod[name];
  if (found === undefined)
    throw new UsageError(`export: ${file} has no export '${name}' (it has: ${Object.keys(mod).join(', ') || 'none'})`);
  const model =
    typeof found === 'function' && !(found.prototype instanceof Module) ? (found as () => unknown)() : found;
  if (!(model instanceof Module))
    throw new ValueError(`export: ${file}'s '${name}' must be an nn.Module or a function returning one`);
  let ex = mod['exampleInputs'];
  if (typeof ex === 'function') ex = (ex as () => unknown)();
  const example =
    ex instanceof Tensor
      ? [ex]
      : Array.isArray(ex) && ex.every((t) => t instanceof Tensor)
        ? (ex as Tensor[])
        : undefined;
  return { model, example };
}

/** Loads a safetensors state dict, or the model part of an Axon checkpoint, into `model`. */
export function loadWeights(model: Module, path: string): void {
  const { tensors, metadata } = loadSafetensors(path);
  if (metadata['axon.checkpoint'] !== undefined) loadCheckpoint(path, { model });
  else model.loadStateDict(tensors);
}

export async function exportCommand(file: string, o: ExportCommandOptions): Promise<string[]> {
  const { model, example } = await loadModelModule(file, o.export);
  if (o.weights) loadWeights(model, o.weights);
  const inputs = o.inputShape?.length ? o.inputShape.map((shape) => randn(shape)) : example;
  if (!inputs)
    throw new UsageError(`export: give --input-shape (e.g. --input-shape 1,784), or export exampleInputs from ${file}`);
  model.eval();
  const inputNames = inputs.map((_, i) => `input_${i}`);
  // The outputs' dims follow from the inputs' (the exporter traces them).
  const dynamicAxes = o.dynamicBatch ? Object.fromEntries(inputNames.map((n) => [n, { 0: 'batch' }])) : undefined;
  exportModel(model, inputs, o.onnx, { inputNames, outputNames: ['output_0'], dynamicAxes, opset: o.opset });
  const params = model.parameters().reduce((n, p) => n + p.numel, 0);
  return [
    `wrote ${o.onnx}: ${model.constructor.name} with ${params} parameters${o.weights ? ` (weights from ${o.weights})` : ' (weights as initialised: no --weights)'}`,
    ...inputs.map(
      (t, i) =>
        `input  ${inputNames[i]} [${o.dynamicBatch ? ['batch', ...t.shape.slice(1)].join(', ') : t.shape.join(', ')}]`,
    ),
  ];
}
