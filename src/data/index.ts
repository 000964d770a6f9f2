/** data: datasets, loaders, splits, file readers and transforms. Functions are guarded (src/guard.ts). */
import { guardAll } from '../guard.js';
import * as indexing from '../ops/indexing.js';
import * as augmentModule from './augment.js';
import * as csv from './csv.js';
import * as dataloader from './dataloader.js';
import * as datasets from './datasets.js';
import * as idx from './idx.js';
import * as split from './split.js';
import * as text from './text.js';
import * as timeseries from './timeseries.js';

export { type Dataset, TensorDataset, Subset } from './dataset.js';
export { DataLoader, type DataLoaderOptions } from './dataloader.js';
export { StandardScaler, MinMaxScaler } from './transforms.js';
export { Vocab, SequenceDataset, type WordVocabOptions } from './text.js';
export type { CsvOptions, CsvData } from './csv.js';
export type { WindowOptions } from './timeseries.js';
export { FASHION_MNIST_DIR, FASHION_MNIST_CLASSES } from './datasets.js';

export const { defaultCollate } = guardAll(dataloader, 'data.');
export const { randomSplit, stratifiedSplit, kFold } = guardAll(split, 'data.');
export const { loadCsv, parseCsv } = guardAll(csv, 'data.');
export const { loadIdx, parseIdx } = guardAll(idx, 'data.');
export const { loadText, tokenizeWords } = guardAll(text, 'data.');
export const { timeSeriesWindows } = guardAll(timeseries, 'data.');
export const { oneHot } = guardAll(indexing, 'data.');
export const { fashionMnist } = guardAll(datasets, 'data.');
export const augment = guardAll(augmentModule, 'data.augment.');
