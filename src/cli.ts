// The `axon` command line (commander): summary, predict and serve for ONNX models; the training dashboard.
// Exit codes: 0 ok, 1 failure, 2 bad usage.
import './node-host.js'; // tensor methods, platform, backends (the CLI is an entry point of its own)
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extname } from 'node:path';
import { noGrad } from './autograd/grad-mode.js';
import { AxonError } from './errors.js';
import { load } from './onnx/load.js';
import { tensor } from './tensor/create.js';
import { Tensor } from './tensor/tensor.js';
import { createServer } from './serve/server.js';
import { createDashboardServer } from './dashboard/server.js';
import { parseNpy } from './io/npy.js';
import { parseCsv } from './data/csv.js';
import * as metrics from './train/metrics.js';
import { loadProfile, profileData, saveProfile } from './monitor/profile.js';
import { detectDrift } from './monitor/drift.js';
import { driftReportHtml } from './monitor/report.js';
import { launch } from './distributed/launcher.js';
import { run as runTune, resultsTable } from './tune/run.js';
import { spaceFromJson } from './tune/space-json.js';
import { Asha } from './tune/asha.js';
import { UsageError, exportCommand } from './cli-export.js';

class RankFailure extends Error {}

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

function nonNegative(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative number`);
    return n;
  };
}

/** Inputs for `predict`: a .npy array, a .csv of numeric rows (header first), or JSON (an array of samples, or {name: array}). */
function readInputs(path: string, inputNames: string[]): Record<string, Tensor> {
  const ext = extname(path).toLowerCase();
  const bytes = readFileSync(path);
  if (ext === '.npy') return { [inputNames[0]!]: parseNpy(bytes) };
  if (ext === '.csv') {
    const d = parseCsv(bytes.toString('utf8'));
    return { [inputNames[0]!]: d.features };
  }
  if (ext !== '.json') throw new UsageError(`predict: INPUT must be .json, .csv or .npy, got ${path}`);
  const json = JSON.parse(bytes.toString('utf8')) as unknown;
  if (Array.isArray(json)) return { [inputNames[0]!]: tensor(json as number[]) };
  if (json !== null && typeof json === 'object')
    return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, tensor(v as number[])]));
  throw new UsageError('predict: the JSON input must be an array of samples or an object of arrays by input name');
}

export function program(): Command {
  const cli = new Command('axon')
    .description('Axon: run, inspect and serve ONNX models; watch training')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .enablePositionalOptions();

  cli
    .command('summary')
    .description('print a model’s inputs, outputs, parameters and graph size')
    .argument('<model>', 'an .onnx file')
    .action((path: string) => {
      const m = load(path);
      const sig = m.signature();
      const dims = (s: (number | string | null)[] | undefined) => `[${(s ?? []).map((d) => d ?? '?').join(', ')}]`;
      console.log(m.toString().split('\n')[0]);
      console.log(
        `producer: ${m.info.producerName} ${m.info.producerVersion}, opsets ${JSON.stringify(m.info.opsets)}`,
      );
      for (const i of sig.inputs) console.log(`input  ${i.name} ${dims(i.shape)}`);
      for (const o of sig.outputs) console.log(`output ${o.name} ${dims(o.shape)}`);
      console.log(
        `parameters: ${m.numParameters()} in ${m.parameters().length} tensors; buffers: ${m.buffers().length}`,
      );
    });

  cli
    .command('predict')
    .description('run a model on inputs from a file and print (or write) the outputs as JSON')
    .argument('<model>', 'an .onnx file')
    .argument('<input>', 'a .json, .csv (header row, numeric columns) or .npy file')
    .option('--out <file>', 'write the outputs here instead of printing them')
    .action((path: string, input: string, o: { out?: string }) => {
      const m = load(path).eval();
      const feeds = readInputs(input, m.inputNames);
      for (const [name, t] of Object.entries(feeds)) {
        const want = m.signature().inputs.find((i) => i.name === name);
        if (want && want.elemType === 1 && t.dtype !== 'float32') feeds[name] = t.to('float32');
      }
      const result = noGrad(() => m.run(feeds));
      const out = Object.fromEntries(
        Object.entries(result).map(([k, v]) => [
          k,
          v instanceof Tensor ? { shape: v.shape, data: v.toArray() } : String(v),
        ]),
      );
      const text = `${JSON.stringify(out)}\n`;
      if (o.out) writeFileSync(o.out, text);
      else process.stdout.write(text);
    });

  cli
    .command('export')
    .description('write a model defined in code, with its trained weights, as an ONNX file')
    .argument('<module>', 'a .js/.mjs (or, under tsx, .ts) file exporting an nn.Module or a function returning one')
    .requiredOption('--onnx <file>', 'the ONNX file to write')
    .option('--weights <file>', 'a safetensors state dict or an Axon checkpoint to load first')
    .option('--export <name>', "the module file's export to use", 'default')
    .option(
      '--input-shape <dims>',
      "an example input's shape, e.g. 1,784 (repeat for several inputs; default: the file's exampleInputs)",
      (v: string, all: number[][] = []) => {
        const dims = v.split(',').map(Number);
        if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 1))
          throw new InvalidArgumentError('--input-shape must be positive integers separated by commas');
        return [...all, dims];
      },
    )
    .option('--dynamic-batch', 'make the first dimension of every input and of the output a free "batch" size')
    .option('--opset <n>', 'the ONNX opset (17 to 20)', positiveInt('--opset'))
    .action(async (file: string, o: Parameters<typeof exportCommand>[1]) => {
      for (const line of await exportCommand(file, o)) console.log(line);
    });

  cli
    .command('evaluate')
    .description('score a model on a labelled CSV: accuracy, precision/recall/F1 and confusion matrix, or MAE/RMSE/R²')
    .argument('<model>', 'an .onnx file with one input [N, features]')
    .argument('<data>', "CSV with a header row: the features in the model's order, and the target column")
    .requiredOption('--target <column>', 'the target column')
    .option('--task <task>', "'classification' or 'regression' (default: classification for integer or text targets)")
    .option(
      '--threshold <t>',
      'one-output classifiers: positive above this (default 0.5 for probabilities, 0 for logits)',
      Number,
    )
    .action((path: string, data: string, o: { target: string; task?: string; threshold?: number }) => {
      const m = load(path).eval();
      const d = parseCsv(readFileSync(data).toString('utf8'), { target: o.target }, data);
      const task = o.task ?? (d.target!.dtype === 'int32' ? 'classification' : 'regression');
      if (task !== 'classification' && task !== 'regression')
        throw new UsageError(`evaluate: --task must be classification or regression, got '${task}'`);
      const started = performance.now();
      const out = noGrad(() => m.forward(d.features)) as Tensor;
      const seconds = (performance.now() - started) / 1000;
      const n = d.features.shape[0]!;
      const timing = { rows: n, seconds: +seconds.toFixed(4), rowsPerSecond: Math.round(n / seconds) };
      let result: Record<string, unknown>;
      if (task === 'regression') {
        const pred = out.reshape(-1),
          y = d.target!.float();
        result = { task, mae: metrics.mae(pred, y), rmse: metrics.rmse(pred, y), r2: metrics.r2(pred, y) };
      } else {
        let labels: Tensor;
        if (out.ndim === 2 && out.shape[1]! > 1) labels = out.argmax(1);
        else {
          const v = out.reshape(-1);
          const probabilities = (v.min().item() as number) >= 0 && (v.max().item() as number) <= 1;
          labels = v.gt(o.threshold ?? (probabilities ? 0.5 : 0)).int();
        }
        const prf = metrics.precisionRecallF1(labels, d.target!, { average: 'macro' });
        result = {
          task,
          accuracy: metrics.accuracy(labels, d.target!),
          ...prf,
          confusionMatrix: metrics.confusionMatrix(labels, d.target!),
          ...(d.classes ? { classes: d.classes } : {}),
        };
      }
      process.stdout.write(`${JSON.stringify({ ...result, ...timing })}\n`);
    });

  cli
    .command('serve')
    .description('serve models over HTTP: Open Inference Protocol (KServe v2), /predict and /metrics')
    .argument('<models...>', 'model files, each PATH or NAME=PATH (versions: NAME@VERSION=PATH)')
    .option('--port <n>', 'port', positiveInt('--port'), 8000)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--workers <n>', 'model worker threads per model', positiveInt('--workers'), 1)
    .option('--threads <n>', 'kernel threads per worker', positiveInt('--threads'), 1)
    .option('--max-batch <n>', 'largest dynamic batch', positiveInt('--max-batch'), 32)
    .option(
      '--max-delay-ms <ms>',
      'how long a request waits for others to batch with',
      nonNegative('--max-delay-ms'),
      2,
    )
    .option('--max-queue <n>', 'waiting requests before 429', positiveInt('--max-queue'), 1024)
    .option(
      '--inline-max-us <us>',
      'batches measured to take at most this long run on the event loop, not a worker (0: never)',
      nonNegative('--inline-max-us'),
      1000,
    )
    .option(
      '--warmup <runs>',
      'batches of one each copy of a model runs before serving (at most 1 s; 0: none)',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('--warmup must be a whole number ≥ 0');
        return n;
      },
      1000,
    )
    .option('--timeout-ms <ms>', 'default request deadline', positiveInt('--timeout-ms'), 30000)
    .option('--log-requests <file>', 'append sampled requests and their predictions to this JSON-lines file')
    .option(
      '--log-sample <rate>',
      'the share of requests logged, in (0, 1]',
      (v: string) => {
        const r = Number(v);
        if (!(r > 0 && r <= 1)) throw new InvalidArgumentError('--log-sample must be in (0, 1]');
        return r;
      },
      1,
    )
    .action(async (specs: string[], o: Record<string, number | string>) => {
      const models = specs.map((s) => {
        const m = /^([A-Za-z0-9_.-]+)(?:@([A-Za-z0-9_.-]+))?=(.+)$/.exec(s);
        return m ? { name: m[1], version: m[2], path: m[3]! } : { path: s };
      });
      const server = await createServer(models, {
        workers: o.workers as number,
        threadsPerWorker: o.threads as number,
        maxBatchSize: o.maxBatch as number,
        maxQueueDelayUs: (o.maxDelayMs as number) * 1000,
        maxQueueSize: o.maxQueue as number,
        inlineMaxUs: o.inlineMaxUs as number,
        warmup: { runs: o.warmup as number },
        requestTimeoutMs: o.timeoutMs as number,
        ...(o.logRequests ? { requestLog: { path: o.logRequests as string, sampleRate: o.logSample as number } } : {}),
      });
      const address = await server.app.listen({ port: o.port as number, host: o.host as string });
      console.log(
        `axon: serving ${server.repository
          .all()
          .map((m) => `${m.name} (v${m.version})`)
          .join(', ')} at ${address}`,
      );
      const stop = (signal: string) => {
        console.log(`axon: ${signal}: finishing in-flight requests`);
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });

  cli
    .command('profile')
    .description(
      'save the reference profile of a CSV of training inputs, for drift monitoring (next to model.onnx as model.profile.json)',
    )
    .argument('<data>', 'CSV with a header row')
    .requiredOption('--out <file>', 'where to write the profile (JSON)')
    .option('--exclude <columns...>', 'columns that are not model inputs (e.g. the target)')
    .option('--categorical <columns...>', 'categorical columns (numbers that name categories)')
    .option('--model <file>', 'an .onnx model: its first output on the rows is profiled too (prediction drift)')
    .action((data: string, o: { out: string; exclude?: string[]; categorical?: string[]; model?: string }) => {
      const d = parseCsv(readFileSync(data).toString('utf8'), { exclude: o.exclude }, data);
      let predictions: Tensor | undefined;
      if (o.model) {
        const m = load(o.model).eval();
        const out = noGrad(() => m.run({ [m.inputNames[0]!]: d.features }))[m.outputNames[0]!];
        if (!(out instanceof Tensor)) throw new UsageError(`profile: ${o.model}'s first output is not a tensor`);
        predictions = out;
      }
      const profile = profileData(d.features, {
        featureNames: d.featureNames,
        categorical: o.categorical,
        predictions,
      });
      saveProfile(o.out, profile);
      console.log(
        `axon: profile of ${profile.rows} rows × ${profile.features.length} features${predictions ? ` and ${profile.predictions!.length} prediction column(s)` : ''} written to ${o.out}`,
      );
    });

  const monitorCmd = cli.command('monitor').description('data drift against a reference profile');
  monitorCmd
    .command('report')
    .description('write a self-contained HTML drift report of current data (CSV) against a profile')
    .argument('<profile>', 'a reference profile (axon profile, or ax.monitor.saveProfile)')
    .argument('<data>', 'CSV of current inputs with the same columns')
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--exclude <columns...>', 'columns to leave out, as when profiling')
    .option('--psi', 'use the population stability index for numeric features')
    .action((profilePath: string, data: string, o: { out: string; exclude?: string[]; psi?: boolean }) => {
      const profile = loadProfile(profilePath);
      const d = parseCsv(readFileSync(data).toString('utf8'), { exclude: o.exclude }, data);
      const names = profile.features.map((f) => f.name);
      if (d.featureNames.join() !== names.join())
        throw new UsageError(
          `monitor report: ${data} has columns ${d.featureNames.join(', ')}; the profile has ${names.join(', ')}`,
        );
      const report = detectDrift(profile, d.features, { method: o.psi ? 'psi' : 'auto' });
      const cols = names.map((_, j) => d.features.select(1, j).toArray() as number[]);
      writeFileSync(o.out, driftReportHtml(profile, report, cols, `Drift of ${data}`));
      console.log(
        `axon: ${report.driftedFeatures.length} of ${report.features.length} features drifted (${report.driftedFeatures.join(', ') || 'none'}); report written to ${o.out}`,
      );
    });

  cli
    .command('dashboard')
    .description("serve the live training dashboard for a log directory of MetricsLogger 'jsonl' runs")
    .argument('<logdir>', 'directory of runs (each a folder holding metrics .jsonl files and pictures)')
    .option('--port <n>', 'port', positiveInt('--port'), 6007)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (logDir: string, o: Record<string, number | string>) => {
      if (!existsSync(logDir) || !statSync(logDir).isDirectory())
        throw new UsageError(`dashboard: ${logDir} is not a directory`);
      const app = createDashboardServer(logDir);
      const address = await app.listen({ port: o.port as number, host: o.host as string });
      console.log(`axon: dashboard for ${logDir} at ${address}/`);
      const stop = () => void app.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
  cli
    .command('tune')
    .description(
      'hyper-parameter search: run TRIAL (a module whose default export is trial(config, ctx)) over a JSON search space, in parallel processes',
    )
    .argument('<trial>', 'the trial module (.ts through tsx, or .js)')
    .requiredOption(
      '--space <file>',
      'JSON search space: {"lr": {"logUniform": [1e-4, 1e-1]}, "width": {"choice": [8, 16]}, …}',
    )
    .requiredOption('--metric <name>', 'the reported metric to optimise, e.g. valAccuracy')
    .option('--mode <max|min>', 'whether higher or lower is better', 'max')
    .option('--grid', 'grid search over the choices (default: random search)')
    .option('--samples <n>', 'random configurations to try', positiveInt('--samples'), 10)
    .option('--epochs <n>', 'epochs per trial', positiveInt('--epochs'), 10)
    .option('--asha', 'stop weak trials early (ASHA)')
    .option('--grace <n>', 'ASHA: epochs before a trial can be stopped', positiveInt('--grace'), 1)
    .option('--eta <n>', 'ASHA: keep the best 1/eta at each rung', positiveInt('--eta'), 3)
    .option('--workers <n>', 'trials at once (default: cores ÷ threads)', positiveInt('--workers'))
    .option('--threads <n>', 'native threads per trial', positiveInt('--threads'), 1)
    .option('--memory-mb <n>', 'heap limit per trial (then the trial ends as oom)', positiveInt('--memory-mb'))
    .option('--timeout <seconds>', 'time limit per trial', positiveInt('--timeout'))
    .option('--seed <n>', 'seed of the random search', nonNegative('--seed'), 0)
    .option('--out <dir>', 'where trial logs and results.json go (default runs/tune-<date>)')
    .action(async (trial: string, o: Record<string, unknown>) => {
      if (!existsSync(trial)) throw new UsageError(`tune: no trial module at ${trial}`);
      if (!existsSync(o['space'] as string)) throw new UsageError(`tune: no search space at ${o['space']}`);
      if (o['mode'] !== 'max' && o['mode'] !== 'min') throw new UsageError(`tune: --mode must be max or min`);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(o['space'] as string, 'utf8'));
      } catch (e) {
        throw new UsageError(`tune: ${o['space']} is not JSON: ${(e as Error).message}`);
      }
      const epochs = o['epochs'] as number;
      const result = await runTune({
        trial,
        space: spaceFromJson(json, o['space'] as string),
        metric: o['metric'] as string,
        mode: o['mode'] as 'max' | 'min',
        search: o['grid'] ? 'grid' : 'random',
        numSamples: o['samples'] as number,
        maxEpochs: epochs,
        scheduler: o['asha']
          ? new Asha({ maxEpochs: epochs, gracePeriod: o['grace'] as number, reductionFactor: o['eta'] as number })
          : undefined,
        workers: o['workers'] as number | undefined,
        threadsPerTrial: o['threads'] as number,
        memoryMb: o['memoryMb'] as number | undefined,
        timeoutSeconds: o['timeout'] as number | undefined,
        seed: o['seed'] as number,
        logDir: o['out'] as string | undefined,
        log: (line) => console.log(line),
      });
      console.log(`\n${resultsTable(result)}`);
      console.log(
        `\naxon: ${result.trials.length} trials, ${result.epochsRun} epochs, ${result.wallSeconds.toFixed(0)} s; best ${result.metric} ${result.best?.score?.toFixed(4) ?? '—'} with ${JSON.stringify(result.best?.config ?? null)}; results in ${result.logDir}/results.json`,
      );
    });

  cli
    .command('run')
    .description(
      'start a distributed training script on this machine, one process per rank (as torchrun): sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT',
    )
    .argument('<script>', 'the training script (.ts through tsx, .js with node, or any command)')
    .argument('[args...]', "the script's own arguments")
    .option('--nproc-per-node <n>', 'processes on this machine', positiveInt('--nproc-per-node'), 2)
    .option('--nnodes <n>', 'machines in the job', positiveInt('--nnodes'), 1)
    .option('--node-rank <n>', "this machine's index in the job (0 hosts rank 0)", nonNegative('--node-rank'), 0)
    .option('--master-addr <host>', "rank 0's machine, reachable from every machine", '127.0.0.1')
    .option(
      '--master-port <port>',
      "the port rank 0's store listens on (default: a free one on one machine, 29500 on several)",
      positiveInt('--master-port'),
    )
    .option(
      '--threads <n>',
      'native threads per process (default: the cores divided among the processes)',
      positiveInt('--threads'),
    )
    .passThroughOptions()
    .action(async (script: string, args: string[], o: Record<string, number | string | undefined>) => {
      const code = await launch(script, args, {
        nprocPerNode: o['nprocPerNode'] as number,
        nnodes: o['nnodes'] as number,
        nodeRank: o['nodeRank'] as number,
        masterAddr: o['masterAddr'] as string,
        masterPort: o['masterPort'] as number | undefined,
        threadsPerProcess: o['threads'] as number | undefined,
      });
      if (code !== 0) throw new RankFailure('a rank failed (see above)');
    });
  return cli;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      console.error(`axon: ${e.message}`);
      return 2;
    }
    console.error(`axon: ${e instanceof AxonError ? `${e.name}: ` : ''}${(e as Error).message}`);
    return 1;
  }
}

// Run as a script (`node dist/cli.js`, `tsx src/cli.ts`); bin/axon.mjs calls main() itself.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
