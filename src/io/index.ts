/** io: files. safetensors for weights (interchangeable with the Python ecosystem). */
export { saveSafetensors, loadSafetensors, serializeSafetensors, parseSafetensors, writeFileAtomic, type Safetensors } from './safetensors.js';
