// A self-contained HTML drift report: the per-feature table and, for each drifted feature, the
// reference and current distributions drawn side by side as inline SVG (no scripts, no network).
import type { DriftReport } from './drift.js';
import type { FeatureProfile, Profile } from './profile.js';
import { formatNumber } from '../io/plot/canvas.js';
import { quantileOf } from './tests.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = formatNumber;

/** Shares of values per bin for the reference and the current column. */
function histograms(ref: FeatureProfile, current: number[]): { labels: string[]; ref: number[]; cur: number[] } {
  if (ref.kind === 'categorical') {
    const cur: Record<string, number> = {};
    for (const v of current) cur[String(v)] = (cur[String(v)] ?? 0) + 1;
    const labels = [...new Set([...Object.keys(ref.counts), ...Object.keys(cur)])].sort();
    return {
      labels,
      ref: labels.map((l) => (ref.counts[l] ?? 0) / ref.count),
      cur: labels.map((l) => (cur[l] ?? 0) / current.length),
    };
  }
  const source = ref.values ?? ref.quantiles!;
  const lo = Math.min(quantileOf(source, 0), ...current),
    hi = Math.max(quantileOf(source, 1), ...current);
  const bins = 20,
    width = (hi - lo) / bins || 1;
  const share = (vals: ArrayLike<number>) => {
    const c = new Array<number>(bins).fill(0);
    for (let i = 0; i < vals.length; i++) c[Math.min(bins - 1, Math.floor((vals[i]! - lo) / width))]!++;
    return c.map((x) => x / vals.length);
  };
  return {
    labels: Array.from({ length: bins }, (_, i) => num(lo + i * width)),
    ref: share(source),
    cur: share(current),
  };
}

function svgHistogram(h: { labels: string[]; ref: number[]; cur: number[] }): string {
  const W = 560,
    H = 200,
    pad = 30;
  const n = h.labels.length;
  const top = Math.max(...h.ref, ...h.cur, 1e-9);
  const bw = (W - 2 * pad) / n;
  const bars = (vals: number[], dx: number, colour: string) =>
    vals
      .map((v, i) => {
        const bh = (v / top) * (H - 2 * pad);
        return `<rect x="${(pad + i * bw + dx).toFixed(1)}" y="${(H - pad - bh).toFixed(1)}" width="${(bw / 2 - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="${colour}"/>`;
      })
      .join('');
  const ticks = [0, Math.floor(n / 2), n - 1]
    .map((i) => `<text x="${(pad + i * bw).toFixed(1)}" y="${H - 10}" font-size="11">${esc(h.labels[i]!)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img"><line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="#444"/>${bars(h.ref, 0, '#1f77b4')}${bars(h.cur, bw / 2, '#d62728')}${ticks}<text x="${W - 190}" y="16" font-size="12" fill="#1f77b4">■ reference</text><text x="${W - 100}" y="16" font-size="12" fill="#d62728">■ current</text></svg>`;
}

/** The report as one HTML page; `current` holds the current data's columns (for the plots). */
export function driftReportHtml(
  profile: Profile,
  report: DriftReport,
  current: number[][],
  title = 'Axon drift report',
): string {
  const rows = report.features
    .map(
      (f) =>
        `<tr class="${f.drifted ? 'drift' : ''}"><td>${esc(f.name)}</td><td>${f.method}</td><td>${num(f.statistic)}</td><td>${f.pValue === undefined ? '' : num(f.pValue)}</td><td>${num(f.threshold)}</td><td>${f.drifted ? 'drifted' : 'no'}</td></tr>`,
    )
    .join('\n');
  const plots = report.features
    .map((f, j) => ({ f, j }))
    .filter(({ f }) => f.drifted)
    .map(
      ({ f, j }) =>
        `<section><h3>${esc(f.name)} (${f.method} ${num(f.statistic)})</h3>${svgHistogram(histograms(profile.features[j]!, current[j]!))}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}tr.drift td{background:#fde0dc}.summary{font-size:16px;margin:12px 0}</style>
</head><body>
<h1>${esc(title)}</h1>
<p class="summary">${report.driftedFeatures.length} of ${report.features.length} features drifted (share ${num(report.share)}); data-set drift: <b>${report.datasetDrift ? 'yes' : 'no'}</b>. Reference: ${profile.rows} rows; current: ${report.rows} rows.</p>
<table><thead><tr><th>feature</th><th>method</th><th>statistic</th><th>p-value</th><th>threshold</th><th>drift</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Drifted features</h2>
${plots || '<p>None.</p>'}
</body></html>
`;
}
