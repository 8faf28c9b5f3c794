/** API commands, answered through a `reply` effect after their writes are durable. */
import { emit, newRun, persist, type Ctx } from './context.js';
import { announceJob, rescheduleFromCursor } from './firing.js';
import { checkReferences, referrers } from './graph.js';
import { unmetOnHost } from './host-constraints.js';
import type { FieldError } from './job-spec.js';
import { claim, resortWaiting, stop } from './runs.js';
import { jobEntry, type JobEntry } from './state.js';
import type { BlacklistEntry, Command, CommandFailure, CommandResult, CommandValues, JobSpec, JobView, StoredJob } from './types.js';

export const viewOf = (entry: JobEntry): JobView => ({
  job: entry.stored,
  nextDue: entry.nextDue,
  activeRuns: [...entry.active],
});

const failure = (status: CommandFailure['status'], code: string, message: string, details?: FieldError[]): CommandFailure => ({
  ok: false,
  status,
  code,
  message,
  ...(details ? { details } : {}),
});

const notFound = (what: string): CommandFailure => failure(404, 'not_found', `${what} not found`);
const conflict = (message: string): CommandFailure => failure(409, 'conflict', message);
const invalid = (errors: FieldError[]): CommandFailure => failure(400, 'invalid', `${errors[0]!.field}: ${errors[0]!.message}`, errors);

export function handleCommand(ctx: Ctx, requestId: number, command: Command): void {
  emit(ctx, { type: 'reply', requestId, result: execute(ctx, command) });
}

const ok = <K extends Command['kind']>(kind: K, value: CommandValues[K], created?: boolean): CommandResult<K> =>
  ({ ok: true, kind, value, ...(created !== undefined ? { created } : {}) }) as CommandResult<K>;

function execute(ctx: Ctx, command: Command): CommandResult {
  const jobs = ctx.s.jobs;
  switch (command.kind) {
    case 'put-jobs':
      return putJobs(ctx, command.specs);
    case 'delete-job': {
      const entry = jobs.get(command.name);
      if (!entry) return notFound(`job ${command.name}`);
      const users = referrers(specsOf(ctx), command.name);
      if (users.length > 0) return conflict(`job ${command.name} is referenced by ${users.join(', ')}: change those first`);
      for (const id of [...entry.active]) {
        const run = ctx.s.runs.get(id);
        if (run) stop(ctx, run, 'job deleted');
      }
      jobs.delete(command.name);
      persist(ctx, { op: 'delete-job', name: command.name });
      announceJob(ctx, command.name, 'deleted');
      return ok('delete-job', { deleted: command.name });
    }
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

const specsOf = (ctx: Ctx): Map<string, JobSpec> => new Map([...ctx.s.jobs].map(([name, e]) => [name, e.stored.spec]));

function putJobs(ctx: Ctx, specs: JobSpec[]): CommandResult<'put-jobs'> {
  const prefix = (i: number) => (specs.length > 1 ? `[${i}].` : '');
  const names = new Set<string>();
  for (const [i, spec] of specs.entries()) {
    if (names.has(spec.name)) return failure(400, 'invalid', `job ${spec.name} appears twice`, [{ field: `${prefix(i)}name`, message: 'duplicate name' }]);
    names.add(spec.name);
  }
  const after = specsOf(ctx);
  for (const spec of specs) after.set(spec.name, spec);
  const errors = [...checkReferences(after, specs, prefix), ...specs.flatMap((spec, i) => unrunnable(ctx, spec, prefix(i)))];
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

/** What the backend could never do for this job: refused now rather than failing every run. */
function unrunnable(ctx: Ctx, spec: JobSpec, prefix: string): FieldError[] {
  const host = ctx.s.capacity;
  if (ctx.s.backend !== 'local' || host === null) return [];
  const errors: FieldError[] = [];
  if (spec.container !== undefined) {
    errors.push({ field: `${prefix}container`, message: `the local backend runs no containers (image "${spec.container.image}"); give the job a command or args, or use the Mesos backend` });
  }
  return [...errors, ...unmetOnHost(spec, host.id, host.attributes, prefix)];
}

interface Prepared {
  entry: JobEntry;
  existing: JobEntry | undefined;
}

function prepare(ctx: Ctx, spec: JobSpec): Prepared | { error: CommandFailure } {
  const existing = ctx.s.jobs.get(spec.name);
  const now = ctx.now;
  let stored: StoredJob;
  if (!existing) {
    stored = { spec, cursor: now, createdAt: now, updatedAt: now };
  } else {
    const old = existing.stored.spec;
    const timingChanged = old.schedule !== spec.schedule || old.timezone !== spec.timezone || JSON.stringify(old.dst) !== JSON.stringify(spec.dst);
    // A new schedule, or a resume, starts from now: nothing "missed" under the old one runs.
    const restart = timingChanged || (old.paused && !spec.paused);
    const cursor = restart ? Math.max(existing.stored.cursor ?? now, now) : existing.stored.cursor;
    stored = { spec, cursor, createdAt: existing.stored.createdAt, updatedAt: now };
  }
  try {
    return { entry: jobEntry(stored, existing?.active ?? new Set()), existing };
  } catch (e) {
    return { error: failure(400, 'invalid', `${spec.name}: ${(e as Error).message}`) };
  }
}

function commit(ctx: Ctx, { entry, existing }: Prepared): JobView {
  const spec = entry.stored.spec;
  ctx.s.jobs.set(spec.name, entry);
  rescheduleFromCursor(ctx, entry);
  persist(ctx, { op: 'put-job', job: { ...entry.stored } });
  if (existing && existing.stored.spec.priority !== spec.priority) resortWaiting(ctx);
  const action = existing && existing.stored.spec.paused !== spec.paused ? (spec.paused ? 'paused' : 'resumed') : 'put';
  announceJob(ctx, spec.name, action);
  return viewOf(entry);
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
