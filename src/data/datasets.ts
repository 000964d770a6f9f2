import { FormatError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadIdx } from './idx.js';
import { platform } from '../platform/platform.js';

/** Where Debian's `dataset-fashion-mnist` package puts the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/**
 * Fashion-MNIST (Zalando Research, MIT): images [N, 1, 28, 28] float32 in [0, 1] and labels [N]
 * int32, read from `dir`, else $AXON_FASHION_MNIST, else Debian's package directory. Nothing is
 * downloaded: install the data with `apt-get install dataset-fashion-mnist`.
 */
export function fashionMnist(split: 'train' | 'test', o: { dir?: string } = {}): { images: Tensor; labels: Tensor } {
  const dir = o.dir ?? platform().env('AXON_FASHION_MNIST') ?? FASHION_MNIST_DIR;
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagesPath = platform().join(dir, `${prefix}-images-idx3-ubyte.gz`), labelsPath = platform().join(dir, `${prefix}-labels-idx1-ubyte.gz`);
  for (const p of [imagesPath, labelsPath]) {
    if (!platform().exists(p)) throw new FormatError(`fashionMnist: ${p} not found; install Debian's package (apt-get install dataset-fashion-mnist) or set AXON_FASHION_MNIST to a directory holding the four .gz files`);
  }
  const images = loadIdx(imagesPath, { scale: 1 / 255 });
  const labels = loadIdx(labelsPath);
  if (images.ndim !== 3 || labels.ndim !== 1 || images.shape[0] !== labels.shape[0]) {
    throw new FormatError(`fashionMnist: ${dir} holds images [${images.shape.join(', ')}] and labels [${labels.shape.join(', ')}]; expected [N, 28, 28] and [N]`);
  }
  return { images: images.unsqueeze(1), labels };
}
