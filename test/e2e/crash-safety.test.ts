/**
 * Exactly once across crashes: the server is SIGKILLed during a burst of due runs and
 * restarted on the same data dir. Every job writes one line per execution to a ledger,
 * so a run started twice, or an occurrence never run, shows up there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { api, eventually, sleep, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface RunJson {
  id: string;
  job: string;
  status: string;
  trigger: string;
  scheduledAt: string;
  reason: string | null;
}

const dir = tempDir();
let server: ServerProcess | undefined;
after(async () => {
  await server?.stop();
  dir.remove();
});

async function allRuns(url: string): Promise<RunJson[]> {
  const runs: RunJson[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=1000${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await api<{ runs: RunJson[]; nextCursor: string | null }>(`${url}/api/v1/runs?${query}`);
    assert.equal(page.status, 200);
    runs.push(...page.body.runs);
    cursor = page.body.nextCursor;
  } while (cursor);
  return runs;
}

test('SIGKILL during a burst of due runs, then restart: no run lost, none started twice', async () => {
  const JOBS = 30;
  const data = join(dir.path, 'data');
  const ledger = join(dir.path, 'ledger');
  server = await startServerProcess(data);
  const jobs = Array.from({ length: JOBS }, (_, i) => ({
    name: `burst-${i}`,
    schedule: '* * * * * *',
    command: `echo "$MOROCCRON_JOB $MOROCCRON_SCHEDULED_AT" >> ${ledger}`,
    concurrency: 'allow',
    misfire: { policy: 'run-all', window: '1m' },
    resources: { cpus: 0.01, mem: 1 },
  }));
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', jobs)).status, 201);

  await sleep(3300);
  await server.kill();
  await sleep(2000); // occurrences fall due while nobody is scheduling
  server = await startServerProcess(data);
  await sleep(3000);
  await server.stop();
  server = await startServerProcess(data);
  const url = server.url;
  for (const j of jobs) assert.equal((await api(`${url}/api/v1/jobs/${j.name}/pause`, 'POST')).status, 200);
  // Runs launched before the pause finish (or are re-attached) before we count.
  let unfinished: RunJson[] = [];
  const runs = await eventually(
    async () => {
      const all = await allRuns(url);
      unfinished = all.filter((r) => ['queued', 'launching', 'running'].includes(r.status));
      return unfinished.length > 0 ? undefined : all;
    },
    15_000,
    'every run to finish',
  ).catch((error: Error) => {
    const listed = unfinished.slice(0, 20).map((r) => `${r.id} ${r.job} ${r.scheduledAt} ${r.status}`);
    throw new Error(`${error.message}; ${unfinished.length} not ended:\n${listed.join('\n')}\nserver log (end):\n${server!.output().slice(-6000)}`);
  });
  await server.stop();
  server = undefined;

  const executions = readFileSync(ledger, 'utf8').trim().split('\n');
  const executed = new Map<string, number>();
  for (const line of executions) executed.set(line, (executed.get(line) ?? 0) + 1);
  const twice = [...executed].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], 'occurrences executed more than once');

  for (let i = 0; i < JOBS; i++) {
    const job = `burst-${i}`;
    const scheduled = runs.filter((r) => r.job === job && r.trigger === 'schedule');
    const times = scheduled.map((r) => Date.parse(r.scheduledAt)).sort((a, b) => a - b);
    assert.equal(new Set(times).size, times.length, `${job}: two runs share a scheduled time`);
    // Every second from the first occurrence to the last has its run: nothing lost in the gap.
    const expected = (times[times.length - 1]! - times[0]!) / 1000 + 1;
    assert.equal(times.length, expected, `${job}: ${times.length} runs for ${expected} seconds`);
    for (const r of scheduled) {
      assert.equal(r.status, 'succeeded', `${job} ${r.scheduledAt}: ${r.status} (${r.reason})`);
      assert.equal(executed.get(`${job} ${r.scheduledAt}`), 1, `${job} ${r.scheduledAt} ran ${executed.get(`${job} ${r.scheduledAt}`) ?? 0} times`);
    }
    assert.ok(times.length >= 8, `${job}: only ${times.length} occurrences over ~8 s`);
  }
  assert.equal(executions.length, runs.filter((r) => r.trigger === 'schedule').length);
});

test('a run survives the server being SIGKILLed: re-attached after restart, not started again', async () => {
  const data = join(dir.path, 'data2');
  const ledger = join(dir.path, 'ledger2');
  server = await startServerProcess(data);
  const job = { name: 'long-one', command: `echo started >> ${ledger}; sleep 3; echo finished`, concurrency: 'forbid' };
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', job)).status, 201);
  const started = await api<RunJson>(`${server.url}/api/v1/jobs/long-one/run`, 'POST');
  assert.equal(started.status, 201);
  await sleep(1000);
  await server.kill();
  server = await startServerProcess(data);
  const url = server.url;
  const finished = await eventually(
    async () => {
      const r = await api<RunJson>(`${url}/api/v1/runs/${started.body.id}`);
      return r.body.status === 'succeeded' || r.body.status === 'failed' || r.body.status === 'lost' ? r.body : undefined;
    },
    10_000,
    'the re-attached run to finish',
  );
  assert.equal(finished.status, 'succeeded');
  const logs = await api<{ data: string }>(`${url}/api/v1/runs/${started.body.id}/logs`);
  assert.equal(logs.body.data.trim(), 'finished');
  assert.equal(readFileSync(ledger, 'utf8'), 'started\n', 'the command ran more than once');
});
