import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ax from '../src/index.js';

// The public API, name by name. The package entry exports only what is listed here: adding a name
// is a decision (add it below in the same change), and internals (kernel helpers, validation
// helpers, backend views) cannot leak out by an `export *`.

const SURFACE: Record<string, string[]> = {
  ax: ['AutogradError', 'AxonError', 'BackendError', 'DTypeError', 'FormatError', 'Generator', 'IOError', 'IndexError', 'ShapeError', 'Storage', 'Tensor', 'ValueError', 'abs', 'add', 'addmm', 'arange', 'argmax', 'argmin', 'backendInfo', 'broadcastShapes', 'cat', 'ceil', 'chunk', 'clamp', 'clone', 'contiguous', 'cos', 'data', 'defaultGenerator', 'detach', 'div', 'elu', 'enableGrad', 'eq', 'erf', 'exp', 'expand', 'eye', 'flatten', 'flip', 'floor', 'fromTypedArray', 'full', 'fullLike', 'gather', 'ge', 'gelu', 'getBackend', 'grad', 'gradcheck', 'gradgradcheck', 'gt', 'indexSelect', 'io', 'isGradEnabled', 'isnan', 'le', 'leakyRelu', 'linspace', 'listBackends', 'log', 'log1p', 'logSoftmax', 'logicalAnd', 'logicalNot', 'logicalOr', 'logicalXor', 'logsumexp', 'lstmCell', 'lt', 'manualSeed', 'maskedFill', 'matmul', 'max', 'maximum', 'mean', 'min', 'minimum', 'mul', 'narrow', 'ne', 'neg', 'nn', 'noGrad', 'norm', 'oneHot', 'ones', 'onesLike', 'optim', 'pad', 'permute', 'pow', 'prod', 'promoteTypes', 'rand', 'randLike', 'randint', 'randn', 'randnLike', 'randperm', 'reciprocal', 'recordOp', 'registerBackend', 'relu', 'repeat', 'reshape', 'round', 'rsqrt', 'rsub', 'scatter', 'scatterAdd', 'select', 'selu', 'setBackend', 'setGradEnabled', 'setNumThreads', 'sigmoid', 'sign', 'silu', 'sin', 'slice', 'sliceScatter', 'softmax', 'softplus', 'split', 'sqrt', 'square', 'squeeze', 'stack', 'std', 'sub', 'sum', 't', 'tanh', 'tensor', 'to', 'train', 'transpose', 'tril', 'triu', 'unflatten', 'unsqueeze', 'var', 'view', 'where', 'zeros', 'zerosLike'],
  nn: ['AdaptiveAvgPool1d', 'AdaptiveAvgPool2d', 'AvgPool1d', 'AvgPool2d', 'BCELoss', 'BCEWithLogitsLoss', 'BatchNorm1d', 'BatchNorm2d', 'Bilinear', 'Conv1d', 'Conv2d', 'ConvTranspose1d', 'ConvTranspose2d', 'CosineEmbeddingLoss', 'CrossEntropyLoss', 'Dropout', 'Dropout2d', 'ELU', 'Embedding', 'Flatten', 'GELU', 'GRU', 'GroupNorm', 'HingeEmbeddingLoss', 'HuberLoss', 'Identity', 'KLDivLoss', 'L1Loss', 'LSTM', 'LayerNorm', 'LeakyReLU', 'LearnedPositionalEncoding', 'Linear', 'LogSoftmax', 'MSELoss', 'MaxPool1d', 'MaxPool2d', 'Module', 'ModuleDict', 'ModuleList', 'MultiMarginLoss', 'MultiheadAttention', 'NLLLoss', 'Parameter', 'Perceptron', 'RNN', 'ReLU', 'SELU', 'Sequential', 'SiLU', 'Sigmoid', 'SinusoidalPositionalEncoding', 'SmoothL1Loss', 'Softmax', 'Softplus', 'Swish', 'Tanh', 'Transformer', 'TransformerDecoder', 'TransformerDecoderLayer', 'TransformerEncoder', 'TransformerEncoderLayer', 'Unflatten', 'functional', 'init', 'summary'],
  functional: ['adaptiveAvgPool1d', 'adaptiveAvgPool2d', 'avgPool1d', 'avgPool2d', 'batchNorm', 'bilinear', 'binaryCrossEntropy', 'binaryCrossEntropyWithLogits', 'causalMask', 'conv1d', 'conv2d', 'convTranspose1d', 'convTranspose2d', 'cosineEmbeddingLoss', 'crossEntropy', 'dropout', 'dropout2d', 'elu', 'embedding', 'gelu', 'groupNorm', 'hingeEmbeddingLoss', 'huberLoss', 'klDiv', 'l1Loss', 'layerNorm', 'leakyRelu', 'linear', 'logSoftmax', 'maxPool1d', 'maxPool2d', 'mseLoss', 'multiMarginLoss', 'nllLoss', 'oneHot', 'pad', 'relu', 'scaledDotProductAttention', 'selu', 'sigmoid', 'silu', 'smoothL1Loss', 'softmax', 'softplus', 'tanh'],
  optim: ['Adagrad', 'Adam', 'AdamW', 'CosineAnnealingLR', 'CosineAnnealingWarmRestarts', 'ExponentialLR', 'LRScheduler', 'LinearLR', 'MultiStepLR', 'OneCycleLR', 'Optimizer', 'RMSprop', 'ReduceLROnPlateau', 'SGD', 'SequentialLR', 'StepLR', 'clipGradNorm', 'clipGradValue', 'l1Penalty', 'l2Penalty'],
  data: ['DataLoader', 'FASHION_MNIST_CLASSES', 'FASHION_MNIST_DIR', 'MinMaxScaler', 'SequenceDataset', 'StandardScaler', 'Subset', 'TensorDataset', 'Vocab', 'augment', 'defaultCollate', 'fashionMnist', 'kFold', 'loadCsv', 'loadIdx', 'loadText', 'oneHot', 'parseCsv', 'parseIdx', 'randomSplit', 'stratifiedSplit', 'timeSeriesWindows', 'tokenizeWords'],
  io: ['encodeImageGrid', 'loadCheckpoint', 'loadSafetensors', 'parseSafetensors', 'readFileFor', 'saveCheckpoint', 'saveImageGrid', 'saveSafetensors', 'serializeSafetensors', 'writeFileAtomic'],
  train: ['BackupAndRestore', 'EarlyStopping', 'MetricsLogger', 'ModelCheckpoint', 'evaluate', 'fit', 'measureLatency', 'metrics', 'percentile', 'predict'],
  metrics: ['accuracy', 'confusionMatrix', 'mae', 'perplexity', 'precisionRecallF1', 'r2', 'rmse', 'rocAuc', 'topKAccuracy'],
  augment: ['compose', 'gaussianNoise', 'randomAffine', 'randomCrop', 'randomHorizontalFlip'],
};

const namespaces: Record<string, object> = {
  ax, nn: ax.nn, functional: ax.nn.functional, optim: ax.optim, data: ax.data, io: ax.io, train: ax.train,
  metrics: ax.train.metrics, augment: ax.data.augment,
};

test('the public API is exactly the listed names', () => {
  for (const [name, ns] of Object.entries(namespaces)) {
    assert.deepEqual(Object.keys(ns).sort(), [...SURFACE[name]!].sort(), `ax namespace '${name}'`);
  }
});
