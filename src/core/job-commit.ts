/**
 * A job created or changed: its durable record (cursor and progress carried over), its place
 * in the graph, its next occurrence, and the write, all in the command's batch.
 */
import { failure } from './command-results.js';
import { persist, type Ctx } from './context.js';
import { consumedNow, release } from './dependencies.js';
import { announceJob, rescheduleFromCursor } from './firing.js';
import { relinkParents } from './graph.js';
import { placeInOrder } from './job-order.js';
import { jobEntry, type JobEntry } from './state.js';
import { NO_PROGRESS, type CommandFailure, type JobSpec, type JobView, type Resources, type StoredJob } from './types.js';
import { placementMayChange, recountNeeds, resortWaiting } from './waiting-line.js';

export const viewOf = (entry: JobEntry): JobView => ({
  job: entry.stored,
  nextDue: entry.nextDue,
  activeRuns: [...entry.active],
});

export interface Prepared {
  entry: JobEntry;
  existing: JobEntry | undefined;
}

export function prepare(ctx: Ctx, spec: JobSpec): Prepared | { error: CommandFailure } {
  const existing = ctx.s.jobs.get(spec.name);
  const now = ctx.now;
  let stored: StoredJob;
  if (!existing) {
    stored = { spec, cursor: now, createdAt: now, updatedAt: now, progress: { ...NO_PROGRESS, consumed: consumedNow(ctx, spec.after) } };
  } else {
    const old = existing.stored.spec;
    const timingChanged = old.schedule !== spec.schedule || old.timezone !== spec.timezone || JSON.stringify(old.dst) !== JSON.stringify(spec.dst);
    // A new schedule, or a resume, starts from now: nothing "missed" under the old one runs.
    const restart = timingChanged || (old.paused && !spec.paused);
    const cursor = restart ? Math.max(existing.stored.cursor ?? now, now) : existing.stored.cursor;
    // A parent added now counts from its next success, as for a new job.
    const added = spec.after.filter((p) => !old.after.includes(p));
    const kept = Object.fromEntries(Object.entries(existing.stored.progress.consumed).filter(([p]) => spec.after.includes(p)));
    const progress = { ...existing.stored.progress, consumed: { ...kept, ...consumedNow(ctx, added) } };
    stored = { spec, cursor, createdAt: existing.stored.createdAt, updatedAt: now, progress };
  }
  try {
    return { entry: jobEntry(stored, existing?.active), existing };
  } catch (e) {
    return { error: failure(400, 'invalid', `${spec.name}: ${(e as Error).message}`) };
  }
}

const sameResources = (a: Resources, b: Resources): boolean => a.cpus === b.cpus && a.mem === b.mem && a.disk === b.disk && a.gpus === b.gpus;

export function commit(ctx: Ctx, { entry, existing }: Prepared): JobView {
  const spec = entry.stored.spec;
  ctx.s.jobs.set(spec.name, entry);
  placeInOrder(ctx.s.jobOrder, entry);
  placementMayChange(ctx);
  relinkParents(ctx.s.children, spec.name, existing?.stored.spec.after ?? [], spec.after);
  rescheduleFromCursor(ctx, entry);
  persist(ctx, { op: 'put-job', job: { ...entry.stored } });
  if (existing && existing.stored.spec.priority !== spec.priority) resortWaiting(ctx);
  if (existing && !sameResources(existing.stored.spec.resources, spec.resources)) recountNeeds(ctx, entry);
  const action = existing && existing.stored.spec.paused !== spec.paused ? (spec.paused ? 'paused' : 'resumed') : 'put';
  announceJob(ctx, spec.name, action);
  // Back from a pause: parents may have succeeded meanwhile.
  if (action === 'resumed') release(ctx, entry);
  return viewOf(entry);
}
