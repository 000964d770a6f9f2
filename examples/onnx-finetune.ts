/**
 * Fine-tuning a model that comes from PyTorch as an ONNX file. `examples/models/digits-cnn.onnx` is a
 * small CNN trained in PyTorch on the 8×8 digits (upsampled to 28×28) and exported with
 * torch.onnx.export (scripts/train_digits_cnn.py). Here it is imported as an Axon module, cut at its
 * pooled features, given a new 10-class head and trained on 1 000 labelled Fashion-MNIST images —
 * once with the imported convolutions frozen, once fine-tuning them too — and compared with the same
 * graph trained from scratch (its weights re-initialised). The fine-tuned model is exported back to
 * ONNX. All three are tested on the Fashion-MNIST test images.
 *
 *   npx tsx examples/onnx-finetune.ts [--labelled 1000] [--epochs 15] [--out tuned.onnx]
 */
import { fileURLToPath } from 'node:url';
import * as ax from '../src/index.js';
import { flag, isMain, rows, timed } from './common.js';
import { fitOn } from './transfer-learning.js';

const { nn, data, train } = ax;

export const DIGITS_CNN = fileURLToPath(new URL('./models/digits-cnn.onnx', import.meta.url));
/** The value PyTorch's exporter names after the Flatten at the end of `features`. */
const FEATURES = '/features/features.12/Flatten_output_0';

/** The imported features (cut at the pooled 64-d vector) with a new 10-class head. */
function withNewHead(features: ax.onnx.OnnxModule): ax.nn.Sequential {
  return new nn.Sequential(features, new nn.Linear(64, 10));
}

export function runOnnxFinetune(
  o: { labelled?: number; epochs?: number; testSize?: number; out?: string; seed?: number } = {},
) {
  ax.manualSeed(o.seed ?? 0);
  const tr = data.fashionMnist('train');
  const te = data.fashionMnist('test');
  const labels = tr.labels.toArray() as number[];
  const [picked] = data.stratifiedSplit(
    labels.slice(0, 10000),
    [(o.labelled ?? 1000) / 10000, 1 - (o.labelled ?? 1000) / 10000],
    new ax.Generator(o.seed ?? 0),
  );
  const x = rows(tr.images, picked!);
  const y = rows(tr.labels, picked!).int();
  const testIdx = Array.from({ length: Math.min(o.testSize ?? 10000, te.labels.shape[0]!) }, (_, i) => i);
  const xt = rows(te.images, testIdx);
  const yt = rows(te.labels, testIdx).int();
  const epochs = o.epochs ?? 15;
  const accuracy = (m: ax.nn.Module) => train.metrics.accuracy(train.predict(m, xt, { batchSize: 500 }), yt);

  // The PyTorch model as it was trained: its own classifier reads digits, not clothes.
  const imported = ax.onnx.load(DIGITS_CNN);

  // 1. Frozen imported features, new head.
  const frozen = withNewHead(imported.truncate(FEATURES).freeze());
  const [, frozenSeconds] = timed(() => fitOn(frozen, x, y, epochs, 3e-3, 32));
  const frozenAccuracy = accuracy(frozen);

  // 2. Every layer fine-tuned (a fresh import, so the frozen run's weights are not shared).
  const tuned = withNewHead(ax.onnx.load(DIGITS_CNN).truncate(FEATURES));
  const [, tunedSeconds] = timed(() => fitOn(tuned, x, y, epochs, 2e-3, 32));
  const tunedAccuracy = accuracy(tuned);

  // 3. The same graph from scratch: every imported weight re-initialised (Kaiming, zero biases).
  ax.manualSeed((o.seed ?? 0) + 1);
  const scratchFeatures = ax.onnx.load(DIGITS_CNN).truncate(FEATURES);
  ax.noGrad(() => {
    for (const p of scratchFeatures.parameters()) {
      if (p.ndim > 1) nn.init.kaimingUniform(p, { nonlinearity: 'relu' });
      else p.zero_();
    }
  });
  const scratch = withNewHead(scratchFeatures);
  const [, scratchSeconds] = timed(() => fitOn(scratch, x, y, epochs, 2e-3, 32));
  const scratchAccuracy = accuracy(scratch);

  if (o.out)
    ax.onnx.export(tuned, xt.narrow(0, 0, 2), o.out, {
      inputNames: ['images'],
      dynamicAxes: { images: { 0: 'batch' } },
    });
  return {
    labelled: x.shape[0]!,
    testImages: xt.shape[0]!,
    frozenAccuracy,
    tunedAccuracy,
    scratchAccuracy,
    frozenSeconds,
    tunedSeconds,
    scratchSeconds,
  };
}

if (isMain(import.meta.url)) {
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex > 0 ? process.argv[outIndex + 1] : undefined;
  const r = runOnnxFinetune({ labelled: flag('labelled', 1000), epochs: flag('epochs', 15), out });
  console.log(`Fashion-MNIST from ${r.labelled} labelled images, tested on ${r.testImages}:`);
  console.log(
    `  PyTorch digits CNN (ONNX), frozen + new head: ${r.frozenAccuracy.toFixed(4)} (${r.frozenSeconds.toFixed(0)} s)`,
  );
  console.log(
    `  PyTorch digits CNN (ONNX), fine-tuned:        ${r.tunedAccuracy.toFixed(4)} (${r.tunedSeconds.toFixed(0)} s)`,
  );
  console.log(
    `  same graph from scratch:                      ${r.scratchAccuracy.toFixed(4)} (${r.scratchSeconds.toFixed(0)} s)`,
  );
  if (out) console.log(`fine-tuned model exported to ${out}`);
}
