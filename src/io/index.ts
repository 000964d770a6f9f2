/** io: files. safetensors for weights (interchangeable with the Python ecosystem) and whole-run checkpoints. */
export { saveSafetensors, loadSafetensors, serializeSafetensors, parseSafetensors, type Safetensors } from './safetensors.js';
export { readFileFor, writeFileAtomic } from './files.js';
export { saveCheckpoint, loadCheckpoint, type TrainingState } from './checkpoint.js';
export { saveImageGrid, encodeImageGrid, type ImageGridOptions } from './image.js';
