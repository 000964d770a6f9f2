#!/usr/bin/env node
// Builds the WebAssembly backend (native/src → native/wasm/build/axon.wasm) with clang's wasm32-wasi target,
// 128-bit SIMD on, single-threaded. The sources are binding.gyp's, with the WebAssembly face
// (wasm_addon.cc) for the N-API one, the inline thread pool, and no FMA-peak probe. Like the native
// build, a missing toolchain never fails the install: the 'wasm' backend then says it is not built.
// Needs Debian's clang, lld, wasi-libc, libc++-dev-wasm32, libc++abi-dev-wasm32, libclang-rt-dev-wasm32.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'native', 'wasm', 'build', 'axon.wasm');

if (process.env.AXON_SKIP_WASM) {
  console.log('axon: AXON_SKIP_WASM is set; not building the wasm backend');
  process.exit(0);
}

const SWAP = {
  'native/src/node_addon.cc': 'native/src/wasm_addon.cc',
  'native/src/threadpool.cc': 'native/src/threadpool_serial.cc',
};
const DROP = new Set(['native/src/peak.cc']);
const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8'));
const sources = gyp.targets[0].sources.filter((s) => !DROP.has(s)).map((s) => join(root, SWAP[s] ?? s));

const clang = ['clang++', 'clang++-19', 'clang++-16', 'clang++-14'].find(
  (c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0,
);
if (!clang) {
  console.log(
    'axon: clang not found (apt-get install clang lld wasi-libc libc++-dev-wasm32); the wasm backend is not built',
  );
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
const flags = [
  '--target=wasm32-wasi',
  `--sysroot=${process.env.WASI_SYSROOT ?? '/usr'}`,
  '-O3',
  '-msimd128',
  '-std=c++17',
  '-fno-exceptions',
  '-fno-math-errno',
  '-Wall',
  '-Wno-unused-function',
  // A library, not a program: _initialize runs the static constructors, nothing runs main.
  '-mexec-model=reactor',
  '-Wl,--strip-all',
  `-I${join(root, 'native', 'src')}`,
];
const r = spawnSync(clang, [...flags, ...sources, '-o', out], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status === 0) {
  console.log(`axon: wasm backend built (${out})`);
} else {
  const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-15).join('\n');
  console.warn(`axon: the wasm backend could not be built (the other backends are unaffected).\n${tail}`);
}
process.exit(0);
