/** The line of due runs waiting for capacity: higher priority first, then earlier scheduled time. */
import type { Ctx } from './context.js';
import type { Run } from './types.js';

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
  s.inLine.add(run.id);
}

/** Take the run at `index` out of the line. */
export function leaveLineAt(ctx: Ctx, index: number): void {
  const [id] = ctx.s.waiting.splice(index, 1);
  if (id !== undefined) ctx.s.inLine.delete(id);
}

/** Take a run out of the line, wherever it is. */
export function leaveLine(ctx: Ctx, runId: string): void {
  if (!ctx.s.inLine.delete(runId)) return;
  ctx.s.waiting = ctx.s.waiting.filter((id) => id !== runId);
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
