// What the dashboard reads: a log directory holding runs. A run is a directory (the log directory
// itself, or one of its subdirectories) with JSON-lines metrics files from MetricsLogger, and any
// PNG pictures (attribution heatmaps, sample grids) written beside them.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

export interface RunInfo {
  /** The run's path relative to the log directory ('.' for the directory itself). */
  name: string;
  metricsFiles: string[];
  images: { file: string; modified: number }[];
}

const RUN_NAME = /^[\w.-]+(\/[\w.-]+)*$/;

function entries(dir: string): { files: string[]; dirs: string[] } {
  const files: string[] = [],
    dirs: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) dirs.push(e.name);
    else if (e.isFile()) files.push(e.name);
  }
  return { files: files.sort(), dirs: dirs.sort() };
}

/** The runs under logDir, two levels deep at most, sorted by name. */
export function listRuns(logDir: string): RunInfo[] {
  const runs: RunInfo[] = [];
  const visit = (dir: string, depth: number) => {
    const { files, dirs } = entries(dir);
    const metricsFiles = files.filter((f) => f.endsWith('.jsonl'));
    if (metricsFiles.length > 0) {
      const name = relative(logDir, dir).split(sep).join('/') || '.';
      const images = files
        .filter((f) => f.toLowerCase().endsWith('.png'))
        .map((file) => ({ file, modified: statSync(join(dir, file)).mtimeMs }));
      runs.push({ name, metricsFiles, images });
    }
    if (depth < 2) for (const d of dirs) visit(join(dir, d), depth + 1);
  };
  if (existsSync(logDir)) visit(logDir, 0);
  return runs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The directory of a run named by a client, or null when the name is not one of logDir's runs. */
export function runDir(logDir: string, name: string): string | null {
  if (name !== '.' && !RUN_NAME.test(name)) return null;
  if (name.split('/').some((part) => part === '..')) return null;
  const dir = resolve(logDir, name);
  const root = resolve(logDir);
  if (dir !== root && !dir.startsWith(root + sep)) return null;
  return existsSync(dir) && statSync(dir).isDirectory() ? dir : null;
}

/**
 * The rows of a run's metrics files, in file order. A line still being written (no newline yet,
 * or not yet valid JSON) is left for the next read.
 */
export function readMetrics(dir: string, files: readonly string[]): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of complete.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const row = JSON.parse(line) as unknown;
        if (row && typeof row === 'object' && !Array.isArray(row)) rows.push(row as Record<string, unknown>);
      } catch {
        // A malformed line (a crashed writer): skipped, the rest still shows.
      }
    }
  }
  return rows;
}
