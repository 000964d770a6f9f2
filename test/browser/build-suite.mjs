// Bundles Node test files (or a benchmark) for a page: node:test and node:assert/strict become small
// shims (node-test.ts, assert.ts), the package entry becomes the browser one, and
// test/helpers/kernels gives the WebAssembly kernels. test/browser.test.ts loads the suites in
// Chromium; bench/browser.ts its benchmark page.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

/** The esbuild options that make Node-side code run in a page. */
export function pageBuildOptions() {
  return {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    plugins: [
      {
        name: 'axon-page',
        setup(b) {
          b.onResolve({ filter: /^node:test$/ }, () => ({ path: join(here, 'node-test.ts') }));
          b.onResolve({ filter: /^node:assert\/strict$/ }, () => ({ path: join(here, 'assert.ts') }));
          b.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: join(root, 'src', 'browser.ts') }));
          b.onResolve({ filter: /\/helpers\/kernels\.js$/ }, () => ({ path: join(here, 'kernels.ts') }));
        },
      },
    ],
    alias: { 'csv-parse/sync': 'csv-parse/browser/esm/sync' },
    // The suites read a few environment variables: none are set in a page.
    define: { 'process.env': '{}' },
    logLevel: 'warning',
  };
}

/** Bundles `files` (test files) into one ESM module exporting runAll(). */
export async function buildSuite(files, outfile) {
  const entry = [
    ...files.map((f) => `import ${JSON.stringify(f)};`),
    `export { runAll } from ${JSON.stringify(join(here, 'node-test.ts'))};`,
  ].join('\n');
  return build({ ...pageBuildOptions(), stdin: { contents: entry, resolveDir: root, loader: 'ts' }, outfile });
}
