/** GET /api/v1/jobs by pages: limit, cursor, sort, filters; on the leader and on a standby. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { runCli } from '../helpers/cli-process.js';
import { HaCluster } from '../helpers/ha-cluster.js';
import { api, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface Page {
  jobs: { name: string; state: { nextRunAt: string | null } }[];
  total: number;
  nextCursor: string | null;
}

const jobs = Array.from({ length: 23 }, (_, i) => ({
  name: `page-${String(i).padStart(2, '0')}`,
  command: 'true',
  schedule: `${i} 3 * * *`,
  timezone: 'UTC',
  paused: i % 5 === 0,
  labels: { team: i % 2 ? 'odd' : 'even' },
  ...(i === 7 ? { description: 'Nightly backup' } : {}),
}));

async function page(url: string, query: string): Promise<Page> {
  const answer = await api<Page>(`${url}/api/v1/jobs?${query}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

/** Every page from the first, following nextCursor: the names in order. */
async function allPages(url: string, query: string): Promise<{ names: string[]; totals: number[]; pages: number }> {
  const names: string[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const p: Page = await page(url, cursor ? `${query}&cursor=${cursor}` : query);
    names.push(...p.jobs.map((j) => j.name));
    totals.push(p.total);
    cursor = p.nextCursor;
    pages++;
  } while (cursor);
  return { names, totals, pages };
}

const allNames = jobs.map((j) => j.name);

async function checkPaging(url: string, live: boolean): Promise<void> {
  const byName = await allPages(url, 'limit=5');
  assert.deepEqual(byName.names, allNames);
  assert.equal(byName.pages, 5);
  assert.ok(byName.totals.every((t) => t === 23));
  assert.deepEqual((await allPages(url, 'limit=4&order=desc')).names, [...allNames].reverse());

  const oddActive = await allPages(url, 'limit=3&label=team=odd&state=active');
  assert.deepEqual(oddActive.names, jobs.filter((j, i) => i % 2 === 1 && !j.paused).map((j) => j.name));
  assert.deepEqual((await page(url, 'q=NIGHTLY')).jobs.map((j) => j.name), ['page-07']);

  if (live) {
    // By next run time: today's 03:00:ss, so by the second; paused jobs (no next run) last.
    const byNext = await allPages(url, 'limit=6&sort=next');
    const scheduled = jobs.filter((j) => !j.paused).map((j) => j.name);
    assert.deepEqual(byNext.names.slice(0, scheduled.length).sort(), [...scheduled].sort());
    assert.deepEqual(byNext.names.slice(scheduled.length), jobs.filter((j) => j.paused).map((j) => j.name));
    const first = await page(url, 'limit=3&sort=next');
    const times = first.jobs.map((j) => Date.parse(j.state.nextRunAt!));
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
  }
}

test('the job list by pages on the leader: every job once in order, filters, totals, and bad queries named', async () => {
  const dir = tempDir();
  const server = await startServerProcess(dir.path);
  try {
    assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', jobs)).status, 201);
    await checkPaging(server.url, true);

    // A page follows the jobs as they come and go.
    const first = await page(server.url, 'limit=2');
    assert.equal((await api(`${server.url}/api/v1/jobs/page-02`, 'DELETE')).status, 200);
    assert.equal((await api(`${server.url}/api/v1/jobs/page-01a`, 'PUT', { command: 'true' })).status, 201);
    const second = await page(server.url, `limit=2&cursor=${first.nextCursor}`);
    assert.deepEqual(second.jobs.map((j) => j.name), ['page-01a', 'page-03'], 'a job added after the cursor is on the next page; a deleted one is not');
    assert.deepEqual((await page(server.url, 'limit=3')).jobs.map((j) => j.name), ['page-00', 'page-01', 'page-01a']);
    assert.equal(second.total, 23);

    // The CLI passes its filters on, and says when it shows only some.
    const cli = await runCli(['jobs', '--server', server.url, '--label', 'team=odd', '--state', 'paused']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(cli.stdout.trim().split('\n').slice(1).map((line) => line.split(/\s+/)[0]), ['page-05', 'page-15']);
    const firstTwo = await runCli(['jobs', '--server', server.url, '--search', 'page-1', '--limit', '2']);
    assert.match(firstTwo.stdout, /page-10[\s\S]*page-11[\s\S]*\(2 of 10 matching jobs\)/);
    const wrong = await runCli(['jobs', '--server', server.url, '--state', 'asleep']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /state/);

    // Without a limit: every job, as before pages existed.
    const all = await page(server.url, '');
    assert.equal(all.jobs.length, 23);
    assert.equal(all.nextCursor, null);

    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['sort=status', 'sort'],
      ['state=broken', 'state'],
      [`sort=next&cursor=${first.nextCursor}`, 'cursor'],
    ] as const) {
      const answer = await api<{ error: { details: { field: string }[] } }>(`${server.url}/api/v1/jobs?${query}`);
      assert.equal(answer.status, 400, query);
      assert.deepEqual(answer.body.error.details.map((d) => d.field), [field], query);
    }
  } finally {
    await server.stop();
    dir.remove();
  }
});

const noEtcd = etcdUnavailable();
let etcd: EtcdServer | undefined;
before(async () => {
  if (!noEtcd) etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

test('a standby pages what its store holds, with the same rules', { skip: noEtcd ?? false }, async () => {
  const dir = tempDir();
  const cluster = new HaCluster(`etcd://${etcd!.hostPort}/pages-${process.pid}`, dir.path);
  try {
    await cluster.start(2);
    const leader = await cluster.leader();
    const standby = cluster.members.find((m: ServerProcess) => m !== leader)!;
    assert.equal((await api(`${leader.url}/api/v1/jobs`, 'POST', jobs)).status, 201);
    await checkPaging(standby.url, false);
    await checkPaging(leader.url, true);
  } finally {
    await cluster.stop();
    dir.remove();
  }
});
