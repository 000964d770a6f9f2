// ONNX forms of nn.functional: layers' math as ONNX's own ops (Conv, Gemm, BatchNormalization, ...).
import { fromTypedArray, ones } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { GraphBuilder } from './builder.js';
import { CannotExport, type OpEmitter } from './tracer.js';

const T = (v: unknown) => v as Tensor;

function tuple(v: unknown, n: number, fallback: number): number[] {
  if (v === undefined || v === null) return new Array<number>(n).fill(fallback);
  return typeof v === 'number' ? new Array<number>(n).fill(v) : [...(v as number[])];
}

interface WindowOptions {
  stride?: unknown;
  padding?: unknown;
  dilation?: unknown;
  groups?: number;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  divisorOverride?: number | null;
  outputPadding?: unknown;
}

function checkBatched(x: Tensor, spatial: number, op: string): void {
  if (x.ndim !== spatial + 2) throw new CannotExport(`${op} of an unbatched input (add a batch dimension)`);
}

function conv(spatial: number): OpEmitter {
  return (g, args, out) => {
    const [x, w, b, o = {}] = args as [Tensor, Tensor, Tensor | null | undefined, WindowOptions];
    checkBatched(x, spatial, 'conv');
    const kernel = w.shape.slice(2);
    const dilations = tuple(o.dilation, spatial, 1);
    let pads: number[];
    if (o.padding === 'same') {
      const total = kernel.map((k, i) => dilations[i]! * (k - 1));
      pads = [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
    } else if (o.padding === 'valid') pads = new Array<number>(2 * spatial).fill(0);
    else {
      const p = tuple(o.padding, spatial, 0);
      pads = [...p, ...p];
    }
    g.node('Conv', [x, w, b ?? undefined], [T(out)], {
      kernel_shape: kernel,
      strides: tuple(o.stride, spatial, 1),
      pads,
      dilations,
      group: o.groups ?? 1,
    });
  };
}

function convTranspose(spatial: number): OpEmitter {
  return (g, args, out) => {
    const [x, w, b, o = {}] = args as [Tensor, Tensor, Tensor | null | undefined, WindowOptions];
    checkBatched(x, spatial, 'convTranspose');
    const p = tuple(o.padding, spatial, 0);
    g.node('ConvTranspose', [x, w, b ?? undefined], [T(out)], {
      kernel_shape: w.shape.slice(2),
      strides: tuple(o.stride, spatial, 1),
      pads: [...p, ...p],
      dilations: tuple(o.dilation, spatial, 1),
      output_padding: tuple(o.outputPadding, spatial, 0),
      group: o.groups ?? 1,
    });
  };
}

function pool(op: 'MaxPool' | 'AveragePool', spatial: number): OpEmitter {
  return (g, args, out) => {
    const [x, k, o = {}] = args as [Tensor, unknown, WindowOptions];
    if (x.ndim !== spatial + 2) throw new CannotExport(`pooling an unbatched input (add a batch dimension)`);
    const kernel = tuple(k, spatial, 1);
    const p = tuple(o.padding, spatial, 0);
    const attrs: Record<string, number | number[]> = {
      kernel_shape: kernel,
      strides: o.stride == null ? kernel : tuple(o.stride, spatial, 1),
      pads: [...p, ...p],
      ceil_mode: o.ceilMode ? 1 : 0,
    };
    if (op === 'MaxPool') attrs.dilations = tuple(o.dilation, spatial, 1);
    else {
      if (o.divisorOverride != null) throw new CannotExport('average pooling with divisorOverride');
      attrs.count_include_pad = (o.countIncludePad ?? true) ? 1 : 0;
    }
    g.node(op, [x], [T(out)], attrs);
  };
}

function adaptiveAvg(spatial: number): OpEmitter {
  return (g, args, out) => {
    const x = T(args[0]);
    checkBatched(x, spatial, 'adaptive pooling');
    const size = tuple(args[1], spatial, 1);
    const input = x.shape.slice(2);
    if (size.every((s) => s === 1)) return void g.node('GlobalAveragePool', [x], [T(out)]);
    if (input.some((n, i) => n % size[i]! !== 0))
      throw new CannotExport(`adaptive pooling from [${input}] to [${size}] (ONNX pools need equal windows)`);
    const kernel = input.map((n, i) => n / size[i]!);
    g.node('AveragePool', [x], [T(out)], { kernel_shape: kernel, strides: kernel });
  };
}

function filledLike(g: GraphBuilder, value: number, shape: number[], like: Tensor): string {
  return g.name(ones(shape, { dtype: like.dtype }).mul(value));
}

export const NN_ONNX: Record<string, OpEmitter> = {
  linear: (g, args, out) => {
    const [x, w, b] = args as [Tensor, Tensor, Tensor | null | undefined];
    if (x.ndim === 2) return void g.node('Gemm', [x, w, b ?? undefined], [T(out)], { transB: 1 });
    const [wt] = g.node('Transpose', [w], ['wT'], { perm: [1, 0] });
    if (!b) return void g.node('MatMul', [x, wt], [T(out)]);
    g.node('Add', [g.node('MatMul', [x, wt], ['mm'])[0], b], [T(out)]);
  },
  conv1d: conv(1),
  conv2d: conv(2),
  conv3d: conv(3),
  convTranspose1d: convTranspose(1),
  convTranspose2d: convTranspose(2),
  maxPool1d: pool('MaxPool', 1),
  maxPool2d: pool('MaxPool', 2),
  maxPool3d: pool('MaxPool', 3),
  avgPool1d: pool('AveragePool', 1),
  avgPool2d: pool('AveragePool', 2),
  avgPool3d: pool('AveragePool', 3),
  adaptiveAvgPool1d: adaptiveAvg(1),
  adaptiveAvgPool2d: adaptiveAvg(2),
  batchNorm: (g, args, out) => {
    const [x, mean, variance, w, b, o = {}] = args as [
      Tensor,
      Tensor | null,
      Tensor | null,
      Tensor | null,
      Tensor | null,
      { training?: boolean; eps?: number },
    ];
    if (o.training) throw new CannotExport('batch normalisation in training mode (call model.eval() first)');
    if (!mean || !variance) throw new CannotExport('batch normalisation without running statistics');
    const C = x.shape[1]!;
    g.node(
      'BatchNormalization',
      [x, w ?? filledLike(g, 1, [C], x), b ?? filledLike(g, 0, [C], x), mean, variance],
      [T(out)],
      { epsilon: { float: o.eps ?? 1e-5 } },
    );
  },
  layerNorm: (g, args, out) => {
    const [x, shape, w, b, eps] = args as [Tensor, number[], Tensor | null, Tensor | null, number | undefined];
    if (g.opset < 17) throw new CannotExport('layer normalisation needs opset 17 or later');
    g.node('LayerNormalization', [x, w ?? filledLike(g, 1, shape, x), b ?? undefined], [T(out)], {
      axis: -shape.length,
      epsilon: { float: eps ?? 1e-5 },
    });
  },
  dropout: (g, args, out) => {
    const o = (args[2] ?? {}) as { training?: boolean };
    if ((o.training ?? true) && ((args[1] as number | undefined) ?? 0.5) > 0 && T(out) !== T(args[0]))
      throw new CannotExport('dropout in training mode (call model.eval() first)');
    g.node('Identity', [T(args[0])], [T(out)]);
  },
  dropout2d: (g, args, out) => NN_ONNX.dropout!(g, args, out),
  embedding: (g, args, out) => g.node('Gather', [T(args[1]), T(args[0])], [T(out)], { axis: 0 }),
  scaledDotProductAttention: (g, args, out) => {
    const [q, k, v, o = {}] = args as [
      Tensor,
      Tensor,
      Tensor,
      { attnMask?: Tensor | null; keyPaddingMask?: Tensor | null; isCausal?: boolean; dropoutP?: number },
    ];
    const [result, weights] = out as [Tensor, Tensor];
    const [L, S, d] = [q.shape[2]!, k.shape[2]!, q.shape[3]!];
    const [kt] = g.node('Transpose', [k], ['kT'], { perm: [0, 1, 3, 2] });
    let [scores] = g.node('Mul', [g.node('MatMul', [q, kt], ['qk'])[0], g.scalar(1 / Math.sqrt(d), q)], ['scores']);
    const additive = (mask: Tensor): string => {
      if (mask.dtype !== 'bool') return g.name(mask);
      const [ninf] = g.node('Where', [mask, g.scalar(-Infinity, q), g.scalar(0, q)], ['m']);
      return ninf!;
    };
    if (o.isCausal) {
      const [neg] = g.node('ConstantOfShape', [g.ints([L, S])], ['neg'], {
        value: fromTypedArray(q.dtype === 'float64' ? Float64Array.of(-Infinity) : Float32Array.of(-Infinity), [1]),
      });
      [scores] = g.node('Add', [scores, g.node('Trilu', [neg, g.index(1)], ['causal'], { upper: 1 })[0]], ['s']);
    }
    if (o.attnMask) {
      let m = additive(o.attnMask);
      if (o.attnMask.ndim === 3) [m] = g.node('Reshape', [m, g.ints([q.shape[0]!, q.shape[1]!, L, S])], ['m4']);
      [scores] = g.node('Add', [scores, m], ['s']);
    }
    if (o.keyPaddingMask) {
      const [m4] = g.node('Unsqueeze', [additive(o.keyPaddingMask), g.axes([1, 2])], ['kpm']);
      [scores] = g.node('Add', [scores, m4], ['s']);
    }
    g.node('Softmax', [scores], [weights], { axis: -1 });
    g.node('MatMul', [weights, v], [result]);
  },
};
