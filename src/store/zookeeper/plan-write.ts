/**
 * What a write batch does to the znodes, decided against a BatchView: the same semantics as
 * the SQLite store (claims refused when their key is taken, updates of unknown runs and
 * cursors of unknown jobs ignored, createdAt and blacklist `since` kept on replace), plus
 * the history cap: a job keeps at most `history` finished runs in ZooKeeper, the oldest
 * going first.
 */
import { isTerminal, type Run, type StoreOp } from '../../core/types.js';
import { newestFirst } from '../run-row.js';
import type { WriteResult } from '../types.js';
import type { BatchView } from './batch-view.js';
import { decodeBlacklist, decodeJob, decodeRun, encodeBlacklist, encodeJob, encodeRun, encodeText } from './codec.js';
import { decodeSegment, parseActiveName, type ZkLayout } from './layout.js';

const EMPTY = Buffer.alloc(0);

/** Every node the ops will read, so they are fetched in one go. */
function pathsRead(layout: ZkLayout, ops: StoreOp[]): string[] {
  return ops.flatMap((op) => {
    switch (op.op) {
      case 'put-job':
        return [layout.job(op.job.spec.name)];
      case 'set-cursor':
        return [layout.job(op.job)];
      case 'delete-job':
        return [layout.job(op.name), layout.runsOf(op.name), layout.keysOf(op.name)];
      case 'claim-run': {
        const { job, id, key } = op.run;
        return [layout.key(job, key), layout.run(job, id), layout.active(job, id), layout.runsOf(job), layout.keysOf(job)];
      }
      case 'update-run':
        return [layout.run(op.run.job, op.run.id), layout.active(op.run.job, op.run.id)];
      case 'put-meta':
        return [layout.meta(op.key)];
      case 'blacklist-agent':
      case 'unblacklist-agent':
        return [layout.blacklisted(op.agent)];
    }
  });
}

function putRun(view: BatchView, layout: ZkLayout, run: Run): void {
  view.set(layout.run(run.job, run.id), encodeRun(run));
  view.set(layout.active(run.job, run.id), isTerminal(run.status) ? null : EMPTY);
}

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

async function deleteJob(view: BatchView, layout: ZkLayout, job: string, result: WriteResult): Promise<void> {
  view.set(layout.job(job), null);
  const runsDir = layout.runsOf(job);
  const keysDir = layout.keysOf(job);
  const runNames = await view.children(runsDir);
  const keyNames = await view.children(keysDir);
  const activeDir = layout.dir('active');
  const activeNames = (await view.children(activeDir)).filter((n) => parseActiveName(n)?.job === job);
  await view.prefetch([
    ...runNames.map((n) => `${runsDir}/${n}`),
    ...keyNames.map((n) => `${keysDir}/${n}`),
    ...activeNames.map((n) => `${activeDir}/${n}`),
  ]);
  for (const n of runNames) {
    result.removedRunIds.push(decodeSegment(n));
    view.set(`${runsDir}/${n}`, null);
  }
  for (const n of keyNames) view.set(`${keysDir}/${n}`, null);
  for (const n of activeNames) view.set(`${activeDir}/${n}`, null);
  if ((await view.get(runsDir)) !== null) view.set(runsDir, null);
  if ((await view.get(keysDir)) !== null) view.set(keysDir, null);
}

async function claim(view: BatchView, layout: ZkLayout, run: Run, result: WriteResult): Promise<boolean> {
  const holder = await view.get(layout.key(run.job, run.key));
  if (holder !== null) {
    // Our own claim from an earlier attempt of this batch (a retry after a lost answer) stands.
    (holder.toString() === run.id ? result.accepted : result.refused).push(run.id);
    return false;
  }
  await view.ensureDir(layout.runsOf(run.job));
  await view.ensureDir(layout.keysOf(run.job));
  view.set(layout.key(run.job, run.key), Buffer.from(run.id));
  putRun(view, layout, run);
  result.accepted.push(run.id);
  return true;
}

/** Drop the oldest finished runs of a job beyond `keep`; the cheap child count usually says there are none. */
export async function capHistory(view: BatchView, layout: ZkLayout, job: string, keep: number, result: WriteResult): Promise<void> {
  const dir = layout.runsOf(job);
  const names = await view.children(dir);
  if (names.length <= keep) return;
  const paths = names.map((n) => `${dir}/${n}`);
  await view.prefetch(paths);
  const runs: Run[] = [];
  for (const p of paths) {
    const data = await view.get(p);
    if (data) runs.push(decodeRun(data));
  }
  const finished = runs.filter((r) => isTerminal(r.status)).sort(newestFirst);
  for (const run of finished.slice(keep)) {
    await removeRun(view, layout, run);
    result.evictedRunIds.push(run.id);
  }
}

export async function planWrite(view: BatchView, layout: ZkLayout, ops: StoreOp[], history: number): Promise<WriteResult> {
  const result: WriteResult = { accepted: [], refused: [], removedRunIds: [], evictedRunIds: [] };
  await view.prefetch(pathsRead(layout, ops));
  const finishedIn = new Set<string>();
  for (const op of ops) {
    switch (op.op) {
      case 'put-job': {
        const path = layout.job(op.job.spec.name);
        const before = await view.get(path);
        view.set(path, encodeJob({ ...op.job, createdAt: before ? decodeJob(before).createdAt : op.job.createdAt }));
        break;
      }
      case 'delete-job':
        await deleteJob(view, layout, op.name, result);
        finishedIn.delete(op.name);
        break;
      case 'set-cursor': {
        const path = layout.job(op.job);
        const before = await view.get(path);
        if (before) view.set(path, encodeJob({ ...decodeJob(before), cursor: op.cursor }));
        break;
      }
      case 'claim-run':
        if ((await claim(view, layout, op.run, result)) && isTerminal(op.run.status)) finishedIn.add(op.run.job);
        break;
      case 'update-run':
        if ((await view.get(layout.run(op.run.job, op.run.id))) === null) break;
        putRun(view, layout, op.run);
        if (isTerminal(op.run.status)) finishedIn.add(op.run.job);
        break;
      case 'put-meta':
        view.set(layout.meta(op.key), encodeText(op.value, `meta ${op.key}`));
        break;
      case 'blacklist-agent': {
        const path = layout.blacklisted(op.agent);
        const before = await view.get(path);
        view.set(path, encodeBlacklist({ reason: op.reason, since: before ? decodeBlacklist(op.agent, before).since : op.since }));
        break;
      }
      case 'unblacklist-agent':
        view.set(layout.blacklisted(op.agent), null);
        break;
    }
  }
  for (const job of finishedIn) await capHistory(view, layout, job, history, result);
  return result;
}
