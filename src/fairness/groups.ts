// Sensitive features as group keys: one column (a tensor or an array of labels) or several named
// columns, whose intersections become the groups ('sex=1,age=old').
import { ShapeError, ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

export type SensitiveColumn = Tensor | readonly (string | number | boolean)[];
/** One sensitive feature, or several by name (groups are their intersections). */
export type Sensitive = SensitiveColumn | Readonly<Record<string, SensitiveColumn>>;

function column(op: string, c: SensitiveColumn, n: number, name: string): string[] {
  const values = c instanceof Tensor ? (c.flatten().toArray() as (number | boolean)[]) : Array.isArray(c) ? c : null;
  if (!values) throw new ValueError(`${op}: sensitive feature ${name} must be a Tensor or an array`);
  if (values.length !== n)
    throw new ShapeError(`${op}: sensitive feature ${name} has ${values.length} values for ${n} samples`);
  return values.map((v) => String(v));
}

/** The group key of each of n samples. */
export function groupKeys(op: string, sensitive: Sensitive, n: number): string[] {
  if (sensitive instanceof Tensor || Array.isArray(sensitive)) return column(op, sensitive as SensitiveColumn, n, '');
  if (typeof sensitive !== 'object' || sensitive === null)
    throw new ValueError(`${op}: sensitive features must be a Tensor, an array or a record of them`);
  const entries = Object.entries(sensitive as Record<string, SensitiveColumn>);
  if (entries.length === 0) throw new ValueError(`${op}: no sensitive features`);
  const cols = entries.map(([name, c]) => column(op, c, n, `'${name}'`).map((v) => `${name}=${v}`));
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i]!).join(','));
}

/** Row indices of each group, groups in sorted order (numbers numerically). */
export function groupRows(keys: readonly string[]): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  keys.forEach((k, i) => {
    const list = rows.get(k);
    if (list) list.push(i);
    else rows.set(k, [i]);
  });
  const sorted = [...rows.keys()].sort((a, b) => {
    const x = Number(a),
      y = Number(b);
    return Number.isFinite(x) && Number.isFinite(y) ? x - y : a < b ? -1 : a > b ? 1 : 0;
  });
  return new Map(sorted.map((k) => [k, rows.get(k)!]));
}
