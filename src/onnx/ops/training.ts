// ONNX's training ops (domain ai.onnx.preview.training), answered by Axon's autograd.
import { grad } from '../../autograd/engine.js';
import { enableGrad } from '../../autograd/grad-mode.js';
import { isFloating } from '../../tensor/dtype.js';
import { asTensor } from '../value.js';
import { defineOps, fail, input } from './registry.js';

defineOps('ai.onnx.preview.training', {
  /** Gradient: ∂y/∂x for each named x, by recomputing y from fresh leaves and running backward. */
  Gradient: (ctx) => {
    const xs = ctx.attrs.strings('xs');
    const y = ctx.attrs.string('y');
    if (ctx.attrs.has('zs')) fail(ctx, "the 'zs' attribute is not supported");
    if (xs.length !== ctx.inputs.length)
      fail(ctx, `xs names ${xs.length} values but the node has ${ctx.inputs.length} inputs`);
    const leaves = xs.map((_, i) => {
      const x = input(ctx, i);
      if (!isFloating(x.dtype)) fail(ctx, `cannot differentiate with respect to ${xs[i]}, a ${x.dtype} tensor`);
      return x.detach().requiresGrad_();
    });
    return enableGrad(() => {
      const out = asTensor(ctx.recompute(y, new Map(xs.map((name, i) => [name, leaves[i]]))), `${ctx.where}: y`);
      if (out.numel !== 1) fail(ctx, `y must be a scalar, got shape [${out.shape}]`);
      return grad(out, leaves, { allowUnused: true }).map((g, i) => g ?? leaves[i]!.detach().mul(0));
    });
  },
});
