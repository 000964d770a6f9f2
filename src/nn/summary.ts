import { noGrad } from '../autograd/grad-mode.js';
import { Tensor } from '../tensor/tensor.js';
import type { Module } from './module.js';

export interface SummaryRow {
  name: string;
  type: string;
  outputShape: string;
  params: number;
}

function describeOutput(out: unknown): string {
  if (out instanceof Tensor) return `[${out.shape.join(', ')}]`;
  if (Array.isArray(out)) return out.map(describeOutput).join(', ');
  return '-';
}

/**
 * A Keras-style table of a model: each module's path, type, output shape (from one forward pass
 * of `inputs` without gradients) and own parameter count, with totals. Returns the text.
 */
export function summary(model: Module, ...inputs: unknown[]): string {
  const rows = new Map<string, SummaryRow>();
  const named = [...model.namedModules()];
  const handles = named.map(([name, m]) =>
    m.registerForwardHook((mod, _in, out) => {
      if (!rows.has(name))
        rows.set(name, {
          name,
          type: mod.constructor.name,
          outputShape: describeOutput(out),
          params: mod.parameters(false).reduce((n, p) => n + p.numel, 0),
        });
    }),
  );
  try {
    const wasTraining = model.training;
    model.eval();
    noGrad(() => model.forward(...inputs));
    model.train(wasTraining);
  } finally {
    for (const h of handles) h.remove();
  }
  // In definition order (hooks fire children first); modules the forward pass did not call are left out.
  // A model without submodules (a single layer) is its own one row.
  const body =
    named.length === 1
      ? [...rows.values()].map((r) => ({ ...r, name: r.name || '(model)' }))
      : named.filter(([name]) => name !== '' && rows.has(name)).map(([name]) => rows.get(name)!);
  const header: SummaryRow = { name: 'Layer', type: 'Type', outputShape: 'Output shape', params: -1 };
  const all = [header, ...body];
  const w = [
    Math.max(...all.map((r) => r.name.length)),
    Math.max(...all.map((r) => r.type.length)),
    Math.max(...all.map((r) => r.outputShape.length)),
    10,
  ];
  const line = (r: SummaryRow) =>
    `${r.name.padEnd(w[0]!)}  ${r.type.padEnd(w[1]!)}  ${r.outputShape.padEnd(w[2]!)}  ${(r.params < 0 ? 'Params' : r.params.toLocaleString('en-US')).padStart(w[3]!)}`;
  const rule = '-'.repeat(w[0]! + w[1]! + w[2]! + w[3]! + 6);
  const total = model.numParameters(),
    trainable = model.numParameters(true);
  return [
    line(header),
    rule,
    ...body.map(line),
    rule,
    `Total params: ${total.toLocaleString('en-US')}`,
    `Trainable params: ${trainable.toLocaleString('en-US')}`,
    `Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`,
  ].join('\n');
}
