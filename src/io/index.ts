/** io: files. safetensors for weights (interchangeable with the Python ecosystem) and whole-run checkpoints. Functions are guarded (src/guard.ts). */
import { guardAll } from '../guard.js';
import * as checkpoint from './checkpoint.js';
import * as files from './files.js';
import * as image from './image.js';
import * as npy from './npy.js';
import * as barChart from './plot/bar-chart.js';
import * as lineChart from './plot/line-chart.js';
import * as heatmap from './plot/heatmap.js';
import * as safetensors from './safetensors.js';

export type { Safetensors } from './safetensors.js';
export type { TrainingState } from './checkpoint.js';
export type { ImageGridOptions } from './image.js';
export type { HeatmapOptions } from './plot/heatmap.js';
export type { BarChartOptions } from './plot/bar-chart.js';
export type { LineChartOptions, LineSeries } from './plot/line-chart.js';

export const { saveSafetensors, loadSafetensors, serializeSafetensors, parseSafetensors } = guardAll(
  safetensors,
  'io.',
);
export const { readFileFor, writeFileAtomic } = guardAll(files, 'io.');
export const { saveCheckpoint, loadCheckpoint } = guardAll(checkpoint, 'io.');
export const { saveImageGrid, encodeImageGrid } = guardAll(image, 'io.');
export const { parseNpy, loadNpy } = guardAll(npy, 'io.');
export const { saveHeatmap, encodeHeatmap } = guardAll(heatmap, 'io.');
export const { saveBarChart, encodeBarChart } = guardAll(barChart, 'io.');
export const { saveLineChart, encodeLineChart } = guardAll(lineChart, 'io.');
