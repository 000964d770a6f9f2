/**
 * The TensorFlow.js anchor: the same training workloads with tfjs-layers on TensorFlow.js's
 * fastest backend that installs here and can run them. tfjs-node needs a libtensorflow download
 * at install time, which this machine's closed network refuses, so the candidates are 'wasm'
 * (SIMD) and 'cpu' (plain JS). Each workload runs on both where it can (wasm lacks some training
 * kernels, such as Conv2DBackpropFilter) and keeps the faster. tfjs-layers has no Transformer
 * encoder layer, so that workload has no TF.js figure.
 */
type Tf = typeof import('@tensorflow/tfjs');

export interface TfjsResult {
  /** Per workload: the samples/s of the faster backend, and which backend that was. */
  samplesPerSecond: Record<string, number>;
  backend: Record<string, string>;
  /** Every figure: backend → workload → samples/s. */
  all: Record<string, Record<string, number>>;
}

async function load(): Promise<Tf | string> {
  // tfjs prints a banner about tfjs-node on import; keep the benchmark's output clean.
  const [log, warn] = [console.log, console.warn];
  console.log = console.warn = () => {};
  try {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    return tf;
  } catch (e) {
    return `TensorFlow.js not run (${(e as Error).message.split('\n')[0]}); npm install the devDependencies`;
  } finally {
    [console.log, console.warn] = [log, warn];
  }
}

function model(tf: Tf, name: string): [import('@tensorflow/tfjs').Sequential, number[]] | null {
  const L = tf.layers;
  switch (name) {
    case 'mlp':
      return [
        tf.sequential({
          layers: [
            L.dense({ units: 256, activation: 'relu', inputShape: [784] }),
            L.dense({ units: 128, activation: 'relu' }),
            L.dense({ units: 10 }),
          ],
        }),
        [128, 784],
      ];
    case 'lenet':
      return [
        tf.sequential({
          layers: [
            L.conv2d({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] }),
            L.maxPooling2d({ poolSize: 2 }),
            L.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
            L.maxPooling2d({ poolSize: 2 }),
            L.flatten(),
            L.dense({ units: 120, activation: 'relu' }),
            L.dense({ units: 84, activation: 'relu' }),
            L.dense({ units: 10 }),
          ],
        }),
        [64, 28, 28, 1],
      ];
    case 'lstm':
      return [
        tf.sequential({ layers: [L.lstm({ units: 128, inputShape: [32, 64] }), L.dense({ units: 10 })] }),
        [32, 32, 64],
      ];
    default:
      return null;
  }
}

async function throughput(tf: Tf, name: string, seconds: number): Promise<number | undefined> {
  const made = model(tf, name);
  if (!made) return undefined;
  const [m, shape] = made;
  m.compile({
    optimizer: name === 'mlp' ? tf.train.momentum(0.01, 0.9) : tf.train.adam(1e-3),
    loss: (y: import('@tensorflow/tfjs').Tensor, p: import('@tensorflow/tfjs').Tensor) =>
      tf.losses.softmaxCrossEntropy(y, p),
  });
  const x = tf.randomNormal(shape),
    y = tf.oneHot(tf.randomUniform([shape[0]!], 0, 10, 'int32'), 10);
  await m.trainOnBatch(x, y);
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await m.trainOnBatch(x, y);
    steps++;
  }
  const result = (steps * shape[0]!) / ((performance.now() - start) / 1000);
  m.dispose();
  tf.dispose([x, y]);
  return result;
}

export async function tfjsAnchor(workloads: string[], seconds: number): Promise<TfjsResult | string> {
  const tf = await load();
  if (typeof tf === 'string') return tf;
  const result: TfjsResult = { samplesPerSecond: {}, backend: {}, all: {} };
  for (const backend of ['wasm', 'cpu']) {
    if (!(await tf.setBackend(backend))) continue;
    await tf.ready();
    for (const name of workloads) {
      try {
        const v = await throughput(tf, name, seconds);
        if (v !== undefined) (result.all[backend] ??= {})[name] = v;
        if (v !== undefined && v > (result.samplesPerSecond[name] ?? 0)) {
          result.samplesPerSecond[name] = v;
          result.backend[name] = backend;
        }
      } catch {
        // This backend lacks a kernel the workload needs; the other one may have it.
      }
    }
  }
  if (Object.keys(result.backend).length === 0)
    return 'TensorFlow.js not run: neither its wasm nor its cpu backend could train the workloads';
  return result;
}
