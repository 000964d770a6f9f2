/**
 * One model per classic architecture, written as a PyTorch user would. The README shows them;
 * test/examples.models.test.ts runs each forward and backward so the documentation stays true.
 */
import * as ax from '../src/index.js';

const { nn } = ax;
type Tensor = ax.Tensor;

/** Feed-forward network: 64 inputs → 10 classes. */
export const ffn = () =>
  new nn.Sequential(
    new nn.Linear(64, 128),
    new nn.ReLU(),
    new nn.Dropout(0.2),
    new nn.Linear(128, 64),
    new nn.ReLU(),
    new nn.Linear(64, 10),
  );

/** CNN (LeNet-style) for 1×28×28 images. */
export const cnn = () =>
  new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5),
    new nn.BatchNorm2d(16),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(16 * 5 * 5, 120),
    new nn.ReLU(),
    new nn.Linear(120, 10),
  );

/** LSTM sequence classifier / character model: tokens [N, L] → logits [N, L, vocab]. */
export class CharLSTM extends nn.Module {
  embed: ax.nn.Embedding;
  lstm: ax.nn.LSTM;
  head: ax.nn.Linear;
  constructor(vocab: number, dim = 32, hidden = 64) {
    super();
    this.embed = new nn.Embedding(vocab, dim);
    this.lstm = new nn.LSTM(dim, hidden, { numLayers: 2, batchFirst: true, dropout: 0.1 });
    this.head = new nn.Linear(hidden, vocab);
  }
  forward(tokens: Tensor): Tensor {
    const [out] = this.lstm.forward(this.embed.forward(tokens));
    return this.head.forward(out);
  }
}

/** Decoder-only (causal) Transformer language model: tokens [N, L] → logits [N, L, vocab]. */
export class TinyGPT extends nn.Module {
  embed: ax.nn.Embedding;
  pos: ax.nn.SinusoidalPositionalEncoding;
  blocks: ax.nn.TransformerEncoder;
  head: ax.nn.Linear;
  constructor(vocab: number, dModel = 32, heads = 4, layers = 2) {
    super();
    this.embed = new nn.Embedding(vocab, dModel);
    this.pos = new nn.SinusoidalPositionalEncoding(dModel, { maxLen: 256, dropout: 0.1 });
    const layer = new nn.TransformerEncoderLayer(dModel, heads, {
      dimFeedforward: 4 * dModel,
      batchFirst: true,
      normFirst: true,
      activation: 'gelu',
    });
    this.blocks = new nn.TransformerEncoder(layer, layers, { norm: new nn.LayerNorm(dModel) });
    this.head = new nn.Linear(dModel, vocab);
  }
  forward(tokens: Tensor): Tensor {
    return this.head.forward(this.blocks.forward(this.pos.forward(this.embed.forward(tokens)), { isCausal: true }));
  }
}

/** Autoencoder: 30 features squeezed through 4 and rebuilt; the reconstruction error flags anomalies. */
export class Autoencoder extends nn.Module {
  encoder = new nn.Sequential(new nn.Linear(30, 16), new nn.ReLU(), new nn.Linear(16, 4));
  decoder = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 30));
  forward(x: Tensor): Tensor {
    return this.decoder.forward(this.encoder.forward(x));
  }
}

/** GAN pair for 8×8 images: the generator maps noise [N, 16] to images, the discriminator scores them. */
export const generator = () =>
  new nn.Sequential(
    new nn.Linear(16, 64),
    new nn.LeakyReLU(0.2),
    new nn.Linear(64, 64),
    new nn.Sigmoid(),
    new nn.Unflatten(1, [1, 8, 8]),
  );
export const discriminator = () =>
  new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(64, 64),
    new nn.LeakyReLU(0.2),
    new nn.Dropout(0.3),
    new nn.Linear(64, 1),
  );
