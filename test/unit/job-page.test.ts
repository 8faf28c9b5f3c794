import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { matchesFilters, pageOfJobs, type JobFacts, type JobPageQuery } from '../../src/core/job-page.js';
import { placeInOrder, removeFromOrder } from '../../src/core/job-order.js';
import { jobEntry, type JobEntry } from '../../src/core/state.js';
import { validateJobSpec } from '../../src/core/job-spec.js';
import { NO_PROGRESS, type StoredJob } from '../../src/core/types.js';

function facts(i: number, draw: { paused: boolean; owner: boolean; team: number; failed: boolean; active: number; next: number | null; word: boolean }): JobFacts {
  const r = validateJobSpec({
    name: `job-${String(i).padStart(3, '0')}`,
    command: 'true',
    paused: draw.paused,
    owners: draw.owner ? ['ops'] : [],
    labels: { team: `t${draw.team}` },
    ...(draw.word ? { description: 'Nightly BACKUP of the ledger' } : {}),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const progress = draw.failed ? { ...NO_PROGRESS, lastOutcome: { runId: 'r', status: 'failed' as const, finishedAt: 1 } } : NO_PROGRESS;
  const job: StoredJob = { spec: r.value, cursor: null, createdAt: 0, updatedAt: 0, progress };
  return { stored: job, nextDue: draw.next, active: { size: draw.active } };
}

const drawJob = fc.record({
  paused: fc.boolean(),
  owner: fc.boolean(),
  team: fc.integer({ min: 0, max: 2 }),
  failed: fc.boolean(),
  active: fc.integer({ min: 0, max: 2 }),
  next: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
  word: fc.boolean(),
});

const drawQuery = fc.record({
  limit: fc.oneof(fc.integer({ min: 1, max: 7 }), fc.constant(Number.POSITIVE_INFINITY)),
  sort: fc.constantFrom('name' as const, 'next' as const),
  order: fc.constantFrom('asc' as const, 'desc' as const),
  words: fc.option(fc.constantFrom(['backup'], ['nightly', 'ledger'], ['t1'], ['job-00']), { nil: undefined }),
  owner: fc.option(fc.constant('ops'), { nil: undefined }),
  label: fc.option(fc.constantFrom('team=t0', 'team', 'team=t9', 'other'), { nil: undefined }),
  state: fc.option(fc.constantFrom('active' as const, 'paused' as const, 'failing' as const, 'running' as const), { nil: undefined }),
});

const clean = (q: Record<string, unknown>): JobPageQuery => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as unknown as JobPageQuery;

/** What every page put together must be: the matching jobs in the asked order. */
function expected(all: JobFacts[], q: JobPageQuery): string[] {
  const matching = all.filter((j) => matchesFilters(j, q));
  const key = (j: JobFacts) => [j.nextDue === null ? Number.POSITIVE_INFINITY : j.nextDue, j.stored.spec.name] as const;
  const sorted = q.sort === 'name'
    ? matching.sort((a, b) => (a.stored.spec.name < b.stored.spec.name ? -1 : 1))
    : matching.sort((a, b) => key(a)[0] - key(b)[0] || (key(a)[1] < key(b)[1] ? -1 : 1));
  const names = sorted.map((j) => j.stored.spec.name);
  return q.order === 'asc' ? names : names.reverse();
}

test('following nextCursor from the first page lists every matching job once, in order, with the right total', () => {
  fc.assert(
    fc.property(fc.array(drawJob, { maxLength: 30 }), drawQuery, (draws, drawn) => {
      const all = draws.map((d, i) => facts(i, d));
      const query = clean(drawn);
      const want = expected(all, query);
      const got: string[] = [];
      let cursor: JobPageQuery['cursor'];
      for (let pages = 0; pages <= all.length + 1; pages++) {
        const page = pageOfJobs(all.length, (i) => all[i]!, { ...query, ...(cursor ? { cursor } : {}) }, (i) => all[i]!.stored.spec.name);
        assert.equal(page.total, want.length);
        assert.ok(page.jobs.length <= query.limit);
        got.push(...page.jobs);
        if (!page.next) break;
        cursor = page.next;
      }
      assert.deepEqual(got, want);
    }),
    { numRuns: 300 },
  );
});

test('the filters: words in name, description or labels; owner; label with or without a value; state', () => {
  const job = facts(1, { paused: false, owner: true, team: 1, failed: true, active: 0, next: 3, word: true });
  const q = (extra: Partial<JobPageQuery>): JobPageQuery => ({ limit: 10, sort: 'name', order: 'asc', ...extra });
  assert.ok(matchesFilters(job, q({ words: ['backup', 'job-001'] })));
  assert.ok(matchesFilters(job, q({ words: ['team=t1'] })));
  assert.ok(!matchesFilters(job, q({ words: ['backup', 'missing'] })));
  assert.ok(matchesFilters(job, q({ owner: 'ops', label: 'team=t1' })));
  assert.ok(matchesFilters(job, q({ label: 'team' })));
  assert.ok(!matchesFilters(job, q({ label: 'team=t2' })));
  assert.ok(matchesFilters(job, q({ state: 'failing' })));
  assert.ok(matchesFilters(job, q({ state: 'active' })));
  assert.ok(!matchesFilters(job, q({ state: 'running' })));
  const running = facts(2, { paused: false, owner: false, team: 0, failed: true, active: 1, next: null, word: false });
  assert.ok(matchesFilters(running, q({ state: 'running' })));
  assert.ok(!matchesFilters(running, q({ state: 'failing' })), 'a running job is shown as running, not failing');

  const tricky = facts(3, { paused: false, owner: false, team: 0, failed: false, active: 0, next: null, word: false });
  tricky.stored.spec.labels = { note: 'a\n"b"="c"\n', 'x=y': 'z', empty: '' };
  assert.ok(matchesFilters(tricky, q({ label: 'note=a\n"b"="c"\n' })));
  assert.ok(!matchesFilters(tricky, q({ label: 'b=c' })), 'a value with newlines and quotes is not read as labels of its own');
  assert.ok(!matchesFilters(tricky, q({ label: '"b"="c"' })));
  assert.ok(matchesFilters(tricky, q({ label: 'empty=' })) && matchesFilters(tricky, q({ label: 'empty' })));
  assert.ok(!matchesFilters(tricky, q({ label: 'note=a' })), 'a value matches whole, not as a prefix');
});

test('the jobs stay in name order, one entry per name, the latest one, as jobs come, change and go', () => {
  const entryFor = (name: string, command: string): JobEntry => {
    const r = validateJobSpec({ name, command });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return jobEntry({ spec: r.value, cursor: null, createdAt: 0, updatedAt: 0, progress: NO_PROGRESS });
  };
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.constantFrom('a', 'b', 'c', 'd', 'ab', 'b-1', 'z'), fc.constantFrom('true', 'false')), { maxLength: 40 }), (steps) => {
      const order: JobEntry[] = [];
      const model = new Map<string, JobEntry>();
      for (const [put, name, command] of steps) {
        if (put) {
          const entry = entryFor(name, command);
          placeInOrder(order, entry);
          model.set(name, entry);
        } else {
          removeFromOrder(order, name);
          model.delete(name);
        }
      }
      const names = [...model.keys()].sort();
      assert.deepEqual(order.map((e) => e.stored.spec.name), names);
      assert.ok(order.every((e, i) => e === model.get(names[i]!)));
    }),
  );
});
