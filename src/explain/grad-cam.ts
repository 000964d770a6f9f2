// Grad-CAM (Selvaraju et al. 2017, Captum's LayerGradCam): a convolution layer's activation maps
// weighted by the mean gradient of the explained output over each map — where in the image the
// layer saw evidence for the class.
import { optionsArg } from '../check.js';
import { grad } from '../autograd/engine.js';
import { enableGrad } from '../autograd/grad-mode.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { interpolate } from '../nn/functional/interpolate.js';
import { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { type Forward, type TargetOptions, callModel, checkInputs, selectOutput, targetIndices } from './target.js';

export interface GradCamOptions extends TargetOptions {
  /** Keep only positive evidence (the Grad-CAM paper's ReLU; default false, as Captum's LayerGradCam). */
  relu?: boolean;
  /** Resize the map [N, 1, h, w] to the input's spatial size: 'nearest' or 'bilinear' (default: the layer's size). */
  upsample?: 'nearest' | 'bilinear';
}

/** The class-activation map [N, 1, ...layer's spatial size] of `layer`, a sub-module that model's forward calls once. */
export function gradCam(model: Forward, layer: Module, inputs: Tensor, options: GradCamOptions = {}): Tensor {
  optionsArg('explain.gradCam', options);
  const op = 'explain.gradCam';
  const x = checkInputs(op, inputs).detach();
  if (!(layer instanceof Module)) throw new ValueError(`${op}: layer must be a Module of the model`);
  const targets = targetIndices(op, options.target, x.shape[0]!);
  const seen: Tensor[] = [];
  const handle = layer.registerForwardHook((_m, _in, out) => {
    if (out instanceof Tensor) seen.push(out);
  });
  const { acts, grads } = (() => {
    try {
      return enableGrad(() => {
        const y = selectOutput(op, callModel(op, model, x.requiresGrad_()), targets);
        if (seen.length !== 1)
          throw new ValueError(
            `${op}: the layer must run exactly once per forward and return a tensor; it ran ${seen.length} times`,
          );
        const a = seen[0]!;
        if (a.ndim < 3 || a.shape[0] !== x.shape[0])
          throw new ShapeError(
            `${op}: the layer's output ${fmtShape(a.shape)} is not a batch of maps [N, C, ...spatial]`,
          );
        if (!a.requiresGrad) throw new ValueError(`${op}: the explained output does not depend on the layer`);
        const [g] = grad(y.sum(), a);
        return { acts: a.detach(), grads: g ?? a.detach().zerosLike() };
      });
    } finally {
      handle.remove();
    }
  })();
  const spatial = Array.from({ length: acts.ndim - 2 }, (_, i) => i + 2);
  let cam = grads.mean(spatial, { keepdim: true }).mul(acts).sum(1, { keepdim: true });
  if (options.relu) cam = cam.relu();
  if (!options.upsample) return cam;
  if (x.ndim !== cam.ndim)
    throw new ShapeError(`${op}: cannot upsample a map ${fmtShape(cam.shape)} to inputs ${fmtShape(x.shape)}`);
  const linear = (['linear', 'bilinear', 'trilinear'] as const)[cam.ndim - 3]!;
  return interpolate(cam, { size: x.shape.slice(2), mode: options.upsample === 'bilinear' ? linear : 'nearest' });
}
