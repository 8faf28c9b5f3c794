/** One page of runs out of pages from several stores that each answered the same query. */
import type { Run } from '../../core/types.js';
import { newestFirst } from '../run-row.js';
import { encodeRunCursor, type RunPage } from '../types.js';

/**
 * Pages are keyset pages (newest first, after a cursor), so the newest `limit` of their union
 * is the true page; a run in several pages counts once, the first page's copy winning.
 */
export function mergeRunPages(limit: number, pages: RunPage[]): RunPage {
  const byId = new Map<string, Run>();
  for (const page of pages) for (const run of page.runs) if (!byId.has(run.id)) byId.set(run.id, run);
  const sorted = [...byId.values()].sort(newestFirst);
  const runs = sorted.slice(0, limit);
  const more = sorted.length > limit || pages.some((p) => p.nextCursor !== null);
  return { runs, nextCursor: more && runs.length > 0 ? encodeRunCursor(runs[runs.length - 1]!) : null };
}
