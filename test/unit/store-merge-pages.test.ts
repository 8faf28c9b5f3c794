/** Merging keyset pages from the primary store and the run archive into one page. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeRunPages } from '../../src/store/history/merge-pages.js';
import { decodeRunCursor, encodeRunCursor } from '../../src/store/types.js';
import { run } from '../helpers/store-contract.js';

const at = (id: string, scheduledAt: number) => run('j', { id, scheduledAt });

test('the newest `limit` of the union, each run once, the first page winning a tie', () => {
  const recent = [at('e', 5000), at('d', 4000), { ...at('c', 3000), status: 'succeeded' as const }];
  const archived = [at('c', 3000), at('b', 2000), at('a', 1000)];
  const page = mergeRunPages(4, [
    { runs: recent, nextCursor: null },
    { runs: archived, nextCursor: encodeRunCursor(archived[2]!) },
  ]);
  assert.deepEqual(page.runs.map((r) => r.id), ['e', 'd', 'c', 'b']);
  assert.equal(page.runs[2]!.status, 'succeeded', "the primary's copy of a run in both");
  assert.deepEqual(decodeRunCursor(page.nextCursor!), { scheduledAt: 2000, id: 'b' });
});

test('ties on scheduledAt order by id, descending, as the SQL stores do', () => {
  const page = mergeRunPages(10, [
    { runs: [at('x2', 1000)], nextCursor: null },
    { runs: [at('x3', 1000), at('x1', 1000)], nextCursor: null },
  ]);
  assert.deepEqual(page.runs.map((r) => r.id), ['x3', 'x2', 'x1']);
  assert.equal(page.nextCursor, null, 'both sides exhausted: no next page');
});

test('a side with more to give keeps the cursor even when this page is short', () => {
  const page = mergeRunPages(3, [
    { runs: [at('b', 2000)], nextCursor: null },
    { runs: [at('b', 2000), at('a', 1000)], nextCursor: 'more' },
  ]);
  assert.deepEqual(page.runs.map((r) => r.id), ['b', 'a']);
  assert.deepEqual(decodeRunCursor(page.nextCursor!), { scheduledAt: 1000, id: 'a' });
  assert.deepEqual(mergeRunPages(3, [{ runs: [], nextCursor: null }]), { runs: [], nextCursor: null });
});
