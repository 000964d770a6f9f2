#!/usr/bin/env node
// Builds the native addon with AddressSanitizer and UndefinedBehaviorSanitizer into
// build/asan/axon.node, from the same sources binding.gyp lists. Used by scripts/test-asan.sh;
// load it with AXON_NATIVE_ADDON=build/asan/axon.node and the ASan runtime preloaded.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8'));
const target = gyp.targets[0];
const headers = [
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
  '/usr/include/node',
  join(dirname(process.execPath), '..', 'include', 'node'),
].find((d) => d && existsSync(join(d, 'node_api.h')));
if (!headers) {
  console.error('build-asan: node_api.h not found (looked in $npm_config_nodedir, /usr/include/node, next to node)');
  process.exit(1);
}
const out = join(root, 'build', 'asan', 'axon.node');
mkdirSync(dirname(out), { recursive: true });
const flags = target.cflags_cc.filter((f) => f !== '-O3');
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
  '-DNODE_GYP_MODULE_NAME=axon',
  `-I${headers}`,
  ...target.sources.map((s) => join(root, s)),
  '-pthread',
  '-o',
  out,
];
const r = spawnSync(process.env.CXX || 'g++', args, { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(`build-asan: ${out}`);
