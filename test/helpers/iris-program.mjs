// One program run both in Node and in a page (test/browser.test.ts): iris from CSV text, a seeded
// MLP trained by fit, a safetensors round trip, and what a file read says where there are no files.
// Plain JavaScript, served to the page as written.

/** @param {typeof import('../../src/index.js')} axon @param {string} csvText */
export function irisProgram(axon, csvText) {
  axon.manualSeed(7);
  const d = axon.data.parseCsv(csvText, { target: 'species' });
  const x = d.features.sub(d.features.mean(0)).div(d.features.std(0));
  const loader = new axon.data.DataLoader(new axon.data.TensorDataset(x, d.target), {
    batchSize: 16,
    shuffle: true,
    generator: new axon.Generator(1),
  });
  const model = new axon.nn.Sequential(new axon.nn.Linear(4, 16), new axon.nn.ReLU(), new axon.nn.Linear(16, 3));
  const history = axon.train.fit(model, loader, {
    epochs: 15,
    optimizer: new axon.optim.Adam(model.parameters(), { lr: 0.02 }),
    loss: axon.nn.functional.crossEntropy,
    log: () => undefined,
  });
  const accuracy = model.forward(x).argmax(1).eq(d.target).float().mean().item();
  const back = axon.io.parseSafetensors(axon.io.serializeSafetensors(model.stateDict()));
  let fileError = '';
  try {
    axon.data.loadCsv('iris.csv');
  } catch (e) {
    fileError = `${e.name}: ${e.message}`;
  }
  return {
    backend: axon.backendInfo().name,
    losses: history.epochs.map((e) => e.loss),
    accuracy,
    weight: Array.from(back.tensors['0.weight'].toTypedArray()).slice(0, 4),
    fileError,
    cpuSeconds: 'cpuSeconds' in history.epochs[0],
  };
}
