/** io: files. safetensors for weights (interchangeable with the Python ecosystem) and whole-run checkpoints. */
export { saveSafetensors, loadSafetensors, serializeSafetensors, parseSafetensors, writeFileAtomic, type Safetensors } from './safetensors.js';
export { saveCheckpoint, loadCheckpoint, type TrainingState } from './checkpoint.js';
export { saveImageGrid, encodeImageGrid, type ImageGridOptions } from './image.js';
