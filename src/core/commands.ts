/** API commands, answered through a `reply` effect after their writes are durable. */
import { refusal } from './access-control.js';
import { recordAudit } from './audit.js';
import { claim } from './claims.js';
import { conflict, failure, invalid, notFound, ok, specsOf } from './command-results.js';
import { emit, newRun, persist, type Ctx } from './context.js';
import { restoreTriggerSecrets } from './channel-secrets.js';
import { restoreHiddenValues } from './env-redaction.js';
import { checkReferences } from './graph.js';
import { unmetOnHost } from './host-constraints.js';
import { userProblems } from './host-users.js';
import { commit, prepare } from './job-commit.js';
import { deleteJob } from './job-removal.js';
import type { FieldError } from './job-spec.js';
import { deleteOwner, putOwners, testOwnerNotices } from './owner-commands.js';
import { stop } from './runs.js';
import type { Actor, BlacklistEntry, Command, CommandResult, ContainerRuntimeFacts, JobSpec } from './types.js';

/** Judged (who may), carried out, and audited in the same batch; the reply waits for all of it to be durable. */
export function handleCommand(ctx: Ctx, requestId: number, command: Command, actor: Actor): void {
  const result = refusal(ctx, actor, command) ?? execute(ctx, command);
  recordAudit(ctx, actor, command, result);
  emit(ctx, { type: 'reply', requestId, result });
}

function execute(ctx: Ctx, command: Command): CommandResult {
  const jobs = ctx.s.jobs;
  switch (command.kind) {
    case 'put-jobs':
      return putJobs(ctx, command.specs);
    case 'delete-job':
      return deleteJob(ctx, command.name, command.force === true);
    case 'run-job': {
      const entry = jobs.get(command.name);
      if (!entry) return notFound(`job ${command.name}`);
      const spec = entry.stored.spec;
      const active = [...entry.active].map((id) => ctx.s.runs.get(id)).filter((r) => r !== undefined);
      if (spec.concurrency === 'forbid' && active.length > 0) {
        return conflict(`job ${spec.name} has run ${active[0]!.id} ${active[0]!.status} and its concurrency is forbid`);
      }
      const run = newRun(ctx, spec, { trigger: 'manual', scheduledAt: ctx.now });
      if (spec.concurrency === 'replace') for (const old of active) stop(ctx, old, `replaced by manual run ${run.id}`);
      claim(ctx, run);
      return ok('run-job', { ...run }, true);
    }
    case 'pause-job':
    case 'resume-job': {
      const entry = jobs.get(command.name);
      if (!entry) return notFound(`job ${command.name}`);
      const p = prepare(ctx, { ...entry.stored.spec, paused: command.kind === 'pause-job' });
      if ('error' in p) return p.error;
      return ok(command.kind, commit(ctx, p));
    }
    case 'kill-run': {
      const run = ctx.s.runs.get(command.runId);
      if (!run) return notFound(`active run ${command.runId}`);
      stop(ctx, run, 'killed on request');
      return ok('kill-run', { ...run });
    }
    case 'blacklist-agent':
    case 'unblacklist-agent':
      return changeBlacklist(ctx, command);
    case 'put-owners':
      return putOwners(ctx, command.specs);
    case 'delete-owner':
      return deleteOwner(ctx, command.name);
    case 'test-notices':
      return testOwnerNotices(ctx, command.owner);
    case 'teardown': {
      const current = ctx.s.frameworkId;
      if (ctx.s.backend !== 'mesos' || current === null) return conflict('there is no Mesos framework to tear down');
      if (command.frameworkId !== current) return conflict(`the framework is ${current}, not ${command.frameworkId}; nothing was torn down`);
      emit(ctx, { type: 'log', level: 'warn', message: `tearing down the Mesos framework ${current} on request: every task is killed` });
      emit(ctx, { type: 'teardown' });
      return ok('teardown', { tornDown: current });
    }
  }
}

function putJobs(ctx: Ctx, sent: JobSpec[]): CommandResult<'put-jobs'> {
  const prefix = (i: number) => (sent.length > 1 ? `[${i}].` : '');
  const names = new Set<string>();
  for (const [i, spec] of sent.entries()) {
    if (names.has(spec.name)) return failure(400, 'invalid', `job ${spec.name} appears twice`, [{ field: `${prefix(i)}name`, message: 'duplicate name' }]);
    names.add(spec.name);
  }
  const restored = withHiddenValuesKept(ctx, sent, prefix);
  if (!restored.ok) return invalid(restored.errors);
  const specs = restored.specs;
  const after = specsOf(ctx);
  for (const spec of specs) after.set(spec.name, spec);
  const errors = [
    ...checkReferences(after, specs, prefix),
    ...specs.flatMap((spec, i) => [...unrunnable(ctx, spec, prefix(i)), ...unknownOwners(ctx, spec, prefix(i))]),
  ];
  if (errors.length > 0) return invalid(errors);
  const prepared = [];
  for (const spec of specs) {
    const p = prepare(ctx, spec);
    if ('error' in p) return p.error;
    prepared.push(p);
  }
  const views = prepared.map((p) => commit(ctx, p));
  return ok('put-jobs', views, prepared.some((p) => p.existing === undefined));
}

/** A job shown with `***` for its secrets and sent back as it was keeps the values it has. */
function withHiddenValuesKept(ctx: Ctx, sent: JobSpec[], prefix: (i: number) => string): { ok: true; specs: JobSpec[] } | { ok: false; errors: FieldError[] } {
  const specs: JobSpec[] = [];
  const errors: FieldError[] = [];
  for (const [i, spec] of sent.entries()) {
    const held = ctx.s.jobs.get(spec.name)?.stored.spec;
    const env = restoreHiddenValues(spec, held, ctx.s.config.envRedaction, prefix(i));
    const triggers = restoreTriggerSecrets(env.ok ? env.spec : spec, held, prefix(i));
    if (env.ok && triggers.ok) specs.push(triggers.value);
    errors.push(...(env.ok ? [] : env.errors), ...(triggers.ok ? [] : triggers.errors));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, specs };
}

/** What the backend could never do for this job: refused now rather than failing every run. */
function unrunnable(ctx: Ctx, spec: JobSpec, prefix: string): FieldError[] {
  const host = ctx.s.capacity;
  if (ctx.s.backend === 'mesos') return mesosProblems(spec, prefix);
  if (ctx.s.backend !== 'local' || host === null) return [];
  const errors: FieldError[] = [];
  if (spec.resources.pids !== undefined && host.isolation?.mode === 'none') {
    errors.push({ field: `${prefix}resources.pids`, message: `this host enforces no limits (isolation: none: ${host.isolation.why ?? 'no cgroups'}); leave resources.pids out, or run the server where it can use cgroups` });
  }
  if (spec.container !== undefined) errors.push(...localContainerProblems(spec, spec.container, host.isolation?.containers, prefix));
  const users = host.users === undefined ? [] : userProblems(spec, host.id, host.users, prefix);
  return [...errors, ...unmetOnHost(spec, host.id, host.attributes, prefix), ...users];
}

function mesosProblems(spec: JobSpec, prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  if (spec.resources.pids !== undefined) {
    errors.push({ field: `${prefix}resources.pids`, message: 'Mesos has no limit on a task\'s processes to give it; leave resources.pids out on the Mesos backend' });
  }
  if (spec.container?.type === 'mesos' && spec.container.network === 'none') {
    errors.push({ field: `${prefix}container.network`, message: 'the Mesos containerizer has no "none" network (no network_infos means the host\'s); use type: docker, or host or bridge' });
  }
  return errors;
}

/** A container the local backend cannot run: no runtime on the host, or `docker run` options it does not pass. */
function localContainerProblems(spec: JobSpec, container: NonNullable<JobSpec['container']>, facts: ContainerRuntimeFacts | undefined, prefix: string): FieldError[] {
  if (facts === undefined || facts.runtime === null) {
    const why = facts?.why ?? 'no container runtime';
    return [{ field: `${prefix}container`, message: `this host runs no containers (${why}); install podman (or docker) and restart the server, give the job a command or args, or use the Mesos backend` }];
  }
  const errors: FieldError[] = [];
  if (container.parameters !== undefined) {
    errors.push({ field: `${prefix}container.parameters`, message: `the local backend passes no extra ${facts.runtime} run options: they could lift the run's limits or its user; leave parameters out` });
  }
  for (const [key, value] of Object.entries(spec.env)) {
    if (/[\r\n]/.test(value)) errors.push({ field: `${prefix}env.${key}`, message: `${facts.runtime} takes a container's environment from a file of one line a variable: a value with a line break cannot go` });
  }
  container.volumes.forEach((volume, i) => {
    for (const key of ['hostPath', 'containerPath'] as const) {
      if (volume[key].includes(':')) errors.push({ field: `${prefix}container.volumes[${i}].${key}`, message: `${facts.runtime} cannot mount a path with a ":" (its --volume separator)` });
    }
  });
  return errors;
}

/** Owners a job names that do not exist, or `notify` names that are not among its owners. */
function unknownOwners(ctx: Ctx, spec: JobSpec, prefix: string): FieldError[] {
  const errors: FieldError[] = [];
  spec.owners.forEach((owner, i) => {
    if (!ctx.s.owners.has(owner)) errors.push({ field: `${prefix}owners[${i}]`, message: `no owner named "${owner}" (create it first: PUT /api/v1/owners/${owner})` });
  });
  for (const [list, names] of Object.entries(spec.notify)) {
    names.forEach((name, i) => {
      if (name !== 'owner' && !spec.owners.includes(name)) errors.push({ field: `${prefix}notify.${list}[${i}]`, message: `"${name}" is not one of the job's owners` });
    });
  }
  return errors;
}

/**
 * The blacklist lives here so its writes are fenced like every other; the backend is told
 * at once, and re-places what waits for offers (a lifted entry must not leave runs stuck).
 */
function changeBlacklist(
  ctx: Ctx,
  command: Extract<Command, { kind: 'blacklist-agent' | 'unblacklist-agent' }>,
): CommandResult<'blacklist-agent' | 'unblacklist-agent'> {
  const s = ctx.s;
  if (s.backend === 'local') return conflict('the local backend runs everything on this host; the blacklist applies to Mesos agents');
  if (command.kind === 'blacklist-agent') {
    const entry: BlacklistEntry = { agent: command.agent, reason: command.reason, since: s.blacklist.get(command.agent)?.since ?? ctx.now };
    s.blacklist.set(command.agent, entry);
    persist(ctx, { op: 'blacklist-agent', ...entry });
  } else {
    s.blacklist.delete(command.agent);
    persist(ctx, { op: 'unblacklist-agent', agent: command.agent });
  }
  emit(ctx, { type: 'set-blacklist', agents: [...s.blacklist.keys()] });
  const list = [...s.blacklist.values()].sort((a, b) => (a.agent < b.agent ? -1 : 1)).map((e) => ({ ...e }));
  return ok(command.kind, list);
}
