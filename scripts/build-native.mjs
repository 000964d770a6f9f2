#!/usr/bin/env node
// Builds the native backend (native/ → build/Release/axon.node) with node-gyp at install time.
// A failed build never fails the install: Axon then runs on its JS backend and says so once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

if (process.env.AXON_SKIP_NATIVE) {
  console.log('axon: AXON_SKIP_NATIVE is set; not building the native backend');
  process.exit(0);
}

function findNodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp))
    return process.env.npm_config_node_gyp;
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    // not installed locally: try npm's own copy below
  }
  const npmDir = join(
    dirname(process.execPath),
    '..',
    'lib',
    'node_modules',
    'npm',
    'node_modules',
    'node-gyp',
    'bin',
    'node-gyp.js',
  );
  return existsSync(npmDir) ? npmDir : null;
}

const gyp = findNodeGyp();
if (!gyp) {
  console.warn('axon: node-gyp not found; the native backend is not built (the JS backend will be used)');
  process.exit(0);
}
const args = [gyp, 'rebuild'];
// Build against the local Node headers when npm is not already told where they are (no download).
const nodedir = process.env.npm_config_nodedir || (existsSync('/usr/include/node/node_api.h') ? '/usr' : null);
if (nodedir) args.push(`--nodedir=${nodedir}`);
const jobs = process.env.JOBS || 'max';
args.push(`--jobs=${jobs}`);
const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (result.status === 0) {
  console.log('axon: native backend built (build/Release/axon.node)');
} else {
  const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
  console.warn(`axon: the native backend could not be built; Axon will use its JS backend.\n${tail}`);
}

// The distributed addons (native/distributed/<library> → axon_<library>.node) are optional: each is
// built only where its library's headers are installed, so the core install never needs them.
const haveGloo = ['/usr/include/gloo/allreduce.h', '/usr/local/include/gloo/allreduce.h'].some((f) => existsSync(f));
const haveMpi = spawnSync('mpicxx', ['--showme:compile'], { stdio: 'ignore' }).status === 0;
for (const [lib, present, install] of [
  ['gloo', haveGloo, 'apt-get install libgloo-dev'],
  ['mpi', haveMpi, 'apt-get install libopenmpi-dev openmpi-bin'],
]) {
  if (process.env.AXON_SKIP_DISTRIBUTED || !present) {
    console.log(`axon: ${lib} not found (${install}); ax.distributed cannot use it`);
    continue;
  }
  const r = spawnSync(process.execPath, [...args, `--directory=native/distributed/${lib}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status === 0)
    console.log(`axon: ${lib} addon built (native/distributed/${lib}/build/Release/axon_${lib}.node)`);
  else {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-15).join('\n');
    console.warn(`axon: the ${lib} addon could not be built; ax.distributed cannot use it.\n${tail}`);
  }
}
process.exit(0);
