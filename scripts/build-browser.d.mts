import type { BuildOptions, BuildResult } from 'esbuild';

export function buildBrowser(outfile?: string, options?: BuildOptions): Promise<BuildResult>;
