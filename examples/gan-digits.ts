/**
 * A GAN that learns to draw 8×8 handwritten digits (data/digits.csv), with a hand-written
 * training loop: the discriminator learns to tell real from generated images, the generator to
 * fool it. Saves a PNG grid of samples and scores them with a digits classifier trained here:
 * the share of samples it classifies with confidence ≥ 0.9, and how many digit classes they cover.
 *
 *   npx tsx examples/gan-digits.ts [--epochs 150] [--out gan-digits.png]
 */
import * as ax from '../src/index.js';
import { digitsCnn } from './digits-cnn.js';
import { digits, flag, isMain, timed } from './common.js';

const { nn, data, optim, train } = ax;
const NOISE = 32;

export const makeGenerator = () =>
  new nn.Sequential(
    new nn.Linear(NOISE, 128),
    new nn.BatchNorm1d(128),
    new nn.LeakyReLU(0.2),
    new nn.Linear(128, 256),
    new nn.BatchNorm1d(256),
    new nn.LeakyReLU(0.2),
    new nn.Linear(256, 64),
    new nn.Sigmoid(),
    new nn.Unflatten(1, [1, 8, 8]),
  );

export const makeDiscriminator = () =>
  new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(64, 256),
    new nn.LeakyReLU(0.2),
    new nn.Dropout(0.3),
    new nn.Linear(256, 128),
    new nn.LeakyReLU(0.2),
    new nn.Dropout(0.3),
    new nn.Linear(128, 1),
  );

/** A classifier to judge the samples: the digits CNN, trained briefly on the real training images. */
function judge(d: ReturnType<typeof digits>, epochs: number): ax.nn.Module {
  const model = digitsCnn();
  const opt = new optim.AdamW(model.parameters(), { lr: 3e-3 });
  train.fit(model, new data.DataLoader(new data.TensorDataset(d.xTrain, d.yTrain), { batchSize: 32, shuffle: true }), {
    epochs,
    optimizer: opt,
    loss: nn.functional.crossEntropy,
  });
  return model;
}

export function runGan(
  o: { epochs?: number; judgeEpochs?: number; seed?: number; out?: string; log?: (s: string) => void } = {},
) {
  const epochs = o.epochs ?? 150;
  ax.manualSeed(o.seed ?? 0);
  const d = digits();
  const G = makeGenerator(),
    D = makeDiscriminator();
  const optG = new optim.Adam(G.parameters(), { lr: 2e-4, betas: [0.5, 0.999] });
  const optD = new optim.Adam(D.parameters(), { lr: 2e-4, betas: [0.5, 0.999] });
  const bce = nn.functional.binaryCrossEntropyWithLogits;
  const loader = new data.DataLoader(new data.TensorDataset(d.xTrain), {
    batchSize: 64,
    shuffle: true,
    dropLast: true,
  });
  const [, seconds] = timed(() => {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      let lossD = 0,
        lossG = 0,
        steps = 0;
      for (const [real] of loader) {
        const n = real!.shape[0]!;
        const ones = ax.full([n, 1], 0.9),
          zeros = ax.zeros([n, 1]); // one-sided label smoothing
        // Discriminator: real → 1, generated → 0 (the generator's output is detached).
        const fake = G.forward(ax.randn([n, NOISE]));
        optD.zeroGrad();
        const ld = bce(D.forward(real!), ones).add(bce(D.forward(fake.detach()), zeros));
        ld.backward();
        optD.step();
        // Generator: make the discriminator say 1.
        optG.zeroGrad();
        const lg = bce(D.forward(fake), ax.ones([n, 1]));
        lg.backward();
        optG.step();
        lossD += ld.item();
        lossG += lg.item();
        steps++;
      }
      if (epoch % 25 === 0 || epoch === epochs)
        o.log?.(`epoch ${epoch}/${epochs}  loss D ${(lossD / steps).toFixed(3)}  loss G ${(lossG / steps).toFixed(3)}`);
    }
  });
  G.eval();
  const samples = ax.noGrad(() => G.forward(ax.randn([500, NOISE], { generator: new ax.Generator(123) })));
  if (o.out) ax.io.saveImageGrid(o.out, samples.narrow(0, 0, 64), { nrow: 8, scale: 4 });
  const classifier = judge(d, o.judgeEpochs ?? 15);
  const realAccuracy = train.metrics.accuracy(train.predict(classifier, d.xTest), d.yTest);
  const probs = train.predict(classifier, samples).softmax(1);
  const confident = probs.amax(1).ge(0.9);
  const predicted = probs.argmax(1).toArray() as number[],
    sure = confident.toArray() as boolean[];
  const classes = new Set(predicted.filter((_, i) => sure[i]));
  return {
    confidentShare: confident.float().mean().item(),
    classesCovered: classes.size,
    judgeAccuracy: realAccuracy,
    seconds,
  };
}

if (isMain(import.meta.url)) {
  const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1]! : 'gan-digits.png';
  const r = runGan({ epochs: flag('epochs', 150), out, log: console.log });
  console.log(`GAN trained in ${r.seconds.toFixed(1)} s; 64 samples saved to ${out}`);
  console.log(
    `judge (digits CNN, test accuracy ${r.judgeAccuracy.toFixed(3)}): ${(100 * r.confidentShare).toFixed(1)} % of 500 samples classified with confidence ≥ 0.9, covering ${r.classesCovered} of 10 digits`,
  );
}
