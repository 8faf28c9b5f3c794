/**
 * What the UI reads about the future and the recent past, against the built server: a job's
 * next occurrences through the 2026 DST gap and overlap in Europe/Berlin (with `from`, so the
 * answers do not depend on today), the timeline's counts per bucket for known schedules, and
 * the jobs list with each job's newest finished runs. A standby answers them too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { HaCluster } from '../helpers/ha-cluster.js';
import { api, eventually, runToEnd, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface Occurrence {
  at: string;
  local: string;
  offset: string;
  dst: 'gap' | 'overlap' | null;
  note: string | null;
}
interface Occurrences {
  job: string;
  timezone: string;
  dst: { gap: string; overlap: string } | null;
  occurrences: Occurrence[];
}
interface Timeline {
  from: string;
  to: string;
  bucketMinutes: number;
  totals: number[];
  jobCounts: number[];
  firing: number;
  maxPerJob: number;
  jobs: { name: string; total: number; counts: number[] }[];
  total: number;
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; details: { field: string; message: string }[] };
}
interface RecentRun {
  id: string;
  status: string;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  skewMs: number | null;
}

const JOBS = [
  { name: 'berlin', schedule: '30 2 * * *', timezone: 'Europe/Berlin', labels: { zone: 'berlin' }, command: 'true' },
  { name: 'berlin-skip', schedule: '30 2 * * *', timezone: 'Europe/Berlin', dst: { gap: 'skip', overlap: 'twice' }, labels: { zone: 'berlin' }, command: 'true' },
  { name: 'quarter', schedule: '*/15 * * * *', command: 'true' },
  { name: 'hourly', schedule: '@hourly', command: 'true' },
  // Every second, but only on 29 February (2028 is the next): it never runs while the tests do.
  { name: 'every-second', schedule: '* * * 29 2 *', command: 'true' },
  // The same with an ISO interval, from 2030.
  { name: 'iso-every-second', schedule: 'R/2030-01-01T00:00:00Z/PT1S', command: 'true' },
  { name: 'paused-minutely', schedule: '* * * * *', paused: true, command: 'true' },
  { name: 'manual', command: 'echo manual' },
  { name: 'fails', command: 'exit 3' },
];

const dir = tempDir();
let server: ServerProcess;

const get = <T>(path: string) => api<T>(`${server.url}${path}`);
const occurrencesOf = (job: string, query: string) => get<Occurrences>(`/api/v1/jobs/${job}/occurrences?${query}`);

before(async () => {
  server = await startServerProcess(dir.path);
  const put = await api(`${server.url}/api/v1/jobs`, 'POST', JOBS);
  assert.equal(put.status, 201, JSON.stringify(put.body));
});

after(async () => {
  await server.stop();
  dir.remove();
});

describe('occurrences', () => {
  test('through the spring-forward gap: 02:30 does not exist on 2026-03-29 and runs at 03:00 (the default for a fixed time)', async () => {
    const { status, body } = await occurrencesOf('berlin', 'count=3&from=2026-03-28T00:00:00Z');
    assert.equal(status, 200);
    assert.equal(body.timezone, 'Europe/Berlin');
    assert.deepEqual(body.dst, { gap: 'next', overlap: 'once' });
    assert.deepEqual(
      body.occurrences.map(({ at, local, offset, dst }) => ({ at, local, offset, dst })),
      [
        { at: '2026-03-28T01:30:00.000Z', local: '2026-03-28 02:30:00', offset: '+01:00', dst: null },
        { at: '2026-03-29T01:00:00.000Z', local: '2026-03-29 03:00:00', offset: '+02:00', dst: 'gap' },
        { at: '2026-03-30T00:30:00.000Z', local: '2026-03-30 02:30:00', offset: '+02:00', dst: null },
      ],
    );
    assert.equal(body.occurrences[1]!.note, '02:30 does not exist on 2026-03-29 (clocks jump from 02:00 to 03:00); runs at 03:00 instead (dst.gap: next)');
    assert.equal(body.occurrences[0]!.note, null);
  });

  test('through the fall-back overlap: 02:30 happens twice on 2026-10-25 and runs at the first only', async () => {
    const { body } = await occurrencesOf('berlin', 'count=3&from=2026-10-24T12:00:00Z');
    assert.deepEqual(
      body.occurrences.map(({ at, local, offset, dst }) => ({ at, local, offset, dst })),
      [
        { at: '2026-10-25T00:30:00.000Z', local: '2026-10-25 02:30:00', offset: '+02:00', dst: 'overlap' },
        { at: '2026-10-26T01:30:00.000Z', local: '2026-10-26 02:30:00', offset: '+01:00', dst: null },
        { at: '2026-10-27T01:30:00.000Z', local: '2026-10-27 02:30:00', offset: '+01:00', dst: null },
      ],
    );
    assert.equal(body.occurrences[0]!.note, '02:30 happens twice on 2026-10-25 (clocks go back from 03:00 to 02:00); runs only at the first (+02:00)');
  });

  test('dst {gap: skip, overlap: twice}: the gap day has no run, and the note says so; the overlap runs at both', async () => {
    const gap = (await occurrencesOf('berlin-skip', 'count=2&from=2026-03-28T12:00:00Z')).body;
    assert.deepEqual(gap.dst, { gap: 'skip', overlap: 'twice' });
    assert.deepEqual(gap.occurrences.map((o) => [o.at, o.dst]), [
      ['2026-03-30T00:30:00.000Z', 'gap'],
      ['2026-03-31T00:30:00.000Z', null],
    ]);
    assert.equal(gap.occurrences[0]!.note, '02:30 does not exist on 2026-03-29 (clocks jump from 02:00 to 03:00); that run is skipped (dst.gap: skip)');
    const overlap = (await occurrencesOf('berlin-skip', 'count=3&from=2026-10-24T12:00:00Z')).body;
    assert.deepEqual(overlap.occurrences.map((o) => [o.at, o.local, o.offset, o.dst]), [
      ['2026-10-25T00:30:00.000Z', '2026-10-25 02:30:00', '+02:00', 'overlap'],
      ['2026-10-25T01:30:00.000Z', '2026-10-25 02:30:00', '+01:00', 'overlap'],
      ['2026-10-26T01:30:00.000Z', '2026-10-26 02:30:00', '+01:00', null],
    ]);
    assert.match(overlap.occurrences[0]!.note!, /runs at both; this is the first \(\+02:00\), the second is at \+01:00/);
    assert.match(overlap.occurrences[1]!.note!, /^the second 02:30 on 2026-10-25 \(\+01:00\).*the first \(\+02:00\) runs too$/);
  });

  test('by default 10 from now, at or after it; a job without a schedule has none', async () => {
    const before = Date.now();
    const { body } = await get<Occurrences>('/api/v1/jobs/quarter/occurrences');
    assert.equal(body.occurrences.length, 10);
    assert.ok(Date.parse(body.occurrences[0]!.at) >= before - 1000 && Date.parse(body.occurrences[0]!.at) <= before + 15 * 60_000);
    const gaps = body.occurrences.slice(1).map((o, i) => Date.parse(o.at) - Date.parse(body.occurrences[i]!.at));
    assert.deepEqual(gaps, Array(9).fill(15 * 60_000));
    assert.deepEqual((await get<Occurrences>('/api/v1/jobs/manual/occurrences')).body, { job: 'manual', timezone: 'UTC', dst: null, occurrences: [] });
  });

  test('a `from` that is an occurrence is included', async () => {
    const { body } = await occurrencesOf('hourly', 'count=2&from=2026-05-01T10:00:00Z');
    assert.deepEqual(body.occurrences.map((o) => o.at), ['2026-05-01T10:00:00.000Z', '2026-05-01T11:00:00.000Z']);
  });

  test('bad queries are 400s naming the field; an unknown job is a 404', async () => {
    for (const [query, field] of [
      ['count=0', 'count'],
      ['count=101', 'count'],
      ['count=ten', 'count'],
      ['from=yesterday', 'from'],
      ['from=2026-13-01T00:00:00Z', 'from'],
      ['since=2026-01-01T00:00:00Z', 'since'],
    ]) {
      const { status, body } = await get<ErrorBody>(`/api/v1/jobs/berlin/occurrences?${query}`);
      assert.equal(status, 400, query);
      assert.ok(body.error.details.some((d) => d.field === field), `${query}: ${JSON.stringify(body)}`);
    }
    assert.equal((await get<ErrorBody>('/api/v1/jobs/nope/occurrences')).status, 404);
  });
});

describe('timeline', () => {
  test('counts per bucket for known schedules, most first; paused and manual jobs left out', async () => {
    // 29 February 2028, 00:00 to 02:00 UTC (01:00 to 03:00 in Berlin), in 15-minute buckets.
    const { status, body } = await get<Timeline>('/api/v1/timeline?hours=2&bucketMinutes=15&from=2028-02-29T00:00:00Z');
    assert.equal(status, 200);
    assert.equal(body.from, '2028-02-29T00:00:00.000Z');
    assert.equal(body.to, '2028-02-29T02:00:00.000Z');
    assert.equal(body.bucketMinutes, 15);
    assert.deepEqual(body.jobs, [
      { name: 'every-second', total: 7200, counts: Array(8).fill(900) },
      { name: 'quarter', total: 8, counts: Array(8).fill(1) },
      { name: 'hourly', total: 2, counts: [1, 0, 0, 0, 1, 0, 0, 0] },
      { name: 'berlin', total: 1, counts: [0, 0, 0, 0, 0, 0, 1, 0] },
      { name: 'berlin-skip', total: 1, counts: [0, 0, 0, 0, 0, 0, 1, 0] },
    ]);
    assert.deepEqual(body.totals, [902, 901, 901, 901, 902, 901, 903, 901]);
  });

  test('an every-second ISO interval over a day by the minute: 86,400 runs counted, not listed', async () => {
    const started = Date.now();
    const { status, body } = await get<Timeline>('/api/v1/timeline?hours=24&bucketMinutes=1&from=2030-01-01T00:00:00Z');
    assert.equal(status, 200);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    const iso = body.jobs.find((j) => j.name === 'iso-every-second')!;
    assert.equal(iso.total, 86_400);
    assert.ok(iso.counts.every((n) => n === 60));
    assert.equal(body.totals.length, 1440);
  });

  test('`from` is rounded down to a whole bucket; the default is now', async () => {
    const { body } = await get<Timeline>('/api/v1/timeline?hours=1&bucketMinutes=30&from=2028-02-29T00:29:59Z');
    assert.equal(body.from, '2028-02-29T00:00:00.000Z');
    assert.deepEqual(body.jobs.find((j) => j.name === 'quarter')?.counts, [2, 2]);
    const now = await get<Timeline>('/api/v1/timeline');
    assert.equal(now.body.bucketMinutes, 5);
    assert.equal(now.body.totals.length, 288);
    assert.ok(Math.abs(Date.parse(now.body.from) - Date.now()) < 5 * 60_000 + 5000);
    assert.equal(now.body.jobs.find((j) => j.name === 'quarter')?.total, 96);
  });

  test('bad queries are 400s naming the field', async () => {
    for (const [query, field] of [
      ['hours=0', 'hours'],
      ['hours=169', 'hours'],
      ['bucketMinutes=0', 'bucketMinutes'],
      ['bucketMinutes=7', 'bucketMinutes'],
      ['hours=168&bucketMinutes=1', 'bucketMinutes'],
      ['from=soon', 'from'],
      ['buckets=5', 'buckets'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['sort=most', 'sort'],
      ['bucket=-1', 'bucket'],
      ['bucket=288', 'bucket'],
      ['hours=2&bucketMinutes=15&bucket=8', 'bucket'],
      ['state=sleeping', 'state'],
      ['owner=Not%20A%20Name', 'owner'],
      [`q=${'x'.repeat(201)}`, 'q'],
    ]) {
      const { status, body } = await get<ErrorBody>(`/api/v1/timeline?${query}`);
      assert.equal(status, 400, query);
      assert.ok(body.error.details.some((d) => d.field === field), `${query}: ${JSON.stringify(body)}`);
    }
  });
});

describe('timeline pages', () => {
  const WINDOW = 'hours=2&bucketMinutes=15&from=2028-02-29T00:00:00Z';
  const timeline = async (query: string) => {
    const { status, body } = await get<Timeline>(`/api/v1/timeline?${WINDOW}&${query}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body;
  };
  /** Every page of `query`, following nextCursor. */
  const allPages = async (query: string) => {
    const pages: Timeline[] = [];
    let cursor: string | null = null;
    do {
      const page: Timeline = await timeline(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 20);
    return pages;
  };

  test('a page at a time, most runs first; the pages together are the whole list; the sums cover every job on every page', async () => {
    const whole = await timeline('');
    assert.equal(whole.nextCursor, null);
    assert.equal(whole.total, 5);
    const pages = await allPages('limit=2');
    assert.deepEqual(pages.map((p) => p.jobs.map((j) => j.name)), [['every-second', 'quarter'], ['hourly', 'berlin'], ['berlin-skip']]);
    assert.deepEqual(pages.flatMap((p) => p.jobs), whole.jobs);
    for (const page of pages) {
      assert.equal(page.total, 5);
      assert.deepEqual(page.totals, whole.totals);
      assert.deepEqual(page.jobCounts, whole.jobCounts);
      assert.equal(page.firing, 5);
      assert.equal(page.maxPerJob, 900);
    }
    assert.equal(pages.at(-1)!.nextCursor, null);
  });

  test('per-bucket job counts and totals agree with a count over every job, for the day in 5-minute buckets and an hour by the minute', async () => {
    for (const window of ['hours=24&bucketMinutes=5', 'hours=1&bucketMinutes=1', 'hours=2&bucketMinutes=15&from=2028-02-29T00:00:00Z']) {
      const { body } = await get<Timeline>(`/api/v1/timeline?${window}`);
      const { body: paged } = await get<Timeline>(`/api/v1/timeline?${window}&limit=1`);
      const jobCounts = body.totals.map((_, i) => body.jobs.filter((j) => j.counts[i]! > 0).length);
      const totals = body.totals.map((_, i) => body.jobs.reduce((sum, j) => sum + j.counts[i]!, 0));
      assert.deepEqual(paged.jobCounts, jobCounts, window);
      assert.deepEqual(paged.totals, totals, window);
      assert.equal(paged.firing, body.jobs.length, window);
      assert.equal(paged.maxPerJob, Math.max(0, ...body.jobs.flatMap((j) => j.counts)), window);
      assert.ok(paged.jobs.length <= 1);
    }
  });

  test("the job list's filters: q, label, state; the sums stay those of every job", async () => {
    const whole = await timeline('');
    const byWord = await timeline('q=BERLIN&limit=1');
    assert.deepEqual(byWord.jobs.map((j) => j.name), ['berlin']);
    assert.equal(byWord.total, 2);
    assert.deepEqual(byWord.totals, whole.totals);
    const next = await timeline(`q=BERLIN&limit=1&cursor=${encodeURIComponent(byWord.nextCursor!)}`);
    assert.deepEqual(next.jobs.map((j) => j.name), ['berlin-skip']);
    assert.equal(next.nextCursor, null);
    assert.deepEqual((await timeline('label=zone=berlin')).jobs.map((j) => j.name), ['berlin', 'berlin-skip']);
    assert.deepEqual((await timeline('label=zone')).jobs.map((j) => j.name), ['berlin', 'berlin-skip']);
    assert.deepEqual((await timeline('label=zone=paris')).jobs, []);
    assert.equal((await timeline('state=active')).total, 5);
    const paused = await timeline('state=paused');
    assert.deepEqual([paused.jobs, paused.total], [[], 0], 'paused jobs are never on the timeline');
    assert.equal(paused.firing, 5);
    assert.deepEqual((await timeline('q=quarter')).jobs.map((j) => j.name), ['quarter']);
  });

  test('?bucket=N: who fires then, most runs there first, a page at a time', async () => {
    // 01:30 in Berlin is bucket 6 (01:30-01:45 UTC, 02:30 in Berlin).
    const top = await timeline('bucket=6');
    assert.deepEqual(top.jobs.map((j) => [j.name, j.counts[6]]), [['every-second', 900], ['berlin', 1], ['berlin-skip', 1], ['quarter', 1]]);
    assert.equal(top.total, top.jobCounts[6]);
    const pages = await allPages('bucket=6&limit=3');
    assert.deepEqual(pages.map((p) => p.jobs.map((j) => j.name)), [['every-second', 'berlin', 'berlin-skip'], ['quarter']]);
    assert.deepEqual((await timeline('bucket=1')).jobs.map((j) => j.name), ['every-second', 'quarter']);
    assert.deepEqual((await timeline('bucket=6&q=berlin&limit=1')).jobs.map((j) => j.name), ['berlin']);
  });

  test('sort=name', async () => {
    const pages = await allPages('sort=name&limit=2');
    assert.deepEqual(pages.flatMap((p) => p.jobs.map((j) => j.name)), ['berlin', 'berlin-skip', 'every-second', 'hourly', 'quarter']);
    assert.deepEqual((await timeline('sort=name&bucket=6')).jobs.map((j) => j.name), ['berlin', 'berlin-skip', 'every-second', 'quarter']);
  });

  test("a cursor is refused, naming it, by a page in another order or of another bucket", async () => {
    const byRuns = await timeline('limit=1');
    const inBucket = await timeline('limit=1&bucket=6');
    for (const query of [`sort=name&cursor=${byRuns.nextCursor}`, `bucket=6&cursor=${byRuns.nextCursor}`, `bucket=5&cursor=${inBucket.nextCursor}`, `cursor=${inBucket.nextCursor}`]) {
      const { status, body } = await get<ErrorBody>(`/api/v1/timeline?${WINDOW}&${query}`);
      assert.equal(status, 400, query);
      assert.deepEqual(body.error.details.map((d) => d.field), ['cursor'], query);
    }
  });

  test('a job changed between two pages: the next page goes on after the cursor', async () => {
    const first = await timeline('limit=2&sort=name');
    assert.deepEqual(first.jobs.map((j) => j.name), ['berlin', 'berlin-skip']);
    assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'another', schedule: '0 1 * * *', command: 'true' })).status, 201);
    try {
      const next = await timeline(`limit=2&sort=name&cursor=${encodeURIComponent(first.nextCursor!)}`);
      assert.deepEqual(next.jobs.map((j) => j.name), ['every-second', 'hourly']);
      assert.equal(next.total, 6);
      assert.equal(next.firing, 6);
    } finally {
      assert.equal((await api(`${server.url}/api/v1/jobs/another`, 'DELETE')).status, 200);
    }
    assert.equal((await timeline('')).total, 5);
  });
});

describe('jobs with their recent runs', () => {
  test('?recent=N: the newest N finished runs, newest first, in the short shape; unfinished runs are not in it', async () => {
    const runs: RecentRun[] = [];
    for (let i = 0; i < 3; i++) runs.push(await runToEnd<RecentRun & { job: string }>(server.url, 'manual'));
    await runToEnd(server.url, 'fails');
    const slow = await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'slow', command: 'sleep 30', killGracePeriod: '1s' });
    assert.equal(slow.status, 201);
    const active = await api<{ id: string }>(`${server.url}/api/v1/jobs/slow/run`, 'POST');
    assert.equal(active.status, 201);

    const { status, body } = await get<{ jobs: { name: string; recent?: RecentRun[] }[] }>('/api/v1/jobs?recent=2');
    assert.equal(status, 200);
    const recent = new Map(body.jobs.map((j) => [j.name, j.recent]));
    const manual = recent.get('manual')!;
    assert.deepEqual(manual.map((r) => r.id), [runs[2]!.id, runs[1]!.id]);
    assert.deepEqual(Object.keys(manual[0]!).sort(), ['durationMs', 'finishedAt', 'id', 'scheduledAt', 'skewMs', 'startedAt', 'status']);
    assert.equal(manual[0]!.status, 'succeeded');
    assert.equal(manual[0]!.durationMs, Date.parse(manual[0]!.finishedAt!) - Date.parse(manual[0]!.startedAt!));
    assert.equal(manual[0]!.skewMs, Date.parse(manual[0]!.startedAt!) - Date.parse(manual[0]!.scheduledAt));
    assert.deepEqual(recent.get('fails')!.map((r) => r.status), ['failed']);
    assert.deepEqual(recent.get('slow'), [], 'a running run is not recent history yet');
    assert.deepEqual(recent.get('berlin'), []);

    const killed = await api(`${server.url}/api/v1/runs/${active.body.id}/kill`, 'POST');
    assert.equal(killed.status, 202);
    await eventually(
      async () => {
        const again = await get<{ jobs: { name: string; recent?: RecentRun[] }[] }>('/api/v1/jobs?recent=2');
        return again.body.jobs.find((j) => j.name === 'slow')?.recent?.[0]?.status === 'killed' ? true : undefined;
      },
      10_000,
      'the killed run in recent',
    );
  });

  test('without ?recent the list is as before; recent is 1 to 50', async () => {
    const { body } = await get<{ jobs: Record<string, unknown>[] }>('/api/v1/jobs');
    assert.ok(body.jobs.length >= JOBS.length && body.jobs.every((j) => !('recent' in j)));
    for (const query of ['recent=0', 'recent=51', 'recent=some']) {
      const { status, body: error } = await get<ErrorBody>(`/api/v1/jobs?${query}`);
      assert.equal(status, 400, query);
      assert.deepEqual(error.error.details.map((d) => d.field), ['recent']);
    }
  });

  test('the new routes are in /openapi.json, as reads', async () => {
    const { body } = await get<{ paths: Record<string, { get?: { 'x-moroccron-role'?: string; parameters?: { name: string }[] } }> }>('/openapi.json');
    for (const [path, params] of [
      ['/api/v1/jobs/{name}/occurrences', ['name', 'count', 'from']],
      ['/api/v1/timeline', ['hours', 'bucketMinutes', 'from', 'limit', 'cursor', 'sort', 'bucket', 'q', 'owner', 'label', 'state']],
      ['/api/v1/jobs', ['recent', 'limit', 'cursor', 'sort', 'order', 'q', 'owner', 'label', 'state']],
    ] as const) {
      const get = body.paths[path]?.get;
      assert.ok(get, path);
      assert.equal(get['x-moroccron-role'], 'viewer', path);
      assert.deepEqual(get.parameters?.map((p) => p.name), params, path);
    }
  });
});

const etcdMissing = etcdUnavailable();

describe('on a standby', { skip: etcdMissing ?? false }, () => {
  let etcd: EtcdServer;
  let cluster: HaCluster;
  const haDir = tempDir('moroccron-forecast-ha-');

  before(async () => {
    etcd = await startEtcd();
    cluster = new HaCluster(`etcd://${etcd.hostPort}/forecast`, haDir.path);
    await cluster.start(2);
  });

  after(async () => {
    for (const member of cluster.members) await member.stop().catch(() => {});
    await etcd.stop();
    haDir.remove();
  });

  test('occurrences, the timeline and recent runs come from the store, without the leader', async () => {
    const leader = await cluster.leader();
    const standby = cluster.members.find((m) => m !== leader)!;
    assert.equal((await api(`${leader.url}/api/v1/jobs`, 'POST', JOBS.slice(0, 4))).status, 201);
    const run = await runToEnd<{ id: string; status: string }>(leader.url, 'quarter');
    const occurrences = await api<Occurrences>(`${standby.url}/api/v1/jobs/berlin/occurrences?count=2&from=2026-03-28T12:00:00Z`);
    assert.equal(occurrences.status, 200);
    assert.equal(occurrences.body.occurrences[0]!.dst, 'gap');
    const timeline = await api<Timeline>(`${standby.url}/api/v1/timeline?hours=1&bucketMinutes=60&from=2028-02-29T00:00:00Z`);
    assert.equal(timeline.status, 200);
    assert.deepEqual(timeline.body.jobs.map((j) => [j.name, j.total]), [['quarter', 4], ['hourly', 1]]);
    const paged = await api<Timeline>(`${standby.url}/api/v1/timeline?hours=1&bucketMinutes=60&from=2028-02-29T00:00:00Z&limit=1`);
    assert.deepEqual([paged.body.jobs.map((j) => j.name), paged.body.total, paged.body.firing, paged.body.jobCounts], [['quarter'], 2, 2, [2]]);
    const next = await api<Timeline>(`${standby.url}/api/v1/timeline?hours=1&bucketMinutes=60&from=2028-02-29T00:00:00Z&limit=1&cursor=${paged.body.nextCursor}`);
    assert.deepEqual([next.body.jobs.map((j) => j.name), next.body.nextCursor], [['hourly'], null]);
    const filtered = await api<Timeline>(`${standby.url}/api/v1/timeline?hours=1&bucketMinutes=60&from=2028-02-29T00:00:00Z&q=hour&bucket=0`);
    assert.deepEqual(filtered.body.jobs.map((j) => j.name), ['hourly']);
    const jobs = await api<{ jobs: { name: string; recent: RecentRun[] }[] }>(`${standby.url}/api/v1/jobs?recent=5`);
    assert.equal(jobs.status, 200);
    assert.deepEqual(jobs.body.jobs.find((j) => j.name === 'quarter')?.recent.map((r) => r.id), [run.id]);
  });
});
