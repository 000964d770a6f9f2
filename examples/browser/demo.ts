/**
 * The browser demo (examples/browser/index.html): trains a small CNN on the 8×8 digits in the page,
 * on the best backend it finds (WebGPU on a hardware adapter, else WebAssembly, else JS; `?backend=`
 * chooses one), drawing the loss as it goes; then classifies a digit drawn with the mouse. Values are
 * read with the async accessors, which every backend has. `npm run demo:browser` builds and serves it.
 * State for tests and curious users: window.axonDemo.
 */
import * as ax from '../../src/browser.js';

const { nn, data, optim } = ax;
const EPOCHS = Number(new URLSearchParams(location.search).get('epochs') ?? 8);

interface DemoState {
  backend: string;
  epoch: number;
  accuracy: number;
  losses: number[];
  /** Test accuracy after each epoch, with the number of batches trained by then. */
  accuracies: { batches: number; accuracy: number }[];
  done: boolean;
  prediction: number | null;
  probabilities: number[];
  error?: string;
}
const state: DemoState = {
  backend: '',
  epoch: 0,
  accuracy: 0,
  losses: [],
  accuracies: [],
  done: false,
  prediction: null,
  probabilities: [],
};
(window as unknown as { axonDemo: DemoState }).axonDemo = state;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string) => ($('status').textContent = text);
const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

function model(): ax.nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }),
    new nn.BatchNorm2d(16),
    new nn.ReLU(),
    new nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nn.BatchNorm2d(32),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Dropout(0.2),
    new nn.Linear(32 * 4 * 4, 10),
  );
}

/** data/digits.csv as images [N, 1, 8, 8] in [0, 1] and labels, split 80/20 (stratified, seeded). */
async function loadDigits() {
  const d = data.parseCsv(await (await fetch('./digits.csv')).text(), { target: 'label' });
  const x = d.features.div(16).reshape([-1, 1, 8, 8]);
  const y = d.target!;
  const [train, test] = data.stratifiedSplit(y.toArray() as number[], [0.8, 0.2], new ax.Generator(0));
  const rows = (t: ax.Tensor, idx: number[]) => t.indexSelect(0, ax.tensor(idx, { dtype: 'int32' }));
  return { xTrain: rows(x, train!), yTrain: rows(y, train!), xTest: rows(x, test!), yTest: rows(y, test!) };
}

function drawChart(): void {
  const canvas = $<HTMLCanvasElement>('chart');
  const g = canvas.getContext('2d')!;
  const { width: w, height: h } = canvas;
  const pad = 32;
  g.clearRect(0, 0, w, h);
  g.strokeStyle = '#ccc';
  g.strokeRect(pad, 8, w - pad - 8, h - pad - 8);
  const losses = state.losses;
  if (losses.length < 2) return;
  const max = Math.max(...losses.slice(0, 20), 0.5);
  const x = (i: number) => pad + ((w - pad - 8) * i) / (losses.length - 1);
  const y = (v: number) => 8 + (h - pad - 8) * (1 - Math.min(v, max) / max);
  g.strokeStyle = '#3b7dd8';
  g.beginPath();
  losses.forEach((v, i) => (i ? g.lineTo(x(i), y(v)) : g.moveTo(x(i), y(v))));
  g.stroke();
  g.fillStyle = '#555';
  g.font = '12px system-ui';
  g.fillText(max.toFixed(2), 2, 16);
  g.fillText('0', 20, h - pad);
  g.fillText(`${losses.length} batches`, w - 90, h - 10);
  g.fillText(`loss ${losses.at(-1)!.toFixed(3)}`, pad + 8, h - 10);
  // Accuracy on a 0–1 scale of its own, one point per epoch.
  const acc = state.accuracies;
  if (acc.length === 0) return;
  const ya = (v: number) => 8 + (h - pad - 8) * (1 - v);
  g.strokeStyle = g.fillStyle = '#2a9d4b';
  g.beginPath();
  acc.forEach((a, i) => (i ? g.lineTo(x(a.batches - 1), ya(a.accuracy)) : g.moveTo(x(a.batches - 1), ya(a.accuracy))));
  g.stroke();
  for (const a of acc) g.fillRect(x(a.batches - 1) - 2, ya(a.accuracy) - 2, 4, 4);
  g.fillText(`accuracy ${acc.at(-1)!.accuracy.toFixed(3)}`, pad + 110, h - 10);
}

async function trainModel(net: ax.nn.Module, d: Awaited<ReturnType<typeof loadDigits>>): Promise<void> {
  const loader = new data.DataLoader(new data.TensorDataset(d.xTrain, d.yTrain), {
    batchSize: 32,
    shuffle: true,
    generator: new ax.Generator(1),
  });
  const opt = new optim.AdamW(net.parameters(), { lr: 3e-3, weightDecay: 1e-2 });
  const schedule = new optim.CosineAnnealingLR(opt, EPOCHS);
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    net.train();
    const t0 = performance.now();
    for (const [xb, yb] of loader) {
      // In ax.tidy: the step's intermediates are freed when it returns, and their memory serves the next.
      const loss = ax.tidy(() => {
        opt.zeroGrad();
        const loss = nn.functional.crossEntropy(net.forward(xb!), yb!);
        loss.backward();
        opt.step();
        return loss.detach();
      });
      state.losses.push(await loss.itemAsync());
      // Let the page draw between batches: training runs on the main thread in small steps.
      if (state.losses.length % 4 === 0) {
        drawChart();
        await nextFrame();
      }
    }
    schedule.step();
    net.eval();
    const accuracy = await ax.noGrad(() => net.forward(d.xTest).argmax(1).eq(d.yTest).float().mean()).itemAsync();
    Object.assign(state, { epoch, accuracy });
    state.accuracies.push({ batches: state.losses.length, accuracy });
    const seconds = (performance.now() - t0) / 1000;
    status(
      `backend ${state.backend} · epoch ${epoch}/${EPOCHS} · test accuracy ${accuracy.toFixed(3)} · ${(d.xTrain.shape[0]! / seconds).toFixed(0)} images/s`,
    );
    drawChart();
    await nextFrame();
  }
}

/** A 32×32 drawing grid (the UCI digits were drawn at 32×32 and counted in 4×4 blocks to 8×8). */
function drawingPad(onDone: (grid: Uint8Array) => void) {
  const canvas = $<HTMLCanvasElement>('pad');
  const g = canvas.getContext('2d')!;
  const cell = canvas.width / 32;
  const grid = new Uint8Array(32 * 32);
  let down = false;
  const paint = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    const cx = ((e.clientX - r.left) / r.width) * 32,
      cy = ((e.clientY - r.top) / r.height) * 32;
    for (let y = Math.floor(cy - 3); y <= cy + 3; y++)
      for (let x = Math.floor(cx - 3); x <= cx + 3; x++) {
        if (x < 0 || y < 0 || x >= 32 || y >= 32 || (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > 5) continue;
        grid[y * 32 + x] = 1;
        g.fillStyle = '#fff';
        g.fillRect(x * cell, y * cell, cell, cell);
      }
  };
  canvas.addEventListener('pointerdown', (e) => {
    down = true;
    paint(e);
  });
  canvas.addEventListener('pointermove', (e) => down && paint(e));
  window.addEventListener('pointerup', () => {
    if (!down) return;
    down = false;
    onDone(grid);
  });
  $('clear').addEventListener('click', () => {
    grid.fill(0);
    g.clearRect(0, 0, canvas.width, canvas.height);
    state.prediction = null;
    $('prediction').textContent = '–';
    $('probs').replaceChildren();
  });
}

async function showPrediction(net: ax.nn.Module, grid: Uint8Array): Promise<void> {
  // Counts of drawn cells in each 4×4 block: 0…16, as in the data set.
  const img = new Float32Array(64);
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) img[(y >> 2) * 8 + (x >> 2)]! += grid[y * 32 + x]!;
  const x = ax.fromTypedArray(img, [1, 1, 8, 8]).div(16);
  const probs = (await ax.noGrad(() => net.forward(x).softmax(1)).dataAsync()) as Float32Array;
  const best = probs.indexOf(Math.max(...probs));
  Object.assign(state, { prediction: best, probabilities: [...probs] });
  $('prediction').textContent = String(best);
  $('probs').replaceChildren(
    ...[...probs].flatMap((p, k) => {
      const label = document.createElement('span');
      label.textContent = String(k);
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.width = `${Math.max(1, p * 160)}px`;
      const value = document.createElement('span');
      value.textContent = p.toFixed(3);
      return [label, bar, value];
    }),
  );
}

/**
 * WebGPU when the adapter is a real GPU (a software one, such as SwiftShader, is slower than the
 * WebAssembly kernels), else WebAssembly, else JS; `?backend=webgpu|wasm|js` forces one.
 */
async function chooseBackend(): Promise<void> {
  const forced = new URLSearchParams(location.search).get('backend');
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterInfo | null> } }).gpu;
  const adapter = forced === null && gpu ? await gpu.requestAdapter() : null;
  const software =
    adapter?.info?.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(adapter?.info?.architecture ?? '');
  if (forced === 'webgpu' || (adapter && !software)) {
    try {
      await ax.initWebGpu();
      return;
    } catch (e) {
      console.warn(`axon demo: WebGPU did not start (${(e as Error).message})`);
    }
  }
  if (forced === 'js') return void ax.setBackend('js');
  try {
    await ax.initWasm();
  } catch (e) {
    console.warn(`axon demo: the wasm backend did not load (${(e as Error).message}); training on the JS backend`);
    ax.setBackend('js');
  }
}

interface GpuAdapterInfo {
  info?: { architecture?: string; isFallbackAdapter?: boolean };
}

async function main(): Promise<void> {
  await chooseBackend();
  state.backend = ax.backendInfo().name;
  status(`backend ${state.backend} · loading data/digits.csv…`);
  ax.manualSeed(0);
  const d = await loadDigits();
  const net = model();
  await trainModel(net, d);
  net.eval();
  state.done = true;
  status(`${$('status').textContent} · done: draw a digit on the black pad`);
  drawingPad((grid) => void showPrediction(net, grid));
}

main().catch((e: Error) => {
  state.error = `${e.name}: ${e.message}`;
  status(`error: ${state.error}`);
});
