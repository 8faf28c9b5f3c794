/**
 * What a finished run means for the rest of the graph, decided in the same update() as the run's
 * end (so in the same transaction): the job's progress, its children, its triggers, and who is
 * told. A failure that is retried is not the job's outcome yet; only the last attempt is.
 */
import { claim } from './claims.js';
import { newRun, type Ctx } from './context.js';
import { releaseChildren, setProgress } from './dependencies.js';
import { waitingSubtree } from './graph.js';
import { notify, notifyWebhook, type NoticeEvent } from './notices.js';
import type { JobEntry } from './state.js';
import type { Run } from './types.js';

export function onRunFinished(ctx: Ctx, run: Run, retried: boolean): void {
  const entry = ctx.s.jobs.get(run.job);
  if (!entry) return;
  if (run.late) notify(ctx, { kind: 'late', spec: entry.stored.spec, run, resolve: true });
  if (run.status === 'succeeded') succeeded(ctx, entry, run);
  else if (run.status === 'failed' || run.status === 'lost') failed(ctx, entry, run, retried);
}

function succeeded(ctx: Ctx, entry: JobEntry, run: Run): void {
  const spec = entry.stored.spec;
  const finishedAt = run.finishedAt!;
  const recovered = entry.stored.progress.lastOutcome?.status === 'failed';
  setProgress(ctx, entry, {
    ...entry.stored.progress,
    lastSuccess: { runId: run.id, finishedAt },
    lastOutcome: { runId: run.id, status: 'succeeded', finishedAt },
  });
  notify(ctx, { kind: recovered ? 'recovery' : 'success', spec, run });
  trigger(ctx, entry, run, 'onSuccess');
  releaseChildren(ctx, spec.name);
}

function failed(ctx: Ctx, entry: JobEntry, run: Run, retried: boolean): void {
  const spec = entry.stored.spec;
  const waiting = retried ? [] : waitingSubtree(ctx.s.children, spec.name);
  notify(ctx, { kind: 'failure', final: !retried, spec, run, waiting });
  if (retried) return;
  setProgress(ctx, entry, { ...entry.stored.progress, lastOutcome: { runId: run.id, status: 'failed', finishedAt: run.finishedAt! } });
  trigger(ctx, entry, run, 'onFailure');
}

/** Each triggered job gets a run keyed by the run that caused it (once, whatever restarts); webhooks a notice. */
function trigger(ctx: Ctx, entry: JobEntry, cause: Run, on: 'onSuccess' | 'onFailure'): void {
  const spec = entry.stored.spec;
  const event: NoticeEvent = { kind: on === 'onSuccess' ? 'success' : 'failure', final: true, spec, run: cause };
  for (const target of spec.triggers[on]) {
    if (typeof target !== 'string') {
      notifyWebhook(ctx, event, target);
      continue;
    }
    const triggered = ctx.s.jobs.get(target);
    if (!triggered || triggered.stored.spec.paused) continue;
    claim(ctx, newRun(ctx, triggered.stored.spec, { trigger: 'trigger', key: `t:${cause.id}`, scheduledAt: ctx.now, causes: [cause.id] }));
  }
}
