#!/usr/bin/env node
// Builds the WebAssembly backend (native/src → native/wasm/build/) with clang's wasm32-wasi target and
// 128-bit SIMD, twice: axon.wasm runs on one thread (any page); axon-threads.wasm imports a shared
// memory and runs its thread pool on workers the glue starts (cross-origin-isolated pages, Node).
// The sources are binding.gyp's, with the WebAssembly face (wasm_addon.cc) for the N-API one, a
// WebAssembly thread pool, and no FMA-peak probe. Like the native build, a missing toolchain never
// fails the install: the 'wasm' backend then says it is not built.
// Needs Debian's clang, lld, wasi-libc, libc++-dev-wasm32, libc++abi-dev-wasm32, libclang-rt-dev-wasm32.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.argv[2] ?? join(root, 'native', 'wasm', 'build');

if (process.env.AXON_SKIP_WASM) {
  console.log('axon: AXON_SKIP_WASM is set; not building the wasm backend');
  process.exit(0);
}

// Must match src/backend/wasm/kernels.ts, which creates the shared memory the threaded module imports.
const THREADED_INITIAL_BYTES = 16 << 20;
const THREADED_MAX_BYTES = 2 ** 31;

const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8'));
function sources(swap, extra) {
  return gyp.targets[0].sources
    .filter((s) => s !== 'native/src/peak.cc')
    .map((s) => join(root, swap[s] ?? s))
    .concat(extra.map((s) => join(root, s)));
}
const addon = { 'native/src/node_addon.cc': 'native/src/wasm_addon.cc' };
const MALLOC = ['malloc', 'free', 'calloc', 'realloc', 'aligned_alloc', 'posix_memalign'];
const variants = [
  {
    file: 'axon.wasm',
    sources: sources({ ...addon, 'native/src/threadpool.cc': 'native/src/threadpool_serial.cc' }, []),
    flags: [],
  },
  {
    file: 'axon-threads.wasm',
    sources: sources({ ...addon, 'native/src/threadpool.cc': 'native/src/threadpool_wasm.cc' }, [
      'native/src/wasm_malloc_lock.cc',
      'native/src/wasm_stack.S',
    ]),
    flags: [
      '-matomics',
      '-mbulk-memory',
      // Thread-locals (the kernels' scratch buffers) get one block per instance (__wasm_init_tls).
      '-ftls-model=local-exec',
      '-Wl,--shared-memory,--import-memory',
      `-Wl,--initial-memory=${THREADED_INITIAL_BYTES},--max-memory=${THREADED_MAX_BYTES}`,
      '-Wl,--export=__wasm_init_tls',
      // wasi-libc is built without atomics; its objects are safe here because the allocator, its
      // only shared state the kernels reach, is behind a lock (wasm_malloc_lock.cc).
      '-Wl,--no-check-features',
      ...MALLOC.map((f) => `-Wl,--wrap=${f}`),
    ],
  },
];

const clang = ['clang++', 'clang++-19', 'clang++-16', 'clang++-14'].find(
  (c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0,
);
if (!clang) {
  console.log(
    'axon: clang not found (apt-get install clang lld wasi-libc libc++-dev-wasm32); the wasm backend is not built',
  );
  process.exit(0);
}
mkdirSync(outDir, { recursive: true });
const common = [
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
  // AXON_WASM_NAMES=1 keeps function names (for profiles: V8 shows them instead of wasm-function[N]).
  process.env.AXON_WASM_NAMES ? '-Wl,--strip-debug' : '-Wl,--strip-all',
  `-I${join(root, 'native', 'src')}`,
];
for (const v of variants) {
  const out = join(outDir, v.file);
  const r = spawnSync(clang, [...common, ...v.flags, ...v.sources, '-o', out], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status === 0) {
    console.log(`axon: wasm backend built (${out})`);
  } else {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-15).join('\n');
    console.warn(`axon: ${v.file} could not be built (the other backends are unaffected).\n${tail}`);
  }
}
process.exit(0);
