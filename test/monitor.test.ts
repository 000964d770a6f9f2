import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { chiSquareSurvival, kolmogorovSurvival } from '../src/monitor/special.js';
import { loadFixture } from './helpers/fixtures.js';
import { throwsTyped } from './helpers/throws.js';

const { monitor } = ax;
const fx = loadFixture<{
  generator: string;
  samples: { a: number[]; b: number[]; ks: { statistic: number; pValue: number }; wasserstein: number }[];
  chisquare: { reference: number[]; current: number[]; statistic: number; pValue: number; jensenshannon: number }[];
  chi2sf: { x: number; df: number; p: number }[];
}>('drift.json');

describe(`drift statistics against SciPy (${fx.generator})`, () => {
  test('Kolmogorov–Smirnov: the same D; p-values within 0.01 of scipy.stats.ks_2samp (asymptotic)', () => {
    for (const c of fx.samples) {
      const r = monitor.ksTwoSample(c.a, c.b);
      assert.ok(Math.abs(r.statistic - c.ks.statistic) < 1e-12, `D ${r.statistic} vs ${c.ks.statistic}`);
      assert.ok(Math.abs(r.pValue - c.ks.pValue) < 0.01, `p ${r.pValue} vs ${c.ks.pValue}`);
    }
  });

  test('Wasserstein distance within 1 % of scipy.stats.wasserstein_distance', () => {
    for (const c of fx.samples) {
      const w = monitor.wassersteinDistance(Float64Array.from(c.a).sort(), Float64Array.from(c.b).sort());
      assert.ok(Math.abs(w - c.wasserstein) < 0.01 * c.wasserstein + 1e-3, `${w} vs ${c.wasserstein}`);
    }
  });

  test('chi-square statistic, p-value and Jensen–Shannon distance as SciPy', () => {
    for (const c of fx.chisquare) {
      const r = monitor.chiSquare(c.reference, c.current);
      assert.ok(Math.abs(r.statistic - c.statistic) < 1e-9 * Math.max(1, c.statistic));
      assert.ok(Math.abs(r.pValue - c.pValue) < 1e-9 + 1e-7 * c.pValue, `p ${r.pValue} vs ${c.pValue}`);
      assert.ok(Math.abs(monitor.jensenShannonDistance(c.reference, c.current) - c.jensenshannon) < 1e-12);
    }
    for (const { x, df, p } of fx.chi2sf)
      assert.ok(Math.abs(chiSquareSurvival(x, df) - p) < 1e-10 + 1e-8 * p, `${x}, ${df}`);
    assert.equal(kolmogorovSurvival(0), 1);
    assert.ok(Math.abs(kolmogorovSurvival(1.36) - 0.0495) < 1e-3, 'the 5 % point of the Kolmogorov distribution');
  });

  test('PSI: zero for identical bins, by hand for a shifted one', () => {
    assert.equal(monitor.psi([10, 20, 30], [10, 20, 30]), 0);
    const expected = (0.5 - 0.25) * Math.log(0.5 / 0.25) + (0.5 - 0.75) * Math.log(0.5 / 0.75);
    assert.ok(Math.abs(monitor.psi([25, 75], [50, 50]) - expected) < 1e-12);
  });
});

describe('profiles and drift reports', () => {
  const gen = new ax.Generator(4);
  const ref = ax.cat(
    [ax.randn([600, 3], { generator: gen }), ax.randint(0, 3, [600, 1], { generator: gen }).float()],
    1,
  );
  const profile = monitor.profileData(ref, { featureNames: ['a', 'b', 'c', 'kind'], categorical: ['kind'] });

  test('a sample from the same distribution does not drift; shifting two of four features does', () => {
    const same = ax.cat(
      [ax.randn([300, 3], { generator: gen }), ax.randint(0, 3, [300, 1], { generator: gen }).float()],
      1,
    );
    const calm = monitor.detectDrift(profile, same);
    assert.deepEqual(
      calm.features.map((f) => f.method),
      ['ks', 'ks', 'ks', 'chisquare'],
    );
    assert.equal(calm.datasetDrift, false, JSON.stringify(calm.features));
    const shifted = same.clone();
    ax.noGrad(() => shifted.narrow(1, 0, 1).add_(0.5));
    const kinds = ax.full([300, 1], 2);
    const moved = ax.cat([shifted.narrow(1, 0, 3), kinds], 1);
    const r = monitor.detectDrift(profile, moved);
    assert.deepEqual(r.driftedFeatures, ['a', 'kind']);
    assert.equal(r.share, 0.5);
    assert.equal(r.datasetDrift, true);
    // PSI on request, for the numeric features.
    const p = monitor.detectDrift(profile, moved, { method: 'psi' });
    assert.equal(p.features[0]!.method, 'psi');
    assert.ok(p.features[0]!.drifted && !p.features[1]!.drifted, JSON.stringify(p.features.slice(0, 2)));
  });

  test('references above 1 000 rows use Wasserstein and Jensen–Shannon distances; profiles round-trip', () => {
    const big = ax.cat(
      [ax.randn([3000, 1], { generator: gen }), ax.randint(0, 4, [3000, 1], { generator: gen }).float()],
      1,
    );
    const prof = monitor.profileData(big, { categorical: [1] });
    assert.ok(prof.features[0]!.kind === 'numeric' && prof.features[0]!.quantiles!.length === 1001);
    const cur = ax.cat(
      [ax.randn([500, 1], { generator: gen }).add(0.3), ax.randint(0, 4, [500, 1], { generator: gen }).float()],
      1,
    );
    const r = monitor.detectDrift(prof, cur);
    assert.deepEqual(
      r.features.map((f) => f.method),
      ['wasserstein', 'jensenshannon'],
    );
    assert.ok(r.features[0]!.drifted && r.features[0]!.statistic > 0.2, JSON.stringify(r.features[0]));
    assert.ok(!r.features[1]!.drifted, JSON.stringify(r.features[1]));
    const path = join(mkdtempSync(join(tmpdir(), 'axon-profile-')), 'profile.json');
    monitor.saveProfile(path, prof);
    assert.deepEqual(monitor.loadProfile(path), JSON.parse(JSON.stringify(prof)));
  });

  test('bad inputs get typed errors', () => {
    throwsTyped(() => monitor.profileData(ax.zeros(0, 3)), ax.ShapeError, /profileData/);
    throwsTyped(() => monitor.profileData(ax.tensor([[1, NaN]])), ax.ValueError, /feature 'x1' holds NaN/);
    throwsTyped(() => monitor.profileData(ax.zeros(3, 2), { categorical: ['z'] }), ax.ValueError, /no feature 'z'/);
    throwsTyped(() => monitor.detectDrift(profile, ax.zeros(5, 3)), ax.ShapeError, /3 features, the profile has 4/);
    throwsTyped(
      () => monitor.detectDrift(profile, ax.zeros(5, 4), { method: 'magic' as never }),
      ax.ValueError,
      /method/,
    );
  });
});
