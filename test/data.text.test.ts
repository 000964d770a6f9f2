import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';

const { data } = ax;
const austen = fileURLToPath(new URL('../data/text/prideprejudice.txt', import.meta.url));

test('character vocabulary of a real novel round-trips text and feeds a language-model dataset', () => {
  const text = data.loadText(austen);
  assert.ok(text.startsWith('PRIDE AND PREJUDICE'));
  const vocab = data.Vocab.characters(text);
  assert.ok(vocab.size > 60 && vocab.size < 100, `vocabulary of ${vocab.size} characters`);
  assert.equal(vocab.tokens[0], ' ', 'the most frequent character comes first');
  const ids = vocab.encode(text);
  assert.equal(ids.shape[0], text.length);
  assert.equal(vocab.decode(ids.narrow(0, 0, 200)), text.slice(0, 200));
  const ds = new data.SequenceDataset(ids, 64);
  assert.equal(ds.length, Math.floor((text.length - 65) / 64) + 1);
  const [x, y] = ds.getBatch([0, 3]);
  assert.deepEqual(x!.shape, [2, 64]);
  assert.equal(vocab.decode(x!.select(0, 1)), text.slice(192, 256));
  assert.equal(vocab.decode(y!.select(0, 1)), text.slice(193, 257), 'targets are the inputs shifted by one');
  const loader = new data.DataLoader(ds, { batchSize: 16, shuffle: true, generator: new ax.Generator(0) });
  const [bx] = loader[Symbol.iterator]().next().value as ax.Tensor[];
  assert.deepEqual(bx!.shape, [16, 64]);
  assert.throws(() => vocab.encode('naïve ☃'), /character "ï" at position 2 is not in the vocabulary/);
});

test('word vocabulary: frequency order, <unk>, minFreq, maxSize, lowercase', () => {
  const text = "The cat sat. The cat's hat! A dog sat; the end.";
  assert.deepEqual(data.tokenizeWords("Mr. Darcy's hat, isn't it?"), [
    'Mr',
    '.',
    "Darcy's",
    'hat',
    ',',
    "isn't",
    'it',
    '?',
  ]);
  const v = data.Vocab.words(text, { lowercase: true });
  assert.equal(v.tokens[0], '<unk>');
  assert.equal(v.tokens[1], 'the');
  assert.equal(v.decode(v.encode('the cat sat')), 'the cat sat');
  assert.equal(v.decode(v.encode('the zebra')), 'the <unk>');
  const small = data.Vocab.words(text, { lowercase: true, minFreq: 2 });
  assert.deepEqual([...small.tokens], ['<unk>', 'the', 'sat', '.']);
  assert.equal(data.Vocab.words(text, { maxSize: 3 }).size, 3);
  const words = data.Vocab.words(data.loadText(austen), { lowercase: true, minFreq: 3 });
  assert.ok(words.size > 3000 && words.id('elizabeth') > 0);
  assert.throws(() => data.Vocab.words('  '), /has no words/);
  assert.throws(() => data.Vocab.words(text, { maxSize: 1 }), /maxSize must be an integer ≥ 2/);
  assert.throws(() => v.decode([999]), /id 999 is out of range for a vocabulary of/);
});

test('loadText and SequenceDataset reject bad input clearly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-text-'));
  const bad = join(dir, 'bad.txt');
  writeFileSync(bad, Buffer.from([0x61, 0x62, 0x63, 0xff, 0x64]));
  assert.throws(
    () => data.loadText(bad),
    (e: Error) => e instanceof ax.FormatError && /not valid UTF-8 \(first bad byte at offset 3\)/.test(e.message),
  );
  assert.throws(() => data.loadText(join(dir, 'none.txt')), /cannot read/);
  const ids = ax.tensor([1, 2, 3, 4], { dtype: 'int32' });
  assert.throws(() => new data.SequenceDataset(ids, 4), /4 ids are too few for one window of 4 plus a target/);
  assert.throws(() => new data.SequenceDataset(ax.tensor([1, 2, 3]), 1), /expected a 1-D int32 tensor/);
  assert.throws(() => new data.SequenceDataset(ids, 2).get(5), /index 5 is out of range for 1 window\(s\)/);
});

test('timeSeriesWindows makes sliding windows with horizon, stride and target columns', () => {
  const series = ax.arange(0, 20).float().reshape([10, 2]); // feature 0 = 2t, feature 1 = 2t+1
  const ds = data.timeSeriesWindows(series, { window: 3, horizon: 2, stride: 2, targets: [1] });
  const [x, y] = ds.tensors;
  assert.equal(ds.length, 3); // starts 0, 2, 4; the last window ends at 6, horizon at 8
  assert.deepEqual(x!.shape, [3, 3, 2]);
  assert.deepEqual(y!.shape, [3, 2, 1]);
  assert.deepEqual(x!.select(0, 1).toArray(), [
    [4, 5],
    [6, 7],
    [8, 9],
  ]);
  assert.deepEqual(y!.select(0, 1).toArray(), [[11], [13]]);
  const uni = data.timeSeriesWindows(ax.arange(0, 5).float(), { window: 4 });
  assert.deepEqual(uni.tensors[1]!.toArray(), [[[4]]]);
  assert.throws(
    () => data.timeSeriesWindows(ax.arange(0, 5).float(), { window: 5 }),
    /5 steps is too short for a window of 5 plus a horizon of 1/,
  );
  assert.throws(
    () => data.timeSeriesWindows(series, { window: 2, targets: [2] }),
    /target column 2 is out of range for 2 features/,
  );
  assert.throws(
    () => data.timeSeriesWindows(ax.zeros([2, 2, 2]), { window: 1 }),
    /expected a series of shape \[time\] or \[time, features\], got \[2, 2, 2\]/,
  );
});

test('image augmentations: crop with padding, flip, affine, noise — per image, seeded, shape-checked', () => {
  const img = ax.arange(0, 16).float().reshape([1, 1, 4, 4]);
  const batch = ax.cat([img, img, img, img, img, img, img, img], 0);
  // A flip with p = 1 mirrors, p = 0 does nothing.
  assert.deepEqual(
    data.augment.randomHorizontalFlip({ p: 1 })(img).select(0, 0).select(0, 0).toArray()[0],
    [3, 2, 1, 0],
  );
  assert.deepEqual(data.augment.randomHorizontalFlip({ p: 0 })(batch).toArray(), batch.toArray());
  // Flips are drawn per image.
  const flipped = data.augment.randomHorizontalFlip({ generator: new ax.Generator(3) })(batch);
  const firstPixels = new Set((flipped.select(3, 0).flatten().toArray() as number[]).filter((v, i) => i % 4 === 0));
  assert.deepEqual([...firstPixels].sort(), [0, 3]);
  // Crop: every output is a 4×4 window of the zero-padded image, with varying offsets.
  const crop = data.augment.randomCrop(4, { padding: 1, generator: new ax.Generator(1) })(batch);
  assert.deepEqual(crop.shape, [8, 1, 4, 4]);
  const padded = ax.nn.functional.pad(img, [1, 1, 1, 1]).select(0, 0).select(0, 0);
  const offsets = new Set<string>();
  for (let b = 0; b < 8; b++) {
    const c = crop.select(0, b).select(0, 0).toArray();
    let found = '';
    for (let t = 0; t <= 2; t++)
      for (let l = 0; l <= 2; l++)
        if (JSON.stringify(padded.narrow(0, t, 4).narrow(1, l, 4).toArray()) === JSON.stringify(c)) found = `${t},${l}`;
    assert.ok(found, `crop ${b} is a window of the padded image`);
    offsets.add(found);
  }
  assert.ok(offsets.size > 1);
  // Affine with no motion is the identity; a 90° rotation of a symmetric case moves pixels as expected.
  assert.deepEqual(data.augment.randomAffine({})(batch).toArray(), batch.toArray());
  const rot = data.augment.randomAffine({ degrees: 10, translate: [0.1, 0.1], generator: new ax.Generator(2) })(batch);
  assert.deepEqual(rot.shape, batch.shape);
  assert.notDeepEqual(rot.toArray(), batch.toArray());
  const noisy = data.augment.gaussianNoise({ std: 0.5, clamp: [0, 15], generator: new ax.Generator(0) })(batch);
  const diff = noisy.sub(batch);
  assert.ok(Math.abs(diff.std().item() - 0.5) < 0.15 && noisy.min().item() >= 0 && noisy.max().item() <= 15);
  // Seeded: the same generator state gives the same batch.
  const aug = (_seed: number) =>
    data.augment.compose(
      data.augment.randomCrop(4, { padding: 1 }),
      data.augment.randomHorizontalFlip(),
      data.augment.randomAffine({ degrees: 15 }),
    );
  ax.manualSeed(5);
  const a = aug(0)(batch);
  ax.manualSeed(5);
  const b = aug(0)(batch);
  assert.deepEqual(a.toArray(), b.toArray());
  assert.throws(
    () => data.augment.randomCrop(6, { padding: 0 })(batch),
    /a 6×6 crop does not fit images of 4×4 padded by 0/,
  );
  assert.throws(
    () => data.augment.randomHorizontalFlip()(ax.zeros([4, 4])),
    /expected images of shape \[N, C, H, W\], got \[4, 4\]/,
  );
  assert.throws(() => data.augment.randomAffine({ degrees: 200 }), /degrees must be in \[0, 180\]/);
  assert.throws(() => data.augment.gaussianNoise({ std: -1 }), /std must be ≥ 0/);
});

test('DataLoader transform applies a per-batch augmentation to the inputs only', () => {
  const x = ax.arange(0, 32).float().reshape([2, 1, 4, 4]),
    y = ax.tensor([0, 1], { dtype: 'int32' });
  const loader = new data.DataLoader(new data.TensorDataset(x, y), {
    batchSize: 2,
    transform: ([xb, yb]) => [data.augment.randomHorizontalFlip({ p: 1 })(xb!), yb!],
  });
  const [xb, yb] = [...loader][0]!;
  assert.deepEqual(xb!.select(0, 0).select(0, 0).toArray()[0], [3, 2, 1, 0]);
  assert.deepEqual(yb!.toArray(), [0, 1]);
  assert.deepEqual(data.oneHot(y, 3).toArray(), [
    [1, 0, 0],
    [0, 1, 0],
  ]);
});

test('fashionMnist names the missing file and how to install the data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axon-fm-'));
  assert.throws(
    () => data.fashionMnist('train', { dir }),
    (e: Error) =>
      e instanceof ax.FormatError &&
      e.message.includes(join(dir, 'train-images-idx3-ubyte.gz')) &&
      /apt-get install dataset-fashion-mnist/.test(e.message),
  );
  writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), Buffer.from([0, 0, 8, 3, 0, 0, 0, 1]));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 3]));
  assert.throws(() => data.fashionMnist('test', { dir }), ax.FormatError); // truncated images
});
