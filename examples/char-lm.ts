/**
 * Character-level language models on Jane Austen's Pride and Prejudice (data/text): an LSTM, a
 * GRU and a small decoder-only (causal) Transformer, each trained on the first 90 % of the novel
 * and measured on the last 10 % (validation perplexity and bits per character), then asked to
 * continue a prompt.
 *
 *   npx tsx examples/char-lm.ts [--arch lstm|gru|transformer|all] [--epochs 3] [--bf16]
 * (--bf16: products in bfloat16 with float32 accumulation, ax.autocast)
 */
import * as ax from '../src/index.js';
import { dataPath, flag, isMain, timed } from './common.js';

const { nn, data, optim, train } = ax;
type Tensor = ax.Tensor;
export type Arch = 'lstm' | 'gru' | 'transformer';

/** Embedding → one recurrent layer → logits over the vocabulary at every position. */
export class CharRNN extends nn.Module {
  embed: ax.nn.Embedding;
  rnn: ax.nn.LSTM | ax.nn.GRU;
  head: ax.nn.Linear;
  constructor(vocab: number, kind: 'lstm' | 'gru', dim = 64, hidden = 256) {
    super();
    this.embed = new nn.Embedding(vocab, dim);
    this.rnn =
      kind === 'lstm' ? new nn.LSTM(dim, hidden, { batchFirst: true }) : new nn.GRU(dim, hidden, { batchFirst: true });
    this.head = new nn.Linear(hidden, vocab);
  }
  forward(tokens: Tensor): Tensor {
    const [out] = this.rnn.forward(this.embed.forward(tokens));
    return this.head.forward(out);
  }
}

/** A GPT-style decoder: token + learned position embeddings, pre-norm causal self-attention blocks. */
export class CharTransformer extends nn.Module {
  embed: ax.nn.Embedding;
  pos: ax.nn.LearnedPositionalEncoding;
  blocks: ax.nn.TransformerEncoder;
  head: ax.nn.Linear;
  constructor(vocab: number, maxLen: number, dModel = 128, heads = 4, layers = 2, dropout = 0) {
    super();
    this.embed = new nn.Embedding(vocab, dModel);
    this.pos = new nn.LearnedPositionalEncoding(maxLen, dModel, { batchFirst: true });
    const layer = new nn.TransformerEncoderLayer(dModel, heads, {
      dimFeedforward: 4 * dModel,
      dropout,
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

/** Cross-entropy over every position of [N, L, V] logits and [N, L] targets. */
export function sequenceLoss(logits: Tensor, targets: Tensor): Tensor {
  return nn.functional.crossEntropy(logits.reshape(-1, logits.shape.at(-1)!), targets.reshape(-1));
}

export interface SamplingOptions {
  /** Divides the logits: below 1 is more conservative, above 1 more adventurous (default 0.8). */
  temperature?: number;
  /** Sample only among the k most likely tokens. */
  topK?: number;
  /** Nucleus sampling: only among the most likely tokens whose probabilities sum to p. */
  topP?: number;
  generator?: ax.Generator;
}

/** The next token drawn from one step's logits [V] with temperature, top-k and top-p (nucleus). */
export function sampleNext(logits: Tensor, o: SamplingOptions = {}): number {
  let scores = logits.div(o.temperature ?? 0.8);
  if (o.topK !== undefined && o.topK < scores.shape[0]!) {
    // Everything below the k-th largest logit is ruled out.
    const kth = scores.topk(o.topK)[0].select(0, o.topK - 1);
    scores = scores.maskedFill(scores.lt(kth), -Infinity);
  }
  if (o.topP !== undefined && o.topP < 1) {
    // Keep the shortest prefix of the sorted distribution that reaches p (the top token always).
    const [sorted, order] = scores.softmax(0).sort(0, { descending: true });
    const before = sorted.cumsum(0).sub(sorted);
    const dropped = ax.zeros(scores.shape, { dtype: 'bool' }).scatter(0, order, before.ge(o.topP));
    scores = scores.maskedFill(dropped, -Infinity);
  }
  return ax.multinomial(scores.softmax(0), 1, { generator: o.generator }).item();
}

/** Continues `prompt` by sampling one character at a time (see SamplingOptions). */
export function sample(
  model: ax.nn.Module,
  vocab: ax.data.Vocab,
  prompt: string,
  length: number,
  o: { context: number } & SamplingOptions,
): string {
  const generator = o.generator ?? new ax.Generator(0);
  const ids = vocab.encode(prompt).toArray() as number[];
  model.eval();
  ax.noGrad(() => {
    for (let i = 0; i < length; i++) {
      const window = ids.slice(-o.context);
      const logits = model
        .forward(ax.tensor([window], { dtype: 'int32' }))
        .select(1, window.length - 1)
        .select(0, 0);
      ids.push(sampleNext(logits, { ...o, generator }));
    }
  });
  model.train();
  return vocab.decode(ids);
}

export interface CharLmOptions {
  arch: Arch;
  epochs?: number;
  seqLen?: number;
  /** Use only this many characters of the novel (the first part), for quick runs. */
  chars?: number;
  seed?: number;
  /** Peak learning rate of the one-cycle schedule (default: 4e-3 recurrent, 3e-3 Transformer). */
  maxLr?: number;
  /** Default 32 (recurrent) or 16 (Transformer). */
  batchSize?: number;
  /** 'bfloat16': products in bfloat16 with float32 accumulation (ax.autocast, through fit). */
  autocast?: 'bfloat16';
  /** Transformer only: blocks (default 2) and dropout (default 0). */
  layers?: number;
  dropout?: number;
  log?: (s: string) => void;
}

export function runCharLm(o: CharLmOptions) {
  const seqLen = o.seqLen ?? 64,
    epochs = o.epochs ?? 3;
  ax.manualSeed(o.seed ?? 0);
  const text = data.loadText(dataPath('text/prideprejudice.txt')).slice(0, o.chars);
  const vocab = data.Vocab.characters(text);
  const ids = vocab.encode(text);
  const cut = Math.floor(ids.shape[0]! * 0.9);
  const trainSet = new data.SequenceDataset(ids.narrow(0, 0, cut), seqLen);
  const valSet = new data.SequenceDataset(ids.narrow(0, cut, ids.shape[0]! - cut), seqLen);
  // Per-architecture defaults, tuned by a few short runs: the Transformer wants more, smaller steps.
  const isTransformer = o.arch === 'transformer';
  const loader = new data.DataLoader(trainSet, { batchSize: o.batchSize ?? (isTransformer ? 16 : 32), shuffle: true });
  const model =
    o.arch === 'transformer'
      ? new CharTransformer(vocab.size, seqLen, 128, 4, o.layers ?? 2, o.dropout ?? 0)
      : new CharRNN(vocab.size, o.arch);
  const maxLr = o.maxLr ?? (isTransformer ? 3e-3 : 4e-3);
  const opt = new optim.AdamW(model.parameters(), { lr: maxLr, weightDecay: 0.01 });
  const scheduler = new optim.OneCycleLR(opt, {
    maxLr,
    totalSteps: epochs * loader.length,
    pctStart: 0.1,
    cycleMomentum: false,
  });
  const [history, seconds] = timed(() =>
    train.fit(model, loader, {
      epochs,
      optimizer: opt,
      loss: sequenceLoss,
      scheduler,
      schedulerStep: 'batch',
      clipGradNorm: 1,
      validation: new data.DataLoader(valSet, { batchSize: 128 }),
      log: o.log,
      ...(o.autocast ? { autocast: o.autocast } : {}),
    }),
  );
  const valNll = history.epochs.at(-1)!['valLoss']!;
  const charsPerSecond =
    (history.epochs.reduce((s, e) => s + e['samplesPerSecond']!, 0) / history.epochs.length) * seqLen;
  return {
    model,
    vocab,
    seconds,
    charsPerSecond,
    history,
    valPerplexity: train.metrics.perplexity(valNll),
    bitsPerChar: valNll / Math.LN2,
    parameters: model.parameters().reduce((s, p) => s + p.numel, 0),
    sample: (prompt: string, length = 300, options: SamplingOptions = {}) =>
      sample(model, vocab, prompt, length, { context: seqLen, ...options }),
  };
}

if (isMain(import.meta.url)) {
  const archArg = process.argv.includes('--arch') ? process.argv[process.argv.indexOf('--arch') + 1]! : 'all';
  const archs: Arch[] = archArg === 'all' ? ['lstm', 'gru', 'transformer'] : [archArg as Arch];
  const epochs = flag('epochs', 3);
  for (const arch of archs) {
    console.log(`\n== ${arch}: ${epochs} epochs over 90 % of Pride and Prejudice, 64-character windows ==`);
    const bf16 = process.argv.includes('--bf16');
    const r = runCharLm({ arch, epochs, log: console.log, ...(bf16 ? { autocast: 'bfloat16' as const } : {}) });
    console.log(
      `${arch}: ${r.parameters} parameters, validation perplexity ${r.valPerplexity.toFixed(2)} = ${r.bitsPerChar.toFixed(3)} bits/char, ${r.seconds.toFixed(0)} s (${r.charsPerSecond.toFixed(0)} chars/s)`,
    );
    const prompt = 'It is a truth universally acknowledged';
    console.log(`sample (temperature 0.8): ${JSON.stringify(r.sample(prompt, 240))}`);
    console.log(`sample (top-k 5): ${JSON.stringify(r.sample(prompt, 240, { temperature: 1, topK: 5 }))}`);
    console.log(`sample (top-p 0.9): ${JSON.stringify(r.sample(prompt, 240, { temperature: 1, topP: 0.9 }))}`);
  }
}
