/**
 * What a write batch does to the znodes, decided against a BatchView: the same semantics as
 * the SQLite store (claims refused when their key is taken, updates of unknown runs and
 * cursors or progress of unknown jobs ignored, createdAt and blacklist `since` kept on
 * replace, a notice or audit entry already present left as it is), plus
 * the history cap: a job keeps at most `history` finished runs in ZooKeeper, the oldest
 * going first, and the audit log's cap (access.ts).
 */
import { isTerminal, type Run, type StoreOp } from '../../core/types.js';
import type { WriteResult } from '../types.js';
import { capAudit, pruneAudit, putAudit } from './access.js';
import type { BatchView } from './batch-view.js';
import { decodeBlacklist, decodeJob, decodeOwner, encodeBlacklist, encodeJob, encodeNotice, encodeOwner, encodeRun, encodeText } from './codec.js';
import { decodeSegment, parseActiveName, type ZkLayout } from './layout.js';
import { capHistory, pruneRuns } from './run-history.js';

const EMPTY = Buffer.alloc(0);

/** Every node the ops will read, so they are fetched in one go. */
function pathsRead(layout: ZkLayout, ops: StoreOp[]): string[] {
  return ops.flatMap((op) => {
    switch (op.op) {
      case 'put-job':
        return [layout.job(op.job.spec.name)];
      case 'set-cursor':
      case 'set-progress':
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
      case 'prune-runs':
        return [];
      case 'put-owner':
        return [layout.owner(op.owner.spec.name)];
      case 'delete-owner':
        return [layout.owner(op.name)];
      case 'put-notice':
        return [layout.notice(op.notice.id)];
      case 'delete-notice':
        return [layout.notice(op.id)];
      case 'put-audit':
        return [layout.audit(op.entry)];
      case 'prune-audit':
        return [];
    }
  });
}

function putRun(view: BatchView, layout: ZkLayout, run: Run): void {
  view.set(layout.run(run.job, run.id), encodeRun(run));
  view.set(layout.active(run.job, run.id), isTerminal(run.status) ? null : EMPTY);
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

/** Returns whether the run was written (a new claim, or the missing half of our own). */
async function claim(view: BatchView, layout: ZkLayout, run: Run, result: WriteResult): Promise<boolean> {
  const holder = await view.get(layout.key(run.job, run.key));
  if (holder !== null) {
    // Our own claim from an earlier attempt of this batch (a retry after a lost answer) stands.
    const own = holder.toString() === run.id;
    (own ? result.accepted : result.refused).push(run.id);
    // A batch split into several multis may have lost its answer after the key's multi and
    // before the run's: a key is removed with its run, so a key without its run is such a half.
    const half = own && (await view.get(layout.run(run.job, run.id))) === null;
    if (half) putRun(view, layout, run);
    return half;
  }
  await view.ensureDir(layout.runsOf(run.job));
  await view.ensureDir(layout.keysOf(run.job));
  view.set(layout.key(run.job, run.key), Buffer.from(run.id));
  putRun(view, layout, run);
  result.accepted.push(run.id);
  return true;
}

export async function planWrite(view: BatchView, layout: ZkLayout, ops: StoreOp[], history: number): Promise<WriteResult> {
  const result: WriteResult = { accepted: [], refused: [], removedRunIds: [], evictedRunIds: [] };
  await view.prefetch(pathsRead(layout, ops));
  const finishedIn = new Set<string>();
  let auditAdded = false;
  for (const [position, op] of ops.entries()) {
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
      case 'set-progress': {
        const path = layout.job(op.job);
        const before = await view.get(path);
        if (before) view.set(path, encodeJob({ ...decodeJob(before), progress: op.progress }));
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
      case 'prune-runs':
        await pruneRuns(view, layout, op, result);
        break;
      case 'put-owner': {
        const path = layout.owner(op.owner.spec.name);
        const before = await view.get(path);
        view.set(path, encodeOwner({ ...op.owner, createdAt: before ? decodeOwner(before).createdAt : op.owner.createdAt }));
        break;
      }
      case 'delete-owner':
        view.set(layout.owner(op.name), null);
        break;
      case 'put-notice': {
        const path = layout.notice(op.notice.id);
        if ((await view.get(path)) === null) view.set(path, encodeNotice(op.notice, position));
        break;
      }
      case 'delete-notice':
        view.set(layout.notice(op.id), null);
        break;
      case 'put-audit':
        auditAdded = (await putAudit(view, layout, op.entry)) || auditAdded;
        break;
      case 'prune-audit':
        await pruneAudit(view, layout, op.before);
        break;
    }
  }
  for (const job of finishedIn) await capHistory(view, layout, job, history, result);
  if (auditAdded) await capAudit(view, layout);
  return result;
}
