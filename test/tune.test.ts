import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ax from '../src/index.js';
import { main } from '../src/cli.js';
import { throwsTyped } from './helpers/throws.js';

const { tune } = ax;
const TRIAL = 'test/helpers/tune-trial.ts';
const tmp = () => mkdtempSync(join(tmpdir(), 'axon-tune-'));
// The process tests run once, in the JS suite: they test the tuner, not the kernels.
const processSkip =
  process.env['AXON_BACKEND'] === 'js' && !process.env['AXON_NO_FUSED'] ? false : 'runs in the JS suite only';

describe('tune: search spaces', () => {
  test('random configurations stay in their ranges and repeat with the seed', () => {
    const space = {
      lr: tune.logUniform(1e-4, 1e-1),
      dropout: tune.uniform(0, 0.5),
      width: tune.choice([32, 64, 128]),
      layers: tune.integer(1, 3),
      optimizer: 'adam',
    };
    const draw = (seed: number) => tune.sampleConfig(space, new ax.Generator(seed));
    const many = Array.from({ length: 300 }, (_, i) => draw(i));
    for (const c of many) {
      assert.ok((c['lr'] as number) >= 1e-4 && (c['lr'] as number) < 1e-1);
      assert.ok((c['dropout'] as number) >= 0 && (c['dropout'] as number) < 0.5);
      assert.ok([32, 64, 128].includes(c['width'] as number));
      assert.ok([1, 2, 3].includes(c['layers'] as number));
      assert.equal(c['optimizer'], 'adam');
    }
    // log-uniform: about a third of the draws in each decade
    const decade = many.filter((c) => (c['lr'] as number) < 1e-3).length / many.length;
    assert.ok(decade > 0.25 && decade < 0.42, `share below 1e-3: ${decade}`);
    assert.deepEqual(new Set(many.map((c) => c['layers'])), new Set([1, 2, 3]));
    assert.deepEqual(draw(7), draw(7));
  });

  test('grid search is the product of the choices; continuous dimensions have no grid', () => {
    const grid = tune.gridConfigs({ lr: tune.choice([0.1, 0.01]), layers: tune.integer(1, 3), act: 'relu' });
    assert.equal(grid.length, 6);
    assert.deepEqual(grid[0], { lr: 0.1, layers: 1, act: 'relu' });
    assert.deepEqual(grid[5], { lr: 0.01, layers: 3, act: 'relu' });
    throwsTyped(() => tune.gridConfigs({ lr: tune.uniform(0, 1) }), ax.ValueError, /grid search.*'lr' is uniform/);
    throwsTyped(() => tune.logUniform(0, 1), ax.ValueError, /0 < low < high/);
    throwsTyped(() => tune.uniform(2, 1), ax.ValueError, /low must be below high/);
    throwsTyped(() => tune.integer(1.5, 3), ax.ValueError, /integers/);
    throwsTyped(() => tune.choice([]), ax.ValueError, /non-empty/);
  });

  test('a search space from JSON (axon tune --space)', () => {
    const space = tune.spaceFromJson({
      lr: { logUniform: [1e-4, 1e-1] },
      dropout: { uniform: [0, 0.5] },
      layers: { integer: [1, 3] },
      width: { choice: [8, 16] },
      optimizer: 'adam',
    });
    assert.deepEqual(space['lr'], tune.logUniform(1e-4, 1e-1));
    assert.deepEqual(space['width'], tune.choice([8, 16]));
    assert.equal(space['optimizer'], 'adam');
    throwsTyped(
      () => tune.spaceFromJson({ lr: { logUniform: [1] } }, 'space.json'),
      ax.ValueError,
      /'lr' of space.json/,
    );
    throwsTyped(() => tune.spaceFromJson({ lr: { normal: [0, 1] } }), ax.ValueError, /'lr'/);
    throwsTyped(() => tune.spaceFromJson([1]), ax.ValueError, /JSON object/);
    throwsTyped(() => tune.spaceFromJson({ lr: { logUniform: [0, 1] } }), ax.ValueError, /0 < low < high/);
  });

  test('ASHA keeps the top third at each rung', () => {
    const s = tune.asha({ maxEpochs: 9, gracePeriod: 1, reductionFactor: 3 });
    assert.deepEqual([...s.rungs.keys()], [1, 3]);
    assert.equal(s.shouldStop(1, 0.5), false); // the first at a rung sets the bar
    assert.equal(s.shouldStop(1, 0.9), false);
    assert.equal(s.shouldStop(1, 0.1), true); // below the 2/3 quantile of [0.5, 0.9, 0.1]
    assert.equal(s.shouldStop(2, 0.0), false); // not a rung
    assert.equal(s.shouldStop(2, NaN), true); // a diverged trial stops
    throwsTyped(() => tune.asha({ maxEpochs: 0 }), ax.ValueError, /maxEpochs/);
    throwsTyped(() => tune.asha({ maxEpochs: 3, reductionFactor: 1 }), ax.ValueError, /reductionFactor/);
  });
});

describe('tune: trials in processes', { skip: processSkip }, () => {
  test('random search with ASHA stops weak trials, survives a throwing one, and finds the best region', async () => {
    const logDir = tmp();
    const lines: string[] = [];
    const r = await tune.run({
      trial: TRIAL,
      space: { lr: tune.choice([1e-4, 1e-3, 1e-2, 1e-1, 1]), fail: tune.choice([false, false, false, true]) },
      metric: 'valAccuracy',
      numSamples: 12,
      seed: 1,
      scheduler: tune.asha({ maxEpochs: 9, gracePeriod: 1, reductionFactor: 3 }),
      workers: 2,
      logDir,
      log: (l) => lines.push(l),
    });
    assert.equal(r.trials.length, 12);
    assert.equal(lines.length, 12);
    const statuses = r.trials.map((t) => t.status);
    assert.ok(statuses.includes('stopped'), statuses.join());
    assert.ok(statuses.includes('completed'), statuses.join());
    const failed = r.trials.filter((t) => t.config['fail']);
    assert.ok(failed.length > 0 && failed.every((t) => t.status === 'error' && /cannot train/.test(t.error!)));
    assert.equal(r.best!.config['lr'], 1e-2);
    assert.equal(r.best!.status, 'completed');
    assert.ok(r.epochsRun < 12 * 9, `epochs ${r.epochsRun}`);
    assert.ok(existsSync(join(logDir, 'trial-0.log')));
    const saved = JSON.parse(readFileSync(join(logDir, 'results.json'), 'utf8'));
    assert.equal(saved.trials.length, 12);
    const table = tune.resultsTable(r);
    assert.match(table.split('\n')[0]!, /trial\s+lr\s+fail\s+status\s+epochs\s+valAccuracy/);
    assert.match(table.split('\n')[1]!, /0\.01/);
  });

  test('a trial out of memory or past its time ends as oom / timeout; fit reports through the reporter', async () => {
    const r = await tune.run({
      trial: TRIAL,
      space: { lr: 0.01, oom: tune.choice([true, false]), fit: tune.choice([false, true]) },
      search: 'grid',
      metric: 'valAccuracy',
      maxEpochs: 2,
      memoryMb: 64,
      workers: 2,
      logDir: tmp(),
    });
    const by = (oom: boolean, fit: boolean) =>
      r.trials.find((t) => t.config['oom'] === oom && t.config['fit'] === fit)!;
    assert.equal(by(true, false).status, 'oom');
    const fitted = by(false, true);
    assert.equal(fitted.status, 'completed', fitted.error);
    assert.deepEqual(
      fitted.history.map((h) => h.epoch),
      [1, 2],
    );
    assert.ok(fitted.final['testAccuracy']! > 0.5);
    assert.ok(fitted.history[1]!.metrics['valLoss']! > 0);
    const hung = await tune.run({
      trial: TRIAL,
      space: { lr: 0.01, hang: true },
      metric: 'valAccuracy',
      numSamples: 1,
      maxEpochs: 2,
      timeoutSeconds: 3,
      logDir: tmp(),
    });
    assert.equal(hung.trials[0]!.status, 'timeout');
  });

  test('axon tune runs a search from the command line; bad usage exits 2', async () => {
    const dir = tmp();
    const space = join(dir, 'space.json');
    writeFileSync(space, JSON.stringify({ lr: { choice: [1e-3, 1e-2, 1e-1] } }));
    const out = join(dir, 'out');
    const args = ['tune', TRIAL, '--space', space, '--metric', 'valAccuracy', '--grid', '--epochs', '3', '--asha'];
    assert.equal(await main([...args, '--out', out, '--workers', '2']), 0);
    const saved = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    assert.equal(saved.trials.length, 3);
    assert.equal(saved.best.config.lr, 1e-2);
    assert.equal(await main(['tune', TRIAL, '--space', join(dir, 'none.json'), '--metric', 'm']), 2);
    assert.equal(await main(['tune', TRIAL, '--metric', 'm']), 2);
    writeFileSync(space, '{"lr": {"normal": [0, 1]}}');
    assert.equal(await main([...args]), 1);
  });

  test('bad options get typed errors', async () => {
    await assert.rejects(
      () => tune.run({ trial: 'nope.ts', space: { a: 1 }, metric: 'm', maxEpochs: 1 }),
      /trial must be the path/,
    );
    await assert.rejects(() => tune.run({ trial: TRIAL, space: {}, metric: 'm', maxEpochs: 1 }), /search space/);
    await assert.rejects(() => tune.run({ trial: TRIAL, space: { a: 1 }, metric: 'm' }), /give maxEpochs/);
    await assert.rejects(
      () => tune.run({ trial: TRIAL, space: { a: 1 }, metric: 'm', maxEpochs: 1, workers: 0 }),
      /workers must be a positive integer/,
    );
    await assert.rejects(
      () => tune.run({ trial: TRIAL, space: { a: 1 }, metric: 'm', maxEpochs: 1, searcher: 'x' } as never),
      /searcher/,
    );
  });
});
