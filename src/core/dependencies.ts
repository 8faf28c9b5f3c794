/**
 * `after: [parents]` (fan-in). A child is ready when each parent has a success its previous
 * release did not consume; releasing consumes them (`progress.consumed`, written with the run).
 *
 * - Without a schedule, a ready child gets a run of its own (`trigger: dependency`). Its key is
 *   made of the successes it consumes, so a restart or a new leader that decides the same again
 *   is refused by the store: never two runs for the same parent successes.
 * - With a schedule (time-gated), each occurrence whose parents are not ready is claimed
 *   `waiting`; it is released (queued) when they are, or skipped when its misfire window closes.
 *
 * A new job, or one whose `after` changed, starts with its parents' current successes
 * consumed: only successes after that release it.
 */
import { claim } from './claims.js';
import { newRun, persist, saveRun, type Ctx } from './context.js';
import type { JobEntry } from './state.js';
import type { JobProgress, Run } from './types.js';
import { makeDueOrWait } from './waiting-line.js';

/** The successes that release the job now, in the order of its `after`; null while one is missing. */
export function readyCauses(ctx: Ctx, entry: JobEntry): string[] | null {
  const causes: string[] = [];
  for (const parent of entry.stored.spec.after) {
    const success = ctx.s.jobs.get(parent)?.stored.progress.lastSuccess;
    if (!success || entry.stored.progress.consumed[parent] === success.runId) return null;
    causes.push(success.runId);
  }
  return causes;
}

/** Parents without a success the job has not consumed yet. */
export function missingParents(ctx: Ctx, entry: JobEntry): string[] {
  return entry.stored.spec.after.filter((parent) => {
    const success = ctx.s.jobs.get(parent)?.stored.progress.lastSuccess;
    return !success || entry.stored.progress.consumed[parent] === success.runId;
  });
}

/** What a job that starts waiting for `after` now has consumed: every current success. */
export function consumedNow(ctx: Ctx, parents: readonly string[]): Record<string, string> {
  const consumed: Record<string, string> = {};
  for (const parent of parents) {
    const success = ctx.s.jobs.get(parent)?.stored.progress.lastSuccess;
    if (success) consumed[parent] = success.runId;
  }
  return consumed;
}

export function setProgress(ctx: Ctx, entry: JobEntry, progress: JobProgress): void {
  entry.stored.progress = progress;
  persist(ctx, { op: 'set-progress', job: entry.stored.spec.name, progress });
}

function consume(ctx: Ctx, entry: JobEntry, causes: string[]): void {
  const consumed = { ...entry.stored.progress.consumed };
  entry.stored.spec.after.forEach((parent, i) => (consumed[parent] = causes[i]!));
  setProgress(ctx, entry, { ...entry.stored.progress, consumed });
}

/** A parent succeeded (or a child came back from a pause): release the children that are ready. */
export function releaseChildren(ctx: Ctx, parent: string): void {
  for (const child of ctx.s.children.get(parent) ?? []) {
    const entry = ctx.s.jobs.get(child);
    if (entry) release(ctx, entry);
  }
}

export function release(ctx: Ctx, entry: JobEntry): void {
  if (entry.stored.spec.paused || entry.stored.spec.after.length === 0) return;
  if (entry.schedule === null) {
    const causes = readyCauses(ctx, entry);
    if (!causes) return;
    const run = newRun(ctx, entry.stored.spec, { trigger: 'dependency', key: `d:${causes.join('+')}`, scheduledAt: ctx.now, causes });
    consume(ctx, entry, causes);
    claim(ctx, run);
    return;
  }
  const waiting = oldestWaiting(ctx, entry);
  if (waiting) releaseWaiting(ctx, entry, waiting);
}

/** An occurrence of a time-gated job: it runs now if its parents are ready, else it waits for them. */
export function gateOccurrence(ctx: Ctx, entry: JobEntry, run: Run): void {
  const causes = readyCauses(ctx, entry);
  if (causes) {
    run.causes = causes;
    consume(ctx, entry, causes);
    return;
  }
  run.status = 'waiting';
  run.reason = `waiting for ${missingParents(ctx, entry).join(', ')} to succeed`;
  ctx.s.timers.push({ at: run.scheduledAt + entry.timing.misfireWindowMs, kind: 'wait-expiry', runId: run.id });
}

function releaseWaiting(ctx: Ctx, entry: JobEntry, run: Run): boolean {
  const causes = readyCauses(ctx, entry);
  if (!causes) return false;
  consume(ctx, entry, causes);
  run.status = 'queued';
  run.causes = causes;
  run.reason = null;
  saveRun(ctx, run);
  makeDueOrWait(ctx, run);
  return true;
}

function oldestWaiting(ctx: Ctx, entry: JobEntry): Run | null {
  let oldest: Run | null = null;
  for (const id of entry.active) {
    const run = ctx.s.runs.get(id);
    if (run?.status === 'waiting' && !ctx.s.claiming.has(id) && (oldest === null || run.scheduledAt < oldest.scheduledAt)) oldest = run;
  }
  return oldest;
}
