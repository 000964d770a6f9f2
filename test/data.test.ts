import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';

const { data } = ax;
const file = (name: string) => fileURLToPath(new URL(`../data/${name}`, import.meta.url));

describe('DataLoader', () => {
  const x = ax.arange(10).reshape(10, 1).float(),
    y = ax.arange(10);
  const ds = new data.TensorDataset(x, y);

  test('batches in order, the last one smaller unless dropLast', () => {
    const sizes = [...new data.DataLoader(ds, { batchSize: 4 })].map(([xb]) => xb!.shape[0]);
    assert.deepEqual(sizes, [4, 4, 2]);
    assert.equal(new data.DataLoader(ds, { batchSize: 4, dropLast: true }).length, 2);
    assert.deepEqual(
      [...new data.DataLoader(ds, { batchSize: 4, dropLast: true })].map(([, yb]) => yb!.toArray()),
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
      ],
    );
  });

  test('shuffles with a seeded generator, a new order every pass, every item once', () => {
    const loader = new data.DataLoader(ds, { batchSize: 3, shuffle: true, generator: new ax.Generator(1) });
    const pass1 = [...loader].flatMap(([, yb]) => yb!.toArray() as number[]);
    const pass2 = [...loader].flatMap(([, yb]) => yb!.toArray() as number[]);
    assert.deepEqual(
      [...pass1].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.notDeepEqual(pass1, pass2);
    const again = [...new data.DataLoader(ds, { batchSize: 3, shuffle: true, generator: new ax.Generator(1) })].flatMap(
      ([, yb]) => yb!.toArray() as number[],
    );
    assert.deepEqual(again, pass1);
    // rows stay paired
    for (const [xb, yb] of loader) assert.deepEqual(xb!.squeeze(1).int().toArray(), yb!.toArray());
  });

  test('custom datasets with the default collate, custom collate, iterable datasets', () => {
    const items = { length: 5, get: (i: number) => ({ value: i * 1.5, label: i % 2 }) };
    const [first] = [...new data.DataLoader(items, { batchSize: 2 })] as unknown as {
      value: ax.Tensor;
      label: ax.Tensor;
    }[];
    assert.deepEqual(first!.value.toArray(), [0, 1.5]);
    assert.equal(first!.label.dtype, 'int32');
    const sums = [
      ...new data.DataLoader(items, { batchSize: 2, collate: (b) => b.reduce((s, it) => s + it.value, 0) }),
    ];
    assert.deepEqual(sums, [1.5, 7.5, 6]);
    function* stream() {
      for (let i = 0; i < 5; i++) yield [ax.tensor([i]), i];
    }
    const batches = [...new data.DataLoader(stream(), { batchSize: 2 })] as [ax.Tensor, ax.Tensor][];
    assert.deepEqual(
      batches.map(([a]) => a.shape),
      [
        [2, 1],
        [2, 1],
        [1, 1],
      ],
    );
    assert.throws(() => new data.DataLoader(stream(), { shuffle: true }), ax.ValueError);
    assert.throws(() => new data.DataLoader(ds, { batchSize: 0 }), ax.ValueError);
    assert.throws(() => new data.TensorDataset(x, ax.arange(3)), ax.ShapeError);
  });
});

describe('splits', () => {
  test('randomSplit by fractions or lengths; subsets do not overlap', () => {
    const ds = new data.TensorDataset(ax.arange(10));
    const [a, b] = data.randomSplit(ds, [0.7, 0.3], new ax.Generator(0));
    assert.equal(a!.length + b!.length, 10);
    assert.equal(a!.length, 7);
    const seen = new Set([...a!.indices, ...b!.indices]);
    assert.equal(seen.size, 10);
    assert.throws(() => data.randomSplit(ds, [3, 3]), ax.ValueError);
    const [xb] = [...new data.DataLoader(b!, { batchSize: 3 })][0]!;
    assert.equal(xb!.shape[0], 3);
  });

  test('stratifiedSplit keeps the class shares of iris (50/50/50 → 40/10 each)', () => {
    const iris = data.loadCsv(file('iris.csv'), { target: 'species' });
    const labels = iris.target!.toArray() as number[];
    const [train, test] = data.stratifiedSplit(labels, [0.8, 0.2], new ax.Generator(3));
    assert.equal(train!.length, 120);
    for (const c of [0, 1, 2]) assert.equal(test!.filter((i) => labels[i] === c).length, 10);
  });

  test('kFold covers every index once as validation', () => {
    const folds = data.kFold(10, 3, { shuffle: true, generator: new ax.Generator(2) });
    assert.deepEqual(
      folds.map(([, v]) => v.length),
      [4, 3, 3],
    );
    assert.deepEqual(
      folds.flatMap(([, v]) => v).sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    for (const [t, v] of folds) assert.equal(t.length + v.length, 10);
    assert.throws(() => data.kFold(3, 5), ax.ValueError);
  });
});

describe('file readers', () => {
  test('CSV: digits features and integer labels; iris text classes', () => {
    const digits = data.loadCsv(file('digits.csv'), { target: 'label' });
    assert.deepEqual(digits.features.shape, [1797, 64]);
    assert.equal(digits.target!.dtype, 'int32');
    const iris = data.loadCsv(file('iris.csv'), { target: 'species' });
    assert.deepEqual(iris.classes, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(iris.featureNames, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  });

  test('CSV: categorical encodings and missing values', () => {
    const text = 'size,color,price\n1,red,10\n2,blue,\n3,red,30\nNA,green,40\n';
    assert.throws(
      () => data.parseCsv(text, { categorical: ['color'] }),
      (e: Error) => e instanceof ax.FormatError && /data row 2, column 'price'/.test(e.message),
    );
    // Dropping rows keeps the categories of every row (issue 12, bug 6): the layout is the same
    // whichever rows had gaps, and the kept rows are zeros in the dropped rows' categories.
    const dropped = data.parseCsv(text, { categorical: ['color'], missing: 'drop' });
    assert.equal(dropped.rowsDropped, 2);
    assert.deepEqual(dropped.featureNames, ['size', 'color=blue', 'color=green', 'color=red', 'price']);
    assert.deepEqual(dropped.features.toArray(), [
      [1, 0, 0, 1, 10],
      [3, 0, 0, 1, 30],
    ]);
    const labels = data.parseCsv('x,y\n1,a\nNA,b\n2,c\n', { target: 'y', missing: 'drop' });
    assert.deepEqual(labels.classes, ['a', 'b', 'c'], 'classes of dropped rows keep their index');
    assert.deepEqual(labels.target!.toArray(), [0, 2]);
    const filled = data.parseCsv(text, { categorical: ['color'], missing: 'mean', encoding: 'index' });
    assert.deepEqual(
      filled.features.toArray(),
      [
        [1, 2, 10],
        [2, 0, 80 / 3],
        [3, 2, 30],
        [2, 1, 40],
      ].map((r) => r.map((v) => Math.fround(v))),
    );
    assert.throws(
      () => data.parseCsv('a,b\n1,x\n'),
      (e: Error) => e instanceof ax.FormatError && /non-numeric value 'x'/.test(e.message),
    );
    assert.throws(() => data.parseCsv('a,b\n1,2,3\n'), ax.FormatError);
    assert.throws(() => data.parseCsv('a\n1\n', { target: 'b' }), /no column 'b'/);
    assert.throws(() => data.loadCsv('/nonexistent.csv'), ax.FormatError);
  });

  test('IDX: plain and gzip, scaled, and corrupt files', () => {
    // 2 images of 2×3 ubyte pixels
    const header = [0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3];
    const bytes = Uint8Array.from([...header, 0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6]);
    const t = data.parseIdx(bytes);
    assert.deepEqual(t.shape, [2, 2, 3]);
    assert.equal(t.dtype, 'int32');
    assert.deepEqual(
      data
        .parseIdx(gzipSync(bytes), { scale: 1 / 255 })
        .select(0, 0)
        .toArray()[1],
      [153 / 255, 204 / 255, 1].map(Math.fround),
    );
    assert.throws(
      () => data.parseIdx(bytes.slice(0, bytes.length - 1)),
      (e: Error) => e instanceof ax.FormatError && /header says \[2, 2, 3\]/.test(e.message),
    );
    assert.throws(() => data.parseIdx(Uint8Array.from([1, 2, 3, 4])), /magic/);
    assert.throws(() => data.parseIdx(Uint8Array.from([0, 0, 0x08, 3, 0, 0])), /truncated/);
    assert.throws(() => data.parseIdx(Uint8Array.from([0x1f, 0x8b, 1, 2, 3])), /gzip/);
    // a header claiming 4 billion elements fails on the length check, without allocating them
    assert.throws(() => data.parseIdx(Uint8Array.from([0, 0, 0x08, 1, 0xff, 0xff, 0xff, 0xff, 1])), ax.FormatError);
  });

  test('StandardScaler and MinMaxScaler fit on training data only', () => {
    const train = ax.tensor([
        [1, 10],
        [3, 10],
        [5, 10],
      ]),
      test = ax.tensor([[7, 11]]);
    const s = new data.StandardScaler().fit(train);
    const z = s.transform(train);
    assert.ok(Math.abs(z.mean(0).abs().max().item()) < 1e-6);
    assert.deepEqual(
      s
        .transform(test)
        .toArray()[0]
        .map((v: number) => +v.toFixed(4)),
      [2.4495, 1],
    );
    const m = new data.MinMaxScaler().fit(train);
    assert.deepEqual(m.transform(test).toArray(), [[1.5, 1]]);
    assert.throws(() => new data.StandardScaler().transform(train), /fit\(\) first/);
  });
});
