import type { Tensor } from './tensor.js';

const EDGE = 3; // elements shown at each end of a summarised dim
const THRESHOLD = 1000; // summarise tensors with more elements than this

/** PyTorch-style printing: aligned columns, 4 decimals or scientific, '...' for large tensors. */
export function formatTensor(t: Tensor): string {
  // A device backend's values can only be read asynchronously; printing must not throw.
  if (!t.storage.hostCurrent)
    return `tensor(<${t.storage.device?.backend ?? 'device'} memory: await t.dataAsync()>, size=[${t.shape.join(', ')}], dtype=${t.dtype})`;
  const summarise = t.numel > THRESHOLD;
  const values: number[] = [];
  collect(t, 0, t.offset, summarise, values);
  const fmt = numberFormatter(t, values);
  const width = Math.max(1, ...values.map((v) => fmt(v).length));
  const indent = 'tensor('.length;
  const body =
    t.shape.length === 0
      ? fmt(t.storage.readHost('toString')[t.offset]!)
      : render(t, 0, t.offset, summarise, fmt, width, indent);
  const extras: string[] = [];
  if (t.dtype !== 'float32' && t.dtype !== 'bool') extras.push(`dtype=${t.dtype}`);
  if (t.numel === 0) extras.push(`size=[${t.shape.join(', ')}]`);
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${body}${extras.map((e) => `, ${e}`).join('')})`;
}

function shown(size: number, summarise: boolean): number[] {
  if (!summarise || size <= 2 * EDGE) return Array.from({ length: size }, (_, i) => i);
  return [0, 1, 2, -1, size - 3, size - 2, size - 1]; // -1 marks the ellipsis
}

function collect(t: Tensor, d: number, off: number, summarise: boolean, out: number[]): void {
  if (d === t.shape.length) {
    out.push(t.storage.readHost('toString')[off]!);
    return;
  }
  for (const i of shown(t.shape[d]!, summarise)) if (i >= 0) collect(t, d + 1, off + i * t.strides[d]!, summarise, out);
}

function numberFormatter(t: Tensor, values: number[]): (v: number) => string {
  if (t.dtype === 'bool') return (v) => (v ? 'true' : 'false');
  if (t.dtype === 'int32') return (v) => String(v);
  const finite = values.filter((v) => Number.isFinite(v));
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (finite.every((v) => Number.isInteger(v)) && finite.every((v) => Math.abs(v) < 1e8)) {
    return (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : special(v));
  }
  const abs = finite.map(Math.abs).filter((v) => v > 0);
  const max = Math.max(0, ...abs),
    min = Math.min(Infinity, ...abs);
  const scientific = max >= 1e8 || min < 1e-4 || max / min > 1000;
  return scientific
    ? (v) => (Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2') : special(v))
    : (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}

function render(
  t: Tensor,
  d: number,
  off: number,
  summarise: boolean,
  fmt: (v: number) => string,
  width: number,
  indent: number,
): string {
  const idx = shown(t.shape[d]!, summarise);
  if (d === t.shape.length - 1) {
    const items = idx.map((i) =>
      i < 0 ? '...' : fmt(t.storage.readHost('toString')[off + i * t.strides[d]!]!).padStart(width),
    );
    return `[${items.join(', ')}]`;
  }
  const sep = ',' + '\n'.repeat(t.shape.length - d - 1) + ' '.repeat(indent + d + 1);
  const items = idx.map((i) =>
    i < 0 ? '...' : render(t, d + 1, off + i * t.strides[d]!, summarise, fmt, width, indent),
  );
  return `[${items.join(sep)}]`;
}
