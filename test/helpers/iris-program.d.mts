import type * as ax from '../../src/index.js';

export interface IrisResult {
  backend: string;
  losses: number[];
  accuracy: number;
  weight: number[];
  fileError: string;
  cpuSeconds: boolean;
}
export function irisProgram(axon: typeof ax, csvText: string): IrisResult;
