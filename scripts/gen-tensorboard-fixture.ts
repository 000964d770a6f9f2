/**
 * Writes test/fixtures/tensorboard/events.bin: a small event file (fixed times and values) from
 * Axon's encoder and framing. Then, with the official .proto files of a TensorBoard checkout:
 *
 *   npx tsx scripts/gen-tensorboard-fixture.ts
 *   bash scripts/decode-tensorboard-fixture.sh /path/to/tensorboard-checkout
 *
 * the second step decodes each record with protoc and tensorboard.Event into decoded.txt, which
 * test/tensorboard.test.ts reads (CI has neither protoc nor the .proto files; it checks that Axon
 * still writes the very bytes protoc decoded).
 */
import { writeFileSync } from 'node:fs';
import { fixtureEvents } from '../test/helpers/tensorboard-fixture.js';

const out = new URL('../test/fixtures/tensorboard/events.bin', import.meta.url);
writeFileSync(out, fixtureEvents());
console.log(`wrote ${out.pathname}`);
