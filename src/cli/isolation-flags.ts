/** `serve --isolation`, `--pids-limit` and `--container-runtime`: how the local backend holds runs to their resources, and what runs their images. */
import type { ContainerRuntimeChoice } from '../backends/local/index.js';
import { CliError } from './cli-error.js';

export interface IsolationSettings {
  isolation?: 'cgroups' | 'none';
  pidsLimit?: number;
  containerRuntime?: ContainerRuntimeChoice;
}

const RUNTIMES = ['podman', 'docker', 'auto', 'none'] as const;

export function isolationSettings(backend: string, isolation: string | undefined, pidsLimit: string | undefined, containerRuntime?: string): IsolationSettings {
  const settings: IsolationSettings = {};
  if (isolation !== undefined) {
    if (isolation !== 'cgroups' && isolation !== 'none') throw new CliError(`--isolation must be cgroups or none, not "${isolation}"`);
    if (backend !== 'local') throw new CliError('--isolation is for the local backend; on Mesos, the agents isolate (their --isolation flag)');
    settings.isolation = isolation;
  }
  if (pidsLimit !== undefined) {
    const n = Number(pidsLimit);
    if (!/^\d+$/.test(pidsLimit) || !Number.isSafeInteger(n) || n < 1 || n > 4_194_304) throw new CliError(`--pids-limit must be a whole number from 1 to 4194304, not "${pidsLimit}"`);
    if (backend !== 'local') throw new CliError('--pids-limit is for the local backend; Mesos has no limit on a task\'s processes to give it');
    settings.pidsLimit = n;
  }
  if (containerRuntime !== undefined) {
    const runtime = RUNTIMES.find((name) => name === containerRuntime);
    if (runtime === undefined) throw new CliError(`--container-runtime must be podman, docker, auto or none, not "${containerRuntime}"`);
    if (backend !== 'local') throw new CliError('--container-runtime is for the local backend; on Mesos, the agents\' containerizers run images (container.type)');
    settings.containerRuntime = runtime;
  }
  return settings;
}
