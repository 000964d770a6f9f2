/**
 * nn.utils: parameters as one vector and back, weight normalisation, and the gradient clipping of
 * optim under PyTorch's nn.utils names.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { show } from '../check.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { cat } from '../ops/combine.js';
import { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

export { clipGradNorm as clipGradNorm_, clipGradValue as clipGradValue_ } from '../optim/clip.js';

function tensors(op: string, params: Iterable<Tensor>): Tensor[] {
  const list = [...params];
  const bad = list.findIndex((p) => !(p instanceof Tensor));
  if (bad >= 0) throw new ValueError(`${op}: element ${bad} is not a tensor (${show(list[bad])})`);
  return list;
}

/** Every parameter flattened and concatenated into one vector (differentiable). */
export function parametersToVector(params: Iterable<Tensor>): Tensor {
  const list = tensors('parametersToVector', params);
  if (list.length === 0) throw new ValueError('parametersToVector: no parameters');
  return cat(list.map((p) => p.reshape(-1)));
}

/** Copies consecutive slices of vec into the parameters, in order (not recorded by autograd). */
export function vectorToParameters(vec: Tensor, params: Iterable<Tensor>): void {
  const list = tensors('vectorToParameters', params);
  const total = list.reduce((n, p) => n + p.numel, 0);
  if (!(vec instanceof Tensor) || vec.ndim !== 1 || vec.numel !== total)
    throw new ShapeError(
      `vectorToParameters: expected a vector of ${total} values, got ${vec instanceof Tensor ? fmtShape(vec.shape) : show(vec)}`,
    );
  noGrad(() => {
    let at = 0;
    for (const p of list) {
      p.copy_(vec.narrow(0, at, p.numel).reshape(p.shape));
      at += p.numel;
    }
  });
}

/** ‖v‖ over every dim but `dim`, kept as size-1 dims (the shape of weight_g). */
function normExceptDim(v: Tensor, dim: number): Tensor {
  const others = v.shape.map((_, i) => i).filter((i) => i !== dim);
  return others.length === 0 ? v.abs() : v.square().sum(others, { keepdim: true }).sqrt();
}

/**
 * Weight normalisation (Salimans & Kingma), PyTorch's nn.utils.weight_norm: the parameter `name`
 * becomes weight = g · v / ‖v‖ with the magnitude `${name}_g` and direction `${name}_v` as the
 * parameters (state-dict keys as PyTorch's), recomputed before every forward. Returns the module.
 */
export function weightNorm<M extends Module>(module: M, name = 'weight', dim = 0): M {
  if (!(module instanceof Module)) throw new ValueError(`weightNorm: expected a Module, got ${show(module)}`);
  const w = (module as unknown as Record<string, unknown>)[name];
  if (!(w instanceof Parameter)) throw new ValueError(`weightNorm: ${module.describe()} has no parameter '${name}'`);
  const d = dim < 0 ? dim + w.ndim : dim;
  if (!Number.isInteger(d) || d < 0 || d >= w.ndim)
    throw new ValueError(`weightNorm: dim ${dim} is out of range for ${fmtShape(w.shape)}`);
  const g = new Parameter(noGrad(() => normExceptDim(w, d)).clone());
  const v = new Parameter(w.detach().clone());
  module.registerParameter(name, null);
  // Registered and also reachable as properties (module.weight_g), as PyTorch's.
  (module as unknown as Record<string, unknown>)[`${name}_g`] = module.registerParameter(`${name}_g`, g);
  (module as unknown as Record<string, unknown>)[`${name}_v`] = module.registerParameter(`${name}_v`, v);
  const recompute = () => {
    (module as unknown as Record<string, unknown>)[name] = v.mul(g.div(normExceptDim(v, d)));
  };
  recompute();
  module.registerForwardPreHook(() => recompute());
  return module;
}
