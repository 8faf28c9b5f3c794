/** API commands, answered through a `reply` effect after their writes are durable. */
import { emit, newRun, persist, type Ctx } from './context.js';
import { announceJob, rescheduleFromCursor } from './firing.js';
import { checkReferences, referrers } from './graph.js';
import { claim, resortWaiting, stop } from './runs.js';
import { jobEntry, type JobEntry } from './state.js';
import type { Command, CommandResult, JobSpec, StoredJob } from './types.js';

export interface JobView {
  job: StoredJob;
  nextDue: number | null;
  activeRuns: string[];
}

export const viewOf = (entry: JobEntry): JobView => ({
  job: entry.stored,
  nextDue: entry.nextDue,
  activeRuns: [...entry.active],
});

const notFound = (what: string): CommandResult => ({ ok: false, status: 404, code: 'not_found', message: `${what} not found` });

export function handleCommand(ctx: Ctx, requestId: number, command: Command): void {
  const result = execute(ctx, command);
  emit(ctx, { type: 'reply', requestId, result });
}

function execute(ctx: Ctx, command: Command): CommandResult {
  const jobs = ctx.s.jobs;
  switch (command.kind) {
    case 'put-jobs':
      return putJobs(ctx, command.specs);
    case 'delete-job': {
      const entry = jobs.get(command.name);
      if (!entry) return notFound(`job ${command.name}`);
      const users = referrers(specsOf(ctx), command.name);
      if (users.length > 0) {
        return { ok: false, status: 409, code: 'conflict', message: `job ${command.name} is referenced by ${users.join(', ')}: change those first` };
      }
      for (const id of [...entry.active]) {
        const run = ctx.s.runs.get(id);
        if (run) stop(ctx, run, 'job deleted');
      }
      jobs.delete(command.name);
      persist(ctx, { op: 'delete-job', name: command.name });
      announceJob(ctx, command.name, 'deleted');
      return { ok: true, value: { deleted: command.name } };
    }
    case 'run-job': {
      const entry = jobs.get(command.name);
      if (!entry) return notFound(`job ${command.name}`);
      const spec = entry.stored.spec;
      const active = [...entry.active].map((id) => ctx.s.runs.get(id)).filter((r) => r !== undefined);
      if (spec.concurrency === 'forbid' && active.length > 0) {
        return {
          ok: false,
          status: 409,
          code: 'conflict',
          message: `job ${spec.name} has run ${active[0]!.id} ${active[0]!.status} and its concurrency is forbid`,
        };
      }
      const run = newRun(ctx, { job: spec.name, trigger: 'manual', scheduledAt: ctx.now });
      if (spec.concurrency === 'replace') for (const old of active) stop(ctx, old, `replaced by manual run ${run.id}`);
      claim(ctx, run);
      return { ok: true, value: { ...run }, created: true };
    }
    case 'pause-job':
    case 'resume-job': {
      const entry = jobs.get(command.name);
      if (!entry) return notFound(`job ${command.name}`);
      return putJob(ctx, { ...entry.stored.spec, paused: command.kind === 'pause-job' });
    }
    case 'kill-run': {
      const run = ctx.s.runs.get(command.runId);
      if (!run) return notFound(`active run ${command.runId}`);
      stop(ctx, run, 'killed on request');
      return { ok: true, value: { ...run } };
    }
  }
}

const specsOf = (ctx: Ctx): Map<string, JobSpec> => new Map([...ctx.s.jobs].map(([name, e]) => [name, e.stored.spec]));

function putJobs(ctx: Ctx, specs: JobSpec[]): CommandResult {
  const names = new Set<string>();
  for (const [i, spec] of specs.entries()) {
    if (names.has(spec.name)) {
      return { ok: false, status: 400, code: 'invalid', message: `job ${spec.name} appears twice`, details: [{ field: `[${i}].name`, message: 'duplicate name' }] };
    }
    names.add(spec.name);
  }
  const after = specsOf(ctx);
  for (const spec of specs) after.set(spec.name, spec);
  const errors = checkReferences(after, specs, (i) => (specs.length > 1 ? `[${i}].` : ''));
  if (errors.length > 0) {
    return { ok: false, status: 400, code: 'invalid', message: `${errors[0]!.field}: ${errors[0]!.message}`, details: errors };
  }
  const prepared = [];
  for (const spec of specs) {
    const p = prepare(ctx, spec);
    if ('error' in p) return p.error;
    prepared.push(p);
  }
  const views = prepared.map((p) => commit(ctx, p));
  return { ok: true, value: views, created: prepared.some((p) => p.existing === undefined) };
}

function putJob(ctx: Ctx, spec: JobSpec): CommandResult {
  const p = prepare(ctx, spec);
  if ('error' in p) return p.error;
  return { ok: true, value: commit(ctx, p), created: p.existing === undefined };
}

interface Prepared {
  entry: JobEntry;
  existing: JobEntry | undefined;
}

function prepare(ctx: Ctx, spec: JobSpec): Prepared | { error: CommandResult } {
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
    return { error: { ok: false, status: 400, code: 'invalid', message: `${spec.name}: ${(e as Error).message}` } };
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
