/**
 * This host as the local backend's one agent: what it offers and what placement
 * constraints can match.
 */
import { statfsSync } from 'node:fs';
import { availableParallelism, hostname, totalmem } from 'node:os';
import type { Resources } from '../../core/types.js';

const MIB = 1024 * 1024;

/**
 * cpus = os.availableParallelism(), mem = total memory in MiB, disk = free space in MiB on
 * the data dir's file system now (0 if it cannot be read), gpus = 0.
 */
export function defaultResources(dataDir: string): Resources {
  let disk = 0;
  try {
    const fs = statfsSync(dataDir);
    disk = Math.floor((Number(fs.bavail) * Number(fs.bsize)) / MIB);
  } catch {
    disk = 0;
  }
  return { cpus: availableParallelism(), mem: Math.floor(totalmem() / MIB), disk, gpus: 0 };
}

/**
 * `hostname` (os.hostname()) and the configured attributes. A configured `hostname` wins,
 * as Mesos agents' `--hostname` does (e.g. for a host whose own name is meaningless).
 */
export function hostAttributes(configured: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { hostname: hostname(), ...configured };
}
