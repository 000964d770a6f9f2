// A model defined in code, for `axon export` (test/cli.export.test.ts).
import * as ax from '../../src/index.js';

const { nn } = ax;

/** The default export: a function building the model (weights come from --weights). */
export default function build(): ax.nn.Module {
  ax.manualSeed(3);
  return new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 3));
}

export const exampleInputs = (): ax.Tensor => ax.randn([2, 4]);

/** Not a model: `axon export --export notAModel` must say so. */
export const notAModel = 42;
