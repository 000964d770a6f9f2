// Writes test/fixtures/axon-written.safetensors (an Axon model's state dict, float32 and int32
// tensors) and axon-written.json (an input and Axon's output). scripts/check_axon_safetensors.py
// then loads the file into the same PyTorch model and records PyTorch's output in the JSON;
// test/io.test.ts checks that Axon still writes these exact bytes. Run: npx tsx scripts/write_axon_safetensors.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';

export function axonWrittenModel(): { model: ax.nn.Module; input: ax.Tensor } {
  ax.manualSeed(11);
  const model = new ax.nn.Sequential(
    new ax.nn.Linear(4, 3),
    new ax.nn.BatchNorm1d(3),
    new ax.nn.ReLU(),
    new ax.nn.Linear(3, 2),
  );
  model.forward(ax.randn([5, 4])); // moves the running statistics and num_batches_tracked
  model.eval();
  return { model, input: ax.randn([2, 4]) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
  const { model, input } = axonWrittenModel();
  ax.io.saveSafetensors(`${dir}axon-written.safetensors`, model.stateDict(), { writer: 'axon' });
  const output = ax.noGrad(() => model.forward(input));
  writeFileSync(
    `${dir}axon-written.json`,
    JSON.stringify({ input: input.toArray(), axonOutput: output.toArray() }, null, 1),
  );
  console.log('wrote test/fixtures/axon-written.safetensors and axon-written.json');
}
