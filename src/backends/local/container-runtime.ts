/**
 * The container runtime that runs a local job's `container.image`: podman or docker, found
 * in the server's PATH and asked its version once at start-up. Podman is the one tested
 * here (rootful, as the server); docker needs its engine to answer.
 */
import { execFileSync } from 'node:child_process';
import { findExecutable } from './host-tools.js';

export type ContainerRuntimeName = 'podman' | 'docker';
/** What `--container-runtime` names: one of them, the first that answers, or none. */
export type ContainerRuntimeChoice = ContainerRuntimeName | 'auto' | 'none';

export interface ContainerRuntime {
  name: ContainerRuntimeName;
  /** Absolute path of its command-line program. */
  path: string;
  version: string;
}

export type RuntimeProbe = { ok: true; runtime: ContainerRuntime } | { ok: false; why: string };

const PROBE_TIMEOUT_MS = 15_000;

/** What `version` prints that names the part that runs containers: podman itself, docker's engine. */
const VERSION_FORMAT: Record<ContainerRuntimeName, string> = {
  podman: '{{.Client.Version}}',
  docker: '{{.Server.Version}}',
};

/** Asks `name` for its version: it is installed and, for docker, its engine answers. */
export function probeContainerRuntime(name: ContainerRuntimeName, path = process.env.PATH ?? ''): RuntimeProbe {
  const program = findExecutable(name, '', path);
  if (program === '') return { ok: false, why: `${name} is not installed (not in PATH)` };
  try {
    const version = execFileSync(program, ['version', '--format', VERSION_FORMAT[name]], { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    if (version === '' || version.includes('<no value>')) return { ok: false, why: `${name} version printed no version` };
    return { ok: true, runtime: { name, path: program, version } };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    const first = (stderr || (error as Error).message).split('\n')[0]!;
    return { ok: false, why: `${name} version failed: ${first}` };
  }
}

/** The first of podman and docker that answers; why neither does otherwise. */
export function findContainerRuntime(path = process.env.PATH ?? ''): RuntimeProbe {
  const reasons: string[] = [];
  for (const name of ['podman', 'docker'] as const) {
    const probe = probeContainerRuntime(name, path);
    if (probe.ok) return probe;
    reasons.push(probe.why);
  }
  return { ok: false, why: reasons.join('; ') };
}
