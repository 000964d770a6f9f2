import { parse } from 'csv-parse/sync';
import { checkChoice, checkOptionNames } from '../check.js';
import { FormatError, ValueError } from '../errors.js';
import { readFileFor } from '../io/files.js';
import { fromTypedArray } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';

export interface CsvOptions {
  /** The column to predict; returned separately as `target`. */
  target?: string;
  /** Text columns to encode: one-hot (one feature per category) or as a category index. */
  categorical?: string[];
  encoding?: 'onehot' | 'index';
  /**
   * What to do with empty, 'NA' or 'NaN' cells: raise (default), drop the row, or use the column mean
   * (the most frequent category for categorical columns). Categories and classes always come from
   * every row, so the feature layout does not depend on which rows were dropped.
   */
  missing?: 'error' | 'drop' | 'mean';
  /** Columns to leave out. */
  exclude?: string[];
}

export interface CsvData {
  /** float32 [rows, features] */
  features: Tensor;
  featureNames: string[];
  /** float32 for numbers, int32 class indices for text or integer labels. */
  target?: Tensor;
  /** The class names when the target is text (index i is class i). */
  classes?: string[];
  rowsDropped: number;
}

const MISSING = new Set(['', 'na', 'nan', 'null', 'none', '?']);

// A decimal number as CSV files write them. Number() alone also takes '0x1A', '0b11', '' and
// 'Infinity', which a data file never means as numbers.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const decimal = (cell: string) => (DECIMAL.test(cell) ? Number(cell) : NaN);
const INT32_MIN = -2147483648, INT32_MAX = 2147483647;

/** Each distinct value's index in sorted order, through a Map (linear, not quadratic, in the row count). */
function categories(values: readonly string[]): { names: string[]; index: Map<string, number> } {
  const names = [...new Set(values)].sort();
  return { names, index: new Map(names.map((c, i) => [c, i])) };
}

const OPTIONS = ['target', 'categorical', 'encoding', 'missing', 'exclude'] as const;

/**
 * Reads a CSV file with a header row into a feature tensor (and a target), with typed columns,
 * categorical encoding and missing values reported by row and column.
 */
export function loadCsv(path: string, options: CsvOptions = {}): CsvData {
  return parseCsv(new TextDecoder().decode(readFileFor('loadCsv', path)), options, path);
}

export function parseCsv(text: string, options: CsvOptions = {}, source = 'CSV text'): CsvData {
  checkOptionNames('loadCsv', options, OPTIONS);
  checkChoice('loadCsv', 'missing', options.missing, ['error', 'drop', 'mean'] as const);
  checkChoice('loadCsv', 'encoding', options.encoding, ['onehot', 'index'] as const);
  let rows: string[][];
  try {
    // bom: a UTF-8 byte-order mark would otherwise stay in the first column's name.
    rows = parse(text, { skip_empty_lines: true, trim: true, bom: true });
  } catch (e) {
    throw new FormatError(`loadCsv: ${source} is not valid CSV: ${(e as Error).message}`);
  }
  if (rows.length < 2) throw new FormatError(`loadCsv: ${source} needs a header row and at least one data row`);
  const header = rows[0]!;
  const body = rows.slice(1);
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new ValueError(`loadCsv: no column '${name}' in ${source} (columns: ${header.join(', ')})`);
    return i;
  };
  const targetIdx = options.target !== undefined ? col(options.target) : -1;
  const categorical = new Set((options.categorical ?? []).map(col));
  const excluded = new Set((options.exclude ?? []).map(col));
  const featureCols = header.map((_, i) => i).filter((i) => i !== targetIdx && !excluded.has(i));
  const isMissing = (v: string) => MISSING.has(v.toLowerCase());
  const missing = options.missing ?? 'error';

  // Rows with a missing cell: an error, dropped, or filled later.
  const keep: string[][] = [];
  body.forEach((r, k) => {
    if (r.length !== header.length) throw new FormatError(`loadCsv: data row ${k + 1} of ${source} has ${r.length} cells, the header ${header.length}`);
    const holes = [...featureCols, ...(targetIdx >= 0 ? [targetIdx] : [])].filter((i) => isMissing(r[i]!));
    if (holes.length === 0) { keep.push(r); return; }
    if (missing === 'error') throw new FormatError(`loadCsv: missing value in data row ${k + 1}, column '${header[holes[0]!]}' of ${source} (pass missing: 'drop' or 'mean')`);
    if (missing === 'drop' || holes.includes(targetIdx)) return;
    keep.push(r);
  });

  const featureNames: string[] = [];
  const columns: Float32Array[] = [];
  for (const i of featureCols) {
    if (categorical.has(i)) {
      // Categories from every row with a value, so the feature layout does not depend on which rows were dropped.
      const present = body.map((r) => r[i]!).filter((v) => !isMissing(v));
      const cats = categories(present);
      // missing: 'mean' fills a categorical gap with the most frequent category.
      const counts = new Map<string, number>();
      for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
      const mode = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '';
      const cell = (r: string[]) => (isMissing(r[i]!) ? mode : r[i]!);
      if (options.encoding === 'index') {
        featureNames.push(header[i]!);
        columns.push(Float32Array.from(keep, (r) => cats.index.get(cell(r))!));
      } else {
        for (const c of cats.names) {
          featureNames.push(`${header[i]}=${c}`);
          columns.push(Float32Array.from(keep, (r) => (cell(r) === c ? 1 : 0)));
        }
      }
      continue;
    }
    const values = new Float32Array(keep.length);
    let sum = 0, count = 0;
    keep.forEach((r, k) => {
      const cell = r[i]!;
      if (isMissing(cell)) { values[k] = NaN; return; }
      const v = decimal(cell);
      if (!Number.isFinite(v)) throw new FormatError(`loadCsv: column '${header[i]}' has the non-numeric value '${cell}' in ${source}; list it in categorical`);
      values[k] = v;
      sum += v;
      count++;
    });
    if (missing === 'mean') { const mean = count > 0 ? sum / count : 0; values.forEach((v, k) => { if (Number.isNaN(v)) values[k] = mean; }); }
    featureNames.push(header[i]!);
    columns.push(values);
  }
  const n = keep.length, f = columns.length;
  const x = new Float32Array(n * f);
  columns.forEach((c, j) => c.forEach((v, k) => { x[k * f + j] = v; }));
  const out: CsvData = { features: fromTypedArray(x, [n, f]), featureNames, rowsDropped: body.length - n };
  if (targetIdx >= 0) {
    const raw = keep.map((r) => r[targetIdx]!);
    const nums = raw.map(decimal);
    if (nums.every(Number.isFinite)) {
      // Integer labels become int32 class indices, unless one would not fit int32 (then float32).
      const ints = nums.every((v) => Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX);
      out.target = ints ? fromTypedArray(Int32Array.from(nums)) : fromTypedArray(Float32Array.from(nums));
    } else {
      // Classes from every labelled row, dropped or not, for the same reason.
      const classes = categories(body.map((r) => r[targetIdx]!).filter((v) => !isMissing(v)));
      out.classes = classes.names;
      out.target = fromTypedArray(Int32Array.from(raw, (v) => classes.index.get(v)!));
    }
  }
  return out;
}
