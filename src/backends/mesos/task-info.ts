/**
 * A run as a Mesos launch request: command or argv, environment, user, container,
 * resources, constraints, labels. The blacklist is not in it: the framework applies the current one
 * to every request still waiting for offers.
 */
import type { JobSpec, Run } from '../../core/types.js';
import type { LaunchRequest } from '../../mesos/framework/index.js';
import type { Constraint } from '../../mesos/offers/index.js';
import type { CommandInfo, ContainerInfo, DockerInfo } from '../../mesos/types.js';
import { parseDuration } from '../../core/duration.js';
import { taskIdOf } from './task-ids.js';

export function launchRequestOf(run: Run, spec: JobSpec): LaunchRequest {
  const env: Record<string, string> = {
    ...spec.env,
    MOROCCRON_RUN_ID: run.id,
    MOROCCRON_JOB: run.job,
    MOROCCRON_SCHEDULED_AT: new Date(run.scheduledAt).toISOString(),
    MOROCCRON_ATTEMPT: String(run.attempt),
  };
  const environment = { variables: Object.entries(env).map(([name, value]) => ({ name, type: 'VALUE' as const, value })) };
  let command: CommandInfo;
  if (spec.args) command = { shell: false, value: spec.args[0]!, arguments: spec.args, environment };
  else if (spec.command) command = { shell: true, value: spec.command, environment };
  // A container without a command runs its image's own entrypoint.
  else command = { shell: false, environment };
  // The agent runs the task as this user (FrameworkInfo.user, --mesos-user, otherwise) and decides whether it may.
  if (spec.user !== undefined) command = { ...command, user: spec.user };
  const grace = parseDuration(spec.killGracePeriod);
  return {
    taskId: taskIdOf(run),
    group: run.job,
    resources: { cpus: spec.resources.cpus, mem: spec.resources.mem, disk: spec.resources.disk, gpus: spec.resources.gpus, ports: 0 },
    constraints: spec.constraints as Constraint[],
    priority: spec.priority,
    dueAt: run.scheduledAt,
    ...(run.agent !== null ? { agentId: run.agent } : {}),
    taskInfo: {
      name: `${run.job} ${run.id}`,
      command,
      ...(spec.container ? { container: containerOf(spec.container) } : {}),
      kill_policy: { grace_period: { nanoseconds: (grace.ok ? grace.ms : 10_000) * 1e6 } },
      labels: { labels: labelsOf(run) },
    },
  };
}

/** The job's labels (as they were when the run was claimed), then moroccron's own, which win. */
function labelsOf(run: Run): { key: string; value: string }[] {
  const labels = { ...run.labels, 'moroccron.job': run.job, 'moroccron.run': run.id };
  return Object.entries(labels).map(([key, value]) => ({ key, value }));
}

/**
 * `mesos`: the Mesos containerizer (UCR) pulls and runs the Docker image itself; `docker`: the
 * agent's Docker containerizer runs it (`docker run`, with the job's parameters as options).
 */
export function containerOf(container: NonNullable<JobSpec['container']>): ContainerInfo {
  const volumes = container.volumes.map((v) => ({ container_path: v.containerPath, host_path: v.hostPath, mode: v.mode }));
  const withVolumes = volumes.length > 0 ? { volumes } : {};
  if (container.type === 'docker') {
    const docker: DockerInfo = {
      image: container.image,
      network: DOCKER_NETWORKS[container.network],
      force_pull_image: container.forcePull,
      ...(container.parameters ? { parameters: container.parameters.map(({ key, value }) => ({ key, value })) } : {}),
    };
    return { type: 'DOCKER', docker, ...withVolumes };
  }
  return {
    type: 'MESOS',
    mesos: { image: { type: 'DOCKER', docker: { name: container.image }, cached: !container.forcePull } },
    ...withVolumes,
    // No network_infos is the host's network; the spec refuses `none` for this type.
    ...(container.network === 'bridge' ? { network_infos: [{ name: 'mesos-bridge' }] } : {}),
  };
}

const DOCKER_NETWORKS = { host: 'HOST', bridge: 'BRIDGE', none: 'NONE' } as const;
