// Fairlearn's MetricFrame: any metric overall and per group of a sensitive feature, with the gaps
// (difference, ratio) that fairness criteria are written in.
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { fromTypedArray } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { type Sensitive, groupKeys, groupRows } from './groups.js';

export type Metric = (pred: Tensor, target: Tensor) => number;

/** 'betweenGroups': largest gap between two groups; 'toOverall': largest gap between a group and everyone. */
export type DisparityMethod = 'betweenGroups' | 'toOverall';

export interface MetricFrameOptions {
  /** Named metrics of (predictions, targets), e.g. { accuracy: ax.train.metrics.accuracy }. */
  metrics: Readonly<Record<string, Metric>>;
  yTrue: Tensor;
  yPred: Tensor;
  sensitive: Sensitive;
}

export class MetricFrame {
  readonly overall: Record<string, number>;
  /** group → metric → value, groups sorted. */
  readonly byGroup: Record<string, Record<string, number>>;
  readonly groups: string[];
  /** Samples per group. */
  readonly counts: Record<string, number>;
  readonly metricNames: string[];

  constructor(o: MetricFrameOptions) {
    const op = 'fairness.MetricFrame';
    if (!o || typeof o.metrics !== 'object' || o.metrics === null)
      throw new ValueError(`${op}: options { metrics, yTrue, yPred, sensitive } are required`);
    const names = Object.keys(o.metrics);
    if (names.length === 0) throw new ValueError(`${op}: no metrics`);
    for (const [k, f] of Object.entries(o.metrics))
      if (typeof f !== 'function') throw new ValueError(`${op}: metric '${k}' is not a function`);
    if (!(o.yTrue instanceof Tensor) || !(o.yPred instanceof Tensor))
      throw new ValueError(`${op}: yTrue and yPred must be Tensors`);
    const n = o.yTrue.shape[0] ?? 0;
    if (n === 0 || o.yPred.shape[0] !== n)
      throw new ShapeError(
        `${op}: yTrue ${fmtShape(o.yTrue.shape)} and yPred ${fmtShape(o.yPred.shape)} must hold the same N ≥ 1 samples`,
      );
    const rows = groupRows(groupKeys(op, o.sensitive, n));
    const evaluate = (pred: Tensor, target: Tensor) =>
      Object.fromEntries(
        names.map((k) => {
          const v = o.metrics[k]!(pred, target);
          if (typeof v !== 'number') throw new ValueError(`${op}: metric '${k}' returned ${typeof v}, not a number`);
          return [k, v];
        }),
      );
    this.metricNames = names;
    this.overall = evaluate(o.yPred, o.yTrue);
    this.groups = [...rows.keys()];
    this.byGroup = {};
    this.counts = {};
    for (const [g, idx] of rows) {
      const at = fromTypedArray(Int32Array.from(idx), [idx.length]);
      this.byGroup[g] = evaluate(o.yPred.indexSelect(0, at), o.yTrue.indexSelect(0, at));
      this.counts[g] = idx.length;
    }
  }

  private each(f: (values: number[], overall: number) => number): Record<string, number> {
    return Object.fromEntries(
      this.metricNames.map((k) => [
        k,
        f(
          this.groups.map((g) => this.byGroup[g]![k]!),
          this.overall[k]!,
        ),
      ]),
    );
  }

  groupMin(): Record<string, number> {
    return this.each((v) => Math.min(...v));
  }

  groupMax(): Record<string, number> {
    return this.each((v) => Math.max(...v));
  }

  /** Per metric: max − min over groups, or the largest |group − overall|. */
  difference(method: DisparityMethod = 'betweenGroups'): Record<string, number> {
    checkMethod(method);
    return this.each((v, all) =>
      method === 'betweenGroups' ? Math.max(...v) - Math.min(...v) : Math.max(...v.map((x) => Math.abs(x - all))),
    );
  }

  /** Per metric: min / max over groups, or the smallest of group/overall and overall/group; 1 is parity (0/0 counts as 1). */
  ratio(method: DisparityMethod = 'betweenGroups'): Record<string, number> {
    checkMethod(method);
    const r = (a: number, b: number) => (a === b ? 1 : b === 0 ? 0 : a / b);
    return this.each((v, all) =>
      method === 'betweenGroups'
        ? r(Math.min(...v), Math.max(...v))
        : Math.min(...v.map((x) => Math.min(r(x, all), r(all, x)))),
    );
  }

  /** The frame as an aligned text table: overall, each group (with its size), difference and ratio. */
  toTable(digits = 3): string {
    const head = ['', 'n', ...this.metricNames];
    const fmt = (v: number) => v.toFixed(digits);
    const diff = this.difference(),
      ratio = this.ratio();
    const body = [
      [
        'overall',
        String(Object.values(this.counts).reduce((a, b) => a + b, 0)),
        ...this.metricNames.map((k) => fmt(this.overall[k]!)),
      ],
      ...this.groups.map((g) => [g, String(this.counts[g]), ...this.metricNames.map((k) => fmt(this.byGroup[g]![k]!))]),
      ['difference', '', ...this.metricNames.map((k) => fmt(diff[k]!))],
      ['ratio', '', ...this.metricNames.map((k) => fmt(ratio[k]!))],
    ];
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
    return [head, ...body]
      .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
      .join('\n');
  }
}

function checkMethod(method: string): void {
  if (method !== 'betweenGroups' && method !== 'toOverall')
    throw new ValueError(`fairness: method must be 'betweenGroups' or 'toOverall', got '${method}'`);
}
