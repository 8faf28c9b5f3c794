/**
 * Letting finished runs go, planned against a BatchView so runs written earlier in the
 * batch count: the history cap (at most `history` finished runs per job in ZooKeeper) and
 * the `prune-runs` op (the job's history limit).
 */
import { isTerminal, type Run, type StoreOp } from '../../core/types.js';
import { newestFirst } from '../run-row.js';
import type { WriteResult } from '../types.js';
import type { BatchView } from './batch-view.js';
import { decodeRun } from './codec.js';
import type { ZkLayout } from './layout.js';

/** Remove a run with its claim key (when the key is still its own) and its active entry. */
export async function removeRun(view: BatchView, layout: ZkLayout, run: Run): Promise<void> {
  const keyPath = layout.key(run.job, run.key);
  const activePath = layout.active(run.job, run.id);
  const runPath = layout.run(run.job, run.id);
  await view.prefetch([keyPath, activePath, runPath]);
  if ((await view.get(keyPath))?.toString() === run.id) view.set(keyPath, null);
  view.set(activePath, null);
  view.set(runPath, null);
}

/** The job's finished runs as the batch leaves them, newest first. */
async function finishedRuns(view: BatchView, layout: ZkLayout, job: string): Promise<Run[]> {
  const dir = layout.runsOf(job);
  const paths = (await view.children(dir)).map((n) => `${dir}/${n}`);
  await view.prefetch(paths);
  const runs: Run[] = [];
  for (const p of paths) {
    const data = await view.get(p);
    if (data) runs.push(decodeRun(data));
  }
  return runs.filter((r) => isTerminal(r.status)).sort(newestFirst);
}

/** Drop the oldest finished runs of a job beyond `keep`; the cheap child count usually says there are none. */
export async function capHistory(view: BatchView, layout: ZkLayout, job: string, keep: number, result: WriteResult): Promise<void> {
  if ((await view.children(layout.runsOf(job))).length <= keep) return;
  for (const run of (await finishedRuns(view, layout, job)).slice(keep)) {
    await removeRun(view, layout, run);
    result.evictedRunIds.push(run.id);
  }
}

/** The job's finished runs beyond the newest `keep`, or finished before `now - maxAgeMs`, go. */
export async function pruneRuns(view: BatchView, layout: ZkLayout, op: Extract<StoreOp, { op: 'prune-runs' }>, result: WriteResult): Promise<void> {
  const before = op.now - op.maxAgeMs;
  for (const [i, run] of (await finishedRuns(view, layout, op.job)).entries()) {
    if (i < op.keep && !(run.finishedAt !== null && run.finishedAt < before)) continue;
    await removeRun(view, layout, run);
    result.removedRunIds.push(run.id);
  }
}
