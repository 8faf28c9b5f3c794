/** The line of due runs waiting for capacity: higher priority first, then earlier scheduled time. */
import type { Ctx } from './context.js';
import type { JobEntry } from './state.js';
import type { Resources, Run } from './types.js';

/** A queued run joins the waiting line when its time has come, or sets a timer for it. */
export function makeDueOrWait(ctx: Ctx, run: Run): void {
  if (run.scheduledAt <= ctx.now) enqueue(ctx, run);
  else ctx.s.timers.push({ at: run.scheduledAt, kind: 'run-due', runId: run.id });
}

const rankOf = (ctx: Ctx, r: Run): [number, number] => [-(ctx.s.jobs.get(r.job)?.stored.spec.priority ?? 0), r.scheduledAt];

/** Insert into the waiting line: higher priority first, then earlier scheduled time. */
export function enqueue(ctx: Ctx, run: Run): void {
  const s = ctx.s;
  if (s.inLine.has(run.id)) return;
  placementMayChange(ctx);
  const rank = (r: Run) => rankOf(ctx, r);
  const [p, t] = rank(run);
  let lo = 0;
  let hi = s.waiting.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const other = s.runs.get(s.waiting[mid]!);
    const [op, ot] = other ? rank(other) : [Infinity, Infinity];
    if (op < p || (op === p && ot <= t)) lo = mid + 1;
    else hi = mid;
  }
  s.waiting.splice(lo, 0, run.id);
  const need = s.jobs.get(run.job)?.stored.spec.resources;
  const key = need === undefined ? NO_NEED : countNeed(ctx, need);
  s.inLine.set(run.id, key);
  s.joinedLine.push(run.id);
}

/** Take the run at `index` out of the line. */
export function leaveLineAt(ctx: Ctx, index: number): void {
  const [id] = ctx.s.waiting.splice(index, 1);
  if (id !== undefined) forget(ctx, id);
}

/** Take a run out of the line, wherever it is. */
export function leaveLine(ctx: Ctx, runId: string): void {
  if (!forget(ctx, runId)) return;
  ctx.s.waiting = ctx.s.waiting.filter((id) => id !== runId);
}

const NO_NEED = '';

const needKey = (r: Resources): string => `${r.cpus}/${r.mem}/${r.disk}/${r.gpus}`;

function countNeed(ctx: Ctx, need: Resources): string {
  const key = needKey(need);
  const counted = ctx.s.waitingNeeds.get(key);
  if (counted) counted.count++;
  else ctx.s.waitingNeeds.set(key, { need: { cpus: need.cpus, mem: need.mem, disk: need.disk, gpus: need.gpus }, count: 1 });
  return key;
}

function uncountNeed(ctx: Ctx, key: string): void {
  const counted = ctx.s.waitingNeeds.get(key);
  if (counted && --counted.count === 0) ctx.s.waitingNeeds.delete(key);
}

function forget(ctx: Ctx, runId: string): boolean {
  const key = ctx.s.inLine.get(runId);
  if (key === undefined) return false;
  ctx.s.inLine.delete(runId);
  if (key !== NO_NEED) uncountNeed(ctx, key);
  return true;
}

/** After a job's resources changed: its runs in line count under the new ones. */
export function recountNeeds(ctx: Ctx, entry: JobEntry): void {
  placementMayChange(ctx);
  for (const id of entry.active) {
    const key = ctx.s.inLine.get(id);
    if (key === undefined) continue;
    if (key !== NO_NEED) uncountNeed(ctx, key);
    ctx.s.inLine.set(id, countNeed(ctx, entry.stored.spec.resources));
  }
}

/**
 * The least of each resource that any run in line needs: while what is free falls short of
 * it in any resource, no run in line fits. Null when no need is counted (an empty line).
 */
export function leastWaitingNeed(ctx: Ctx): Resources | null {
  if (ctx.s.waiting.length === 0 || ctx.s.waitingNeeds.size === 0) return null;
  let least: Resources | null = null;
  for (const { need } of ctx.s.waitingNeeds.values()) {
    least =
      least === null
        ? need
        : { cpus: Math.min(least.cpus, need.cpus), mem: Math.min(least.mem, need.mem), disk: Math.min(least.disk, need.disk), gpus: Math.min(least.gpus, need.gpus) };
  }
  return least;
}

/** Something that may let a waiting run in has happened: place() looks at the line again. */
export function placementMayChange(ctx: Ctx): void {
  ctx.s.placementChanges++;
}

/** After a job's priority changed: put the waiting line back in order. */
export function resortWaiting(ctx: Ctx): void {
  placementMayChange(ctx);
  const rank = (id: string): [number, number] => {
    const run = ctx.s.runs.get(id);
    return run ? rankOf(ctx, run) : [Infinity, Infinity];
  };
  ctx.s.waiting.sort((a, b) => {
    const [pa, ta] = rank(a);
    const [pb, tb] = rank(b);
    return pa - pb || ta - tb;
  });
}
