import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { loadAddon } from '../src/backend/native/addon.js';

// The native addon tunes glibc's malloc so that each training step's large arrays reuse the heap
// instead of faulting in new pages (native/src/malloc_tuning.cc). (Not in native.boundary.test.ts:
// that file also runs in a page, where node:child_process does not exist.)

describe("the native addon's malloc tuning", { skip: loadAddon() === null && 'the native addon is not built' }, () => {
  test('tuned once the addon is loaded, unless told not to', () => {
    // 'unsupported' under a sanitizer's allocator (npm run test:asan) or off glibc.
    const asan = (process.env.LD_PRELOAD ?? '').includes('asan');
    const want = asan || process.platform !== 'linux' ? 'unsupported' : 'tuned';
    assert.equal(loadAddon()!.info().malloc, want);
    if (want !== 'tuned') return;
    const script = "import * as ax from './src/index.ts'; console.log(ax.backendInfo().malloc)";
    for (const env of [
      { AXON_MALLOC_TUNING: '0' },
      { MALLOC_MMAP_THRESHOLD_: '65536' },
      { GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=1' },
    ]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
        env: { ...process.env, ...env, AXON_BACKEND: 'native' },
        encoding: 'utf8',
      });
      assert.equal(r.stdout.trim(), 'default', `${JSON.stringify(env)}: ${r.stderr}`);
    }
  });
});
