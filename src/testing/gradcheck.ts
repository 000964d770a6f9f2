import { grad } from '../autograd/engine.js';
import { AutogradError, DTypeError, ValueError, fmtShape } from '../errors.js';
import { isFloating } from '../tensor/dtype.js';
import { Generator } from '../tensor/random.js';
import { randn } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed of the random projection of the output. */
  seed?: number;
}

/**
 * Compares autograd's gradients with central finite differences in float64 (the inputs are
 * converted). The output is projected on a random vector v, so one backward gives vᵀJ, which is
 * checked against (f(x + eps·e_i) - f(x - eps·e_i))·v / 2eps for every input element.
 * Returns true, or throws an AutogradError naming the input, the element and both values.
 */
/** gradcheck's arguments: a function and an array of tensors (user code runs unguarded inside). */
function checkArgs(op: string, fn: unknown, inputs: unknown): void {
  if (typeof fn !== 'function') throw new ValueError(`${op}: fn must be a function, got ${typeof fn}`);
  if (!Array.isArray(inputs) || !inputs.every((t) => t instanceof Tensor))
    throw new ValueError(`${op}: inputs must be an array of tensors`);
}

export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): true {
  checkArgs('gradcheck', fn, inputs);
  const eps = options.eps ?? 1e-6,
    atol = options.atol ?? 1e-5,
    rtol = options.rtol ?? 1e-3;
  const xs = inputs.map((t, i) => {
    if (!isFloating(t.dtype))
      throw new DTypeError(`gradcheck: input ${i} has dtype ${t.dtype}; only floating-point inputs can be checked`);
    return t.detach().to('float64').clone().requiresGrad_(true);
  });
  const out0 = fn(...xs);
  if (!isFloating(out0.dtype))
    throw new DTypeError(`gradcheck: the function's output has dtype ${out0.dtype}; expected floating point`);
  const v = randn(out0.shape, { dtype: 'float64', generator: new Generator(options.seed ?? 1234) });
  const analytic = grad(out0, xs, { gradOutputs: [v], allowUnused: true });
  // Not under noGrad: gradgradcheck's function itself needs autograd to evaluate.
  const project = (): number =>
    fn(...xs)
      .detach()
      .to('float64')
      .mul(v)
      .sum()
      .item();
  xs.forEach((x, i) => {
    const data = x.data as Float64Array;
    const a = analytic[i] ? analytic[i]!.contiguous().toTypedArray() : new Float64Array(x.numel);
    for (let k = 0; k < x.numel; k++) {
      const orig = data[k]!;
      data[k] = orig + eps;
      const plus = project();
      data[k] = orig - eps;
      const minus = project();
      data[k] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const got = a[k]!;
      if (!(Math.abs(got - numeric) <= atol + rtol * Math.abs(numeric))) {
        throw new AutogradError(
          `gradcheck: gradient mismatch for input ${i} (shape ${fmtShape(x.shape)}) at flat index ${k}: ` +
            `autograd gives ${got}, finite differences give ${numeric} (atol ${atol}, rtol ${rtol})`,
        );
      }
    }
  });
  return true;
}

/**
 * Checks second derivatives: gradcheck of the function x ↦ ⟨∂(v·f)/∂x, w⟩ built with createGraph,
 * for fixed random v and w.
 */
export function gradgradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  options: GradcheckOptions = {},
): true {
  checkArgs('gradgradcheck', fn, inputs);
  const gen = new Generator((options.seed ?? 1234) + 1);
  let v: Tensor | null = null;
  let ws: Tensor[] | null = null;
  const firstOrder = (...xs: Tensor[]): Tensor => {
    const out = fn(...xs);
    v ??= randn(out.shape, { dtype: 'float64', generator: gen });
    ws ??= xs.map((x) => randn(x.shape, { dtype: 'float64', generator: gen }));
    const gs = grad(out, xs, { gradOutputs: [v], createGraph: true, allowUnused: true });
    let total: Tensor | null = null;
    gs.forEach((g, i) => {
      if (!g) return;
      const term = g.mul(ws![i]!).sum();
      total = total ? total.add(term) : term;
    });
    if (!total) throw new AutogradError('gradgradcheck: the function does not depend on its inputs');
    return total;
  };
  return gradcheck(firstOrder, inputs, options);
}
