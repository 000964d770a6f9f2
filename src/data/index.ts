/** data: datasets, loaders, splits, file readers and transforms. */
export { type Dataset, TensorDataset, Subset } from './dataset.js';
export { DataLoader, defaultCollate, type DataLoaderOptions } from './dataloader.js';
export { randomSplit, stratifiedSplit, kFold } from './split.js';
export { loadCsv, parseCsv, type CsvOptions, type CsvData } from './csv.js';
export { loadIdx, parseIdx } from './idx.js';
export { StandardScaler, MinMaxScaler } from './transforms.js';
export { loadText, Vocab, SequenceDataset, tokenizeWords, type WordVocabOptions } from './text.js';
export { timeSeriesWindows, type WindowOptions } from './timeseries.js';
export * as augment from './augment.js';
export { oneHot } from '../ops/indexing.js';
export { fashionMnist, FASHION_MNIST_DIR, FASHION_MNIST_CLASSES } from './datasets.js';
