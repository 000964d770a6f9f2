#!/usr/bin/env node
// Builds the native addon with AddressSanitizer and UndefinedBehaviorSanitizer into
// build/asan/axon.node, from the same sources binding.gyp lists. Used by scripts/test-asan.sh;
// load it with AXON_NATIVE_ADDON=build/asan/axon.node and the ASan runtime preloaded.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const headers = [
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
  '/usr/include/node',
  join(dirname(process.execPath), '..', 'include', 'node'),
].find((d) => d && existsSync(join(d, 'node_api.h')));
if (!headers) {
  console.error('build-asan: node_api.h not found (looked in $npm_config_nodedir, /usr/include/node, next to node)');
  process.exit(1);
}

/** Compiles the first target of a binding.gyp (its sources relative to `dir`) into `out`. */
function build(dir, out, libraries = []) {
  const target = JSON.parse(readFileSync(join(dir, 'binding.gyp'), 'utf8')).targets[0];
  mkdirSync(dirname(out), { recursive: true });
  // gyp's command expansions (<!@(…)) are the caller's to pass in `libraries`.
  const flags = target.cflags_cc.filter((f) => f !== '-O3' && f !== '-O2' && !f.startsWith('<!'));
  const args = [
    '-shared',
    '-fPIC',
    '-O1',
    '-g',
    '-fno-omit-frame-pointer',
    '-fsanitize=address,undefined',
    '-fno-sanitize-recover=undefined',
    ...flags,
    ...target.defines.map((d) => `-D${d}`),
    `-DNODE_GYP_MODULE_NAME=${target.target_name}`,
    `-I${headers}`,
    ...target.sources.map((s) => join(dir, s)),
    ...libraries,
    '-pthread',
    '-o',
    out,
  ];
  const r = spawnSync(process.env.CXX || 'g++', args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log(`build-asan: ${out}`);
}

build(root, join(root, 'build', 'asan', 'axon.node'));
// The optional distributed addons too, where they are built at all (test-asan.sh points
// AXON_GLOO_ADDON / AXON_MPI_ADDON at these).
const dist = join(root, 'native', 'distributed');
if (existsSync(join(dist, 'gloo', 'build', 'Release', 'axon_gloo.node')))
  build(join(dist, 'gloo'), join(root, 'build', 'asan', 'axon_gloo.node'), ['-lgloo']);
if (existsSync(join(dist, 'mpi', 'build', 'Release', 'axon_mpi.node'))) {
  const showme = (what) =>
    spawnSync('mpicxx', [`--showme:${what}`], { encoding: 'utf8' })
      .stdout.trim()
      .split(/\s+/);
  build(join(dist, 'mpi'), join(root, 'build', 'asan', 'axon_mpi.node'), [
    ...showme('compile'),
    ...showme('link'),
    '-ldl',
  ]);
}
