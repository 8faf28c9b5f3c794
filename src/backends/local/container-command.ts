/**
 * The command lines that run, and remove, a local job's container (container-runtime.ts).
 * Pure: what goes into them is decided by the backend.
 *
 * - The container is named after the data dir and the run, so any server of this data dir
 *   finds it again (kill after a restart), and carries the run's labels.
 * - The job's working directory (`work/` in its run dir) is mounted at CONTAINER_WORK_DIR
 *   and is the container's working directory, so what the job writes there stays with the
 *   run.
 * - Its output is the client's: `run` stays attached, and the wrapper's streams are the
 *   run's logs as for any run (with the same cap); the runtime keeps no log of its own.
 *   The backend removes the container when the run ends (job-commands.ts).
 * - `command` runs with the image's /bin/sh (its entrypoint set aside, as Mesos does),
 *   `args` go to the image's entrypoint, neither runs the image's own command.
 * - The environment is the run's, from a file in the run dir (`--env-file`): its values stay
 *   out of the process list, and out of the client's own environment, where a job's
 *   LD_PRELOAD, PATH or CONTAINERS_CONF would act on the runtime, which runs as root. A file
 *   holds one line a variable, so a value with a line break cannot go (commands.ts refuses it).
 * - A job with a `user` runs as that user's uid, gid and supplementary groups, with no way back to root
 *   (no-new-privileges), so a volume gives it no more than the user has on the host.
 * - Limits: with podman and the run's own cgroups, an OCI hook puts the container into
 *   them (cgroup-join-hook.ts), so it is held, measured and killed as any run is; docker
 *   starts its containers from its engine, so it gets the limits as options.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { ContainerSpec } from '../../core/container-spec.js';
import type { RunLimits } from './cgroups.js';
import type { ContainerRuntimeName } from './container-runtime.js';

/** Where the job's working directory appears inside its container. */
export const CONTAINER_WORK_DIR = '/mnt/moroccron/run';

export interface ContainerRunOptions {
  runtime: ContainerRuntimeName;
  name: string;
  labels: Record<string, string>;
  container: ContainerSpec;
  /** The host directory mounted at CONTAINER_WORK_DIR. */
  workDir: string;
  /** The file of the container's environment (containerEnvFile). */
  envFile: string;
  /** The uid, gid and supplementary groups the job runs as; null: the image's user. */
  user: { uid: number; gid: number; groups: readonly number[] } | null;
  /** podman: a hooks dir whose hook moves the container into the run's cgroups; null: none. */
  hooksDir: string | null;
  /** Limits the runtime sets itself (docker); null: none, or the run's cgroups hold it. */
  limits: RunLimits | null;
  command: string | undefined;
  args: readonly string[] | undefined;
}

/** One name per data dir and run, as container names go ([a-zA-Z0-9][a-zA-Z0-9_.-]*). */
export function containerName(dataDir: string, runId: string): string {
  return `moroccron-${createHash('sha256').update(`${resolve(dataDir)}\0${runId}`).digest('hex').slice(0, 24)}`;
}

const NETWORK = { host: 'host', bridge: 'bridge', none: 'none' } as const;

/** `<runtime> run …`: the client's arguments, without the program itself. */
export function containerRunArgs(o: ContainerRunOptions): string[] {
  const args: string[] = [];
  if (o.hooksDir !== null) {
    if (o.runtime !== 'podman') throw new Error('only podman takes a hooks dir');
    args.push('--hooks-dir', o.hooksDir);
  }
  args.push('run', '--name', o.name, '--log-driver', 'none');
  // podman's client removes the container once it has its status. docker's engine would
  // too, but a Docker-compatible engine (podman's own service) then answers 0 for any
  // status: moroccron removes docker's containers itself when the run ends.
  if (o.runtime === 'podman') args.splice(args.indexOf('run') + 1, 0, '--rm');
  for (const [key, value] of Object.entries(o.labels)) args.push('--label', `${key}=${value}`);
  args.push('--pull', o.container.forcePull ? 'always' : 'missing');
  args.push('--network', NETWORK[o.container.network]);
  args.push('--volume', `${o.workDir}:${CONTAINER_WORK_DIR}:rw`, '--workdir', CONTAINER_WORK_DIR);
  for (const v of o.container.volumes) args.push('--volume', `${v.hostPath}:${v.containerPath}:${v.mode === 'RO' ? 'ro' : 'rw'}`);
  args.push('--env-file', o.envFile);
  if (o.user !== null) {
    args.push('--user', `${o.user.uid}:${o.user.gid}`, '--security-opt', 'no-new-privileges');
    for (const gid of o.user.groups) args.push('--group-add', String(gid));
  }
  if (o.limits !== null) {
    const bytes = String(Math.round(o.limits.mem * 1024 * 1024));
    args.push('--memory', bytes, '--memory-swap', bytes, '--cpus', String(o.limits.cpus), '--pids-limit', String(o.limits.pids));
  }
  if (o.command !== undefined) args.push('--entrypoint', '/bin/sh', o.container.image, '-c', o.command);
  else args.push(o.container.image, ...(o.args ?? []));
  return args;
}

/** The run's environment as `--env-file` reads it: KEY=value, a line each, taken literally. */
export function containerEnvFile(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([key, value]) => {
      if (/[\r\n]/.test(value)) throw new Error(`the value of ${key} has a line break, which a container's environment file cannot hold`);
      return `${key}=${value}\n`;
    })
    .join('');
}

/** Stops and removes the container at once, if it is there; a no-op otherwise. */
export function containerRemoveArgs(runtime: ContainerRuntimeName, name: string): string[] {
  return runtime === 'podman' ? ['rm', '--force', '--ignore', '--time', '0', name] : ['rm', '--force', name];
}
