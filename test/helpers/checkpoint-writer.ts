// Child process for the kill-mid-save test: writes a good checkpoint, says so, then keeps
// rewriting a much larger one at the same path until it is killed.
import * as ax from '../../src/index.js';

const path = process.argv[2]!;
ax.manualSeed(7);
const small = new ax.nn.Linear(4, 3);
ax.io.saveCheckpoint(path, { model: small, epoch: 1 });
process.stdout.write('saved\n');
// ~200 MB of weights under the same keys' prefix: each save takes long enough to be interrupted.
const big = new ax.nn.Linear(4, 3);
(big as unknown as { extra: ax.nn.Parameter }).extra = new ax.nn.Parameter(ax.ones([50_000_000]));
for (let epoch = 2; ; epoch++) ax.io.saveCheckpoint(path, { model: big, epoch });
