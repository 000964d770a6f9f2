// ONNX interoperability: load ONNX models as trainable Axon modules.
import { guardAll } from '../guard.js';
import * as exporting from './export/export.js';
import * as loading from './load.js';

export { OnnxModule, type OnnxModelInfo } from './module.js';
export { StringTensor, Sequence, type Value } from './value.js';
export type { LoadOptions } from './load.js';
export type { ValueInfo } from './graph.js';
export type { ExportOptions } from './export/export.js';
export { supportedOps } from './ops/registry.js';
export const { load } = guardAll(loading, 'onnx.');
const { exportModel } = guardAll(exporting, 'onnx.');
/** `ax.onnx.export(model, exampleInputs, path?, options?)`: see src/onnx/export/export.ts. */
export { exportModel as export };
