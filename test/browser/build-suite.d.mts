import type { BuildOptions, BuildResult } from 'esbuild';

export function pageBuildOptions(): BuildOptions;
export function buildSuite(files: string[], outfile: string): Promise<BuildResult>;
