import { DistributedError } from '../errors.js';

/** Where this process sits in the job, as a launcher (axon run, torchrun, mpirun) describes it. */
export interface LaunchEnv {
  rank: number;
  worldSize: number;
  localRank: number;
  masterAddr: string;
  masterPort: number;
}

function intVar(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new DistributedError(
      `distributed.init: environment variable ${name}=${JSON.stringify(text)} is not a non-negative integer`,
    );
  return n;
}

/**
 * Reads torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), falling back
 * to Open MPI's (OMPI_COMM_WORLD_RANK, …_SIZE, …_LOCAL_RANK) under mpirun. Without a launcher this
 * is a group of one.
 */
export function readLaunchEnv(env: NodeJS.ProcessEnv = process.env): LaunchEnv {
  const rank = intVar(env, 'RANK') ?? intVar(env, 'OMPI_COMM_WORLD_RANK') ?? intVar(env, 'PMI_RANK') ?? 0;
  const worldSize = intVar(env, 'WORLD_SIZE') ?? intVar(env, 'OMPI_COMM_WORLD_SIZE') ?? intVar(env, 'PMI_SIZE') ?? 1;
  const localRank = intVar(env, 'LOCAL_RANK') ?? intVar(env, 'OMPI_COMM_WORLD_LOCAL_RANK') ?? rank;
  const masterAddr = env['MASTER_ADDR'] || '127.0.0.1';
  const masterPort = intVar(env, 'MASTER_PORT') ?? 29500;
  if (worldSize < 1 || rank >= worldSize)
    throw new DistributedError(
      `distributed.init: rank ${rank} is not in a world of size ${worldSize} (RANK / WORLD_SIZE)`,
    );
  if (masterPort > 65535) throw new DistributedError(`distributed.init: MASTER_PORT ${masterPort} is not a port`);
  return { rank, worldSize, localRank, masterAddr, masterPort };
}
