/**
 * The default process group, held apart from init() (state.ts) so that the training loop can ask
 * "am I rank 0?" without importing the collective addons (and so stays free of Node in the browser).
 */
import type { ProcessGroup } from './process-group.js';

let current: ProcessGroup | null = null;

export function setCurrentGroup(group: ProcessGroup | null): void {
  current = group;
}

/** The default group, or null outside distributed training. */
export function currentGroup(): ProcessGroup | null {
  return current;
}

/** This process's rank in the default group (0 outside distributed training). */
export function getRank(): number {
  return current?.rank ?? 0;
}

/** The number of processes in the default group (1 outside distributed training). */
export function getWorldSize(): number {
  return current?.worldSize ?? 1;
}

/** True on rank 0, and outside distributed training: the process that prints, logs and saves. */
export function isMainProcess(): boolean {
  return getRank() === 0;
}
