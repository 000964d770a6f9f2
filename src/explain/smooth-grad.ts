// SmoothGrad (Smilkov et al. 2017) as Captum's NoiseTunnel: an attribution averaged over copies of
// the input with Gaussian noise, which washes out the gradient's high-frequency speckle.
import { optionsArg } from '../check.js';
import { ValueError } from '../errors.js';
import { randn } from '../tensor/create.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { inputXGradient, saliency } from './gradients.js';
import { integratedGradients } from './integrated-gradients.js';
import { type Forward, type Target, type TargetOptions, checkInputs, targetIndices, tileTargets } from './target.js';

/** An attribution method of (model, inputs, { target }) → attributions shaped like the inputs. */
export type AttributionMethod = (model: Forward, inputs: Tensor, options: { target?: Target }) => Tensor;

const METHODS: Record<string, AttributionMethod> = {
  saliency: (m, x, o) => saliency(m, x, o),
  inputXGradient: (m, x, o) => inputXGradient(m, x, o),
  integratedGradients: (m, x, o) => integratedGradients(m, x, o).attributions,
};

export interface SmoothGradOptions extends TargetOptions {
  /** The attribution to smooth (default 'saliency'), or any method of the same signature. */
  method?: 'saliency' | 'inputXGradient' | 'integratedGradients' | AttributionMethod;
  /** Noisy copies per sample (default 5, as Captum). */
  samples?: number;
  /** Standard deviation of the added noise, in input units (default 1, as Captum). */
  stdev?: number;
  /** 'smoothgrad' (mean, default), 'smoothgradSq' (mean of squares) or 'vargrad' (variance). */
  type?: 'smoothgrad' | 'smoothgradSq' | 'vargrad';
  generator?: Generator;
}

export function smoothGrad(model: Forward, inputs: Tensor, options: SmoothGradOptions = {}): Tensor {
  optionsArg('explain.smoothGrad', options);
  const op = 'explain.smoothGrad';
  const x = checkInputs(op, inputs).detach();
  const N = x.shape[0]!;
  const samples = options.samples ?? 5,
    stdev = options.stdev ?? 1;
  if (!Number.isInteger(samples) || samples < 1)
    throw new ValueError(`${op}: samples must be an integer ≥ 1, got ${samples}`);
  if (!(stdev >= 0) || !Number.isFinite(stdev))
    throw new ValueError(`${op}: stdev must be finite and ≥ 0, got ${stdev}`);
  const method = typeof options.method === 'function' ? options.method : METHODS[options.method ?? 'saliency'];
  if (!method)
    throw new ValueError(
      `${op}: unknown method '${String(options.method)}' (saliency, inputXGradient, integratedGradients or a function)`,
    );
  const type = options.type ?? 'smoothgrad';
  if (!['smoothgrad', 'smoothgradSq', 'vargrad'].includes(type)) throw new ValueError(`${op}: unknown type '${type}'`);
  const targets = tileTargets(targetIndices(op, options.target, N), samples);
  // All noisy copies in one batch, sample-major: rows [k·N, (k+1)·N) are the k-th noisy copy.
  const repeated = x
    .unsqueeze(0)
    .expand([samples, ...x.shape])
    .reshape([samples * N, ...x.shape.slice(1)]);
  const noisy = repeated.add(randn(repeated.shape, { dtype: x.dtype, generator: options.generator }).mul(stdev));
  const attr = method(model, noisy, targets ? { target: targets } : {}).detach();
  const per = attr.reshape([samples, ...x.shape]);
  if (type === 'smoothgrad') return per.mean(0);
  const meanSq = per.square().mean(0);
  return type === 'smoothgradSq' ? meanSq : meanSq.sub(per.mean(0).square());
}
