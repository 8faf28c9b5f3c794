/**
 * What the wrapper starts for a local run: the job's command or program (switched to its
 * user), or, for a job with `container.image`, the container runtime's client
 * (container-command.ts), with the limits the run's cgroups get and how the container
 * joins them.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { ContainerSpec } from '../../core/container-spec.js';
import type { ContainerRuntimeFacts, JobSpec, Run } from '../../core/types.js';
import type { RunLimits } from './cgroups.js';
import { containerEnvFile, containerName, containerRemoveArgs, containerRunArgs } from './container-command.js';
import { findContainerRuntime, probeContainerRuntime } from './container-runtime.js';
import type { ContainerRuntime, ContainerRuntimeChoice, RuntimeProbe } from './container-runtime.js';
import type { LaunchOrder } from './launcher-protocol.js';
import { SHELL } from './process-launcher.js';
import { ENV_FROM_FD3, jobEnvText, WORK_DIR, type RunIdentity } from './run-as.js';
import type { RunDirs } from './run-dir.js';
import { runEnvironment } from './run-environment.js';

export type JobCommand =
  | ({ ok: true } & Pick<LaunchOrder, 'argv' | 'env' | 'jobEnv' | 'limits' | 'container' | 'jobDir' | 'workDirOwner'>)
  | { ok: false; reason: string };

export interface JobCommandsOptions {
  dataDir: string;
  dirs: RunDirs;
  /** podman or docker (the constructor throws if it does not answer), the first that answers, or none. */
  runtime: ContainerRuntimeChoice;
  /** Runs get cgroups of their own (with their limits). */
  isolated: boolean;
  pidsLimit: number;
  warn?: (message: string) => void;
}

const CONTAINER_REMOVE_TIMEOUT_MS = 60_000;

const idsOf = (identity: RunIdentity): { uid: number; gid: number } => ({ uid: identity.account.uid, gid: identity.account.gid });

/** The runtime asked for; `auto`: the first that answers, or none. */
function containerRuntimeFor(choice: ContainerRuntimeChoice): RuntimeProbe {
  if (choice === 'none') return { ok: false, why: 'containers turned off (--container-runtime none)' };
  if (choice === 'auto') return findContainerRuntime();
  const probe = probeContainerRuntime(choice);
  if (!probe.ok) throw new Error(`cannot run containers with ${choice}: ${probe.why}`);
  return probe;
}

export class JobCommands {
  /** What the host says of its containers (in its isolation facts). */
  readonly containers: ContainerRuntimeFacts;
  private readonly runtime: ContainerRuntime | null;

  constructor(private readonly options: JobCommandsOptions) {
    const probe = containerRuntimeFor(options.runtime);
    this.runtime = probe.ok ? probe.runtime : null;
    this.containers = probe.ok ? { runtime: probe.runtime.name, version: probe.runtime.version } : { runtime: null, why: probe.why };
  }

  of(run: Run, spec: JobSpec, identity: RunIdentity | null): JobCommand {
    return spec.container !== undefined ? this.containerCommand(run, spec, spec.container, identity) : this.processCommand(run, spec, identity);
  }

  /** Stops and removes a container run's container (its client may be gone, and docker's engine is not ours to signal). */
  removeContainer(name: string): void {
    const runtime = this.runtime;
    if (runtime === null) return;
    execFile(runtime.path, containerRemoveArgs(runtime.name, name), { timeout: CONTAINER_REMOVE_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (error) this.options.warn?.(`cannot remove container ${name}: ${stderr.trim() || error.message}`);
    });
  }

  private limitsOf(spec: JobSpec): RunLimits {
    return { mem: spec.resources.mem, cpus: spec.resources.cpus, pids: spec.resources.pids ?? this.options.pidsLimit };
  }

  /** A job without an image: its command or program, switched to its user. */
  private processCommand(run: Run, spec: JobSpec, identity: RunIdentity | null): JobCommand {
    const argv = spec.command !== undefined ? [SHELL, '-c', spec.command] : spec.args;
    if (argv === undefined || argv.length === 0) return { ok: false, reason: 'the job has neither a command nor args' };
    const env = runEnvironment(run, spec, identity);
    const common = { limits: this.options.isolated ? this.limitsOf(spec) : null, container: null };
    if (identity === null) return { ok: true, argv: [...argv], env, jobEnv: null, jobDir: '.', workDirOwner: null, ...common };
    return {
      ok: true,
      argv: [...identity.switchCommand, SHELL, '-c', ENV_FROM_FD3, 'moroccron-job', ...argv],
      env: {},
      jobEnv: jobEnvText(env),
      jobDir: WORK_DIR,
      workDirOwner: idsOf(identity),
      ...common,
    };
  }

  /**
   * A job with an image: the runtime's client, attached, with the run's environment by name
   * and the user's ids inside. podman's container joins the run's cgroups by a hook; docker's
   * engine holds its containers to the limits itself. What the container sees of the run dir
   * is `work/` only, whoever it runs as: the wrapper's files (pid, exit, the hook, the FIFOs)
   * stay out of its reach.
   */
  private containerCommand(run: Run, spec: JobSpec, container: ContainerSpec, identity: RunIdentity | null): JobCommand {
    const runtime = this.runtime;
    if (runtime === null) return { ok: false, reason: `this host runs no containers (${this.containers.runtime === null ? this.containers.why : 'no runtime'}); give the job a command or args` };
    if (container.parameters !== undefined) return { ok: false, reason: `the local backend passes no extra ${runtime.name} run options (container.parameters)` };
    const paths = this.options.dirs.paths(run.id);
    const owner = identity === null ? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 } : idsOf(identity);
    if (paths.dir.includes(':')) return { ok: false, reason: `${runtime.name} cannot mount the run dir ${paths.dir}: a ":" is its --volume separator; use a data dir without one` };
    let envFile: string;
    try {
      envFile = containerEnvFile(runEnvironment(run, spec, null));
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    const name = containerName(this.options.dataDir, run.id);
    const joinByHook = runtime.name === 'podman' && this.options.isolated;
    const args = containerRunArgs({
      runtime: runtime.name,
      name,
      labels: { ...run.labels, 'moroccron.job': run.job, 'moroccron.run': run.id },
      container,
      workDir: join(paths.dir, WORK_DIR),
      envFile: paths.containerEnv,
      user: identity === null ? null : { ...owner, groups: identity.groups },
      hooksDir: joinByHook ? paths.hooks : null,
      limits: runtime.name === 'docker' ? this.limitsOf(spec) : null,
      command: spec.command,
      args: spec.args,
    });
    // The client gets the server's environment only: none of the job's acts on the runtime.
    return { ok: true, argv: [runtime.path, ...args], env: {}, jobEnv: null, limits: joinByHook ? this.limitsOf(spec) : null, container: { name, joinByHook, envFile }, jobDir: WORK_DIR, workDirOwner: owner };
  }
}
