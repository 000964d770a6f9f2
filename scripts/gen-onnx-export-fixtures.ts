// Writes every entry of test/helpers/export-zoo.ts as test/fixtures/onnx-export/models/NAME.onnx, then
// runs scripts/check_onnx_export.py (Debian's python3-onnx) over them for onnx.checker's verdicts, and
// writes checker.json: each model's structure hash (the graph without its float weights, whose last
// bits differ between backends) and the verdict. The .onnx files are not committed: the test
// re-exports and compares structure hashes.
//   npx tsx scripts/gen-onnx-export-fixtures.ts
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZOO, exportEntry, structureHash } from '../test/helpers/export-zoo.js';

const dir = 'test/fixtures/onnx-export/models';
const out = 'test/fixtures/onnx-export/checker.json';
mkdirSync(dir, { recursive: true });
const hashes: Record<string, string> = {};
for (const entry of ZOO) {
  const bytes = exportEntry(entry);
  writeFileSync(join(dir, `${entry.name}.onnx`), bytes);
  hashes[entry.name] = structureHash(bytes);
}
execFileSync('/usr/bin/python3', ['scripts/check_onnx_export.py', dir, out], { stdio: 'inherit' });
const verdicts = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
const merged = Object.fromEntries(
  Object.keys(hashes)
    .sort()
    .map((name) => [name, { structure: hashes[name], checker: verdicts[name] }]),
);
writeFileSync(out, `${JSON.stringify(merged, null, 1)}\n`);
