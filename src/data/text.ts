import { tensorArg } from '../check.js';
import { FormatError, IndexError, ValueError } from '../errors.js';
import { readFileFor } from '../io/files.js';
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Dataset } from './dataset.js';

/** Reads a UTF-8 text file; invalid UTF-8 is a FormatError naming the byte offset. */
export function loadText(path: string): string {
  const bytes = readFileFor('loadText', path);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new FormatError(`loadText: ${path} is not valid UTF-8 (first bad byte at offset ${bad})`);
  }
}

function firstInvalidUtf8(b: Uint8Array): number {
  // The longest prefix that decodes (streaming, so a prefix may end inside a character), by bisection.
  let lo = 0, hi = b.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try { new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, mid), { stream: true }); lo = mid; } catch { hi = mid; }
  }
  return lo;
}

export interface WordVocabOptions {
  /** Tokens seen fewer times become `<unk>` (default 1: keep all). */
  minFreq?: number;
  /** Keep at most this many tokens (most frequent first, `<unk>` included). */
  maxSize?: number;
  lowercase?: boolean;
}

/**
 * A vocabulary: tokens ↔ integer ids. `Vocab.characters(text)` makes one token per distinct
 * character; `Vocab.words(text)` splits into words and punctuation. Ids are ordered by
 * frequency (ties by first appearance), so the result is the same for the same text.
 */
export class Vocab {
  private readonly index: Map<string, number>;

  private constructor(readonly tokens: readonly string[], readonly level: 'char' | 'word', readonly unk: number | null, readonly lowercase: boolean) {
    if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) throw new ValueError('Vocab: build one with Vocab.characters(text) or Vocab.words(text)');
    this.index = new Map(tokens.map((t, i) => [t, i]));
  }

  static characters(text: string): Vocab {
    if (text.length === 0) throw new ValueError('Vocab.characters: the text is empty');
    return new Vocab(byFrequency(countTokens(Array.from(text))), 'char', null, false);
  }

  static words(text: string, o: WordVocabOptions = {}): Vocab {
    const lowercase = o.lowercase ?? false;
    const tokens = tokenizeWords(lowercase ? text.toLowerCase() : text);
    if (tokens.length === 0) throw new ValueError('Vocab.words: the text has no words');
    const minFreq = o.minFreq ?? 1;
    const counts = countTokens(tokens);
    let kept = byFrequency(counts).filter((t) => counts.get(t)! >= minFreq);
    if (o.maxSize !== undefined) {
      if (!Number.isInteger(o.maxSize) || o.maxSize < 2) throw new ValueError(`Vocab.words: maxSize must be an integer ≥ 2, got ${o.maxSize}`);
      kept = kept.slice(0, o.maxSize - 1);
    }
    return new Vocab(['<unk>', ...kept], 'word', 0, lowercase);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The tokens of `text` at this vocabulary's level. */
  tokenize(text: string): string[] {
    if (this.level === 'char') return Array.from(text);
    return tokenizeWords(this.lowercase ? text.toLowerCase() : text);
  }

  /** Ids of `text` as an int32 tensor; unknown characters are an error, unknown words `<unk>`. */
  encode(text: string): Tensor {
    const tokens = this.tokenize(text);
    const ids = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const id = this.index.get(tokens[i]!) ?? this.unk;
      if (id === null) throw new ValueError(`Vocab.encode: character ${JSON.stringify(tokens[i])} at position ${i} is not in the vocabulary`);
      ids[i] = id;
    }
    return fromTypedArray(ids);
  }

  /** Text of a sequence of ids (words joined by spaces). */
  decode(ids: Tensor | readonly number[]): string {
    const list = Array.isArray(ids) ? ids : ((ids as Tensor).toArray() as number[]).flat(Infinity as 1) as number[];
    const parts = list.map((id) => {
      const t = this.tokens[id];
      if (t === undefined) throw new IndexError(`Vocab.decode: id ${id} is out of range for a vocabulary of ${this.size}`);
      return t;
    });
    return parts.join(this.level === 'char' ? '' : ' ');
  }

  /** The id of one token. */
  id(token: string): number {
    const id = this.index.get(token) ?? this.unk;
    if (id === null) throw new ValueError(`Vocab.id: ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  }
}

/** Words (letters, digits, apostrophes inside words) and single punctuation marks. */
export function tokenizeWords(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+(?:'[\p{L}]+)*|[^\s\p{L}\p{N}]/gu) ?? [];
}

/** How often each token occurs, keyed in order of first appearance. */
function countTokens(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/** Tokens, most frequent first; a stable sort keeps first appearance for ties. */
function byFrequency(counts: ReadonlyMap<string, number>): string[] {
  return [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)!);
}

/**
 * Language-modelling samples from one long id sequence: item i is the window
 * ids[i·stride … i·stride+seqLen) and the same window shifted by one (the next-token targets).
 */
export class SequenceDataset implements Dataset<Tensor[]> {
  readonly length: number;
  private readonly src: Int32Array;

  constructor(readonly ids: Tensor, readonly seqLen: number, readonly stride = seqLen) {
    tensorArg('SequenceDataset', 'ids', ids);
    if (ids.ndim !== 1 || ids.dtype !== 'int32') throw new ValueError(`SequenceDataset: expected a 1-D int32 tensor of ids, got ${ids.dtype} of shape [${ids.shape.join(', ')}]`);
    if (!Number.isInteger(seqLen) || seqLen < 1) throw new ValueError(`SequenceDataset: seqLen must be a positive integer, got ${seqLen}`);
    if (!Number.isInteger(stride) || stride < 1) throw new ValueError(`SequenceDataset: stride must be a positive integer, got ${stride}`);
    const n = ids.shape[0]!;
    this.length = n > seqLen ? Math.floor((n - seqLen - 1) / stride) + 1 : 0;
    if (this.length === 0) throw new ValueError(`SequenceDataset: ${n} ids are too few for one window of ${seqLen} plus a target`);
    this.src = ids.contiguous().toTypedArray() as Int32Array;
  }

  get(i: number): Tensor[] {
    return this.getBatch([i]).map((t) => t.select(0, 0));
  }

  /** [inputs, targets], both [batch, seqLen] int32. */
  getBatch(indices: readonly number[]): Tensor[] {
    const src = this.src, L = this.seqLen;
    const x = new Int32Array(indices.length * L), y = new Int32Array(indices.length * L);
    indices.forEach((i, b) => {
      if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new IndexError(`SequenceDataset: index ${i} is out of range for ${this.length} window(s)`);
      const s = i * this.stride;
      x.set(src.subarray(s, s + L), b * L);
      y.set(src.subarray(s + 1, s + L + 1), b * L);
    });
    return [fromTypedArray(x, [indices.length, L]), fromTypedArray(y, [indices.length, L])];
  }
}
