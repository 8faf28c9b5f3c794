/**
 * The single-host acceptance path with real processes: a per-second job created through
 * the API, its logs, SIGKILL and restart on the same data dir, and the CLI applying a file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { BIN, api, sleep, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const run = promisify(execFile);

interface RunJson {
  id: string;
  status: string;
  trigger: string;
  scheduledAt: string;
  skewMs: number | null;
}

const dir = tempDir();
let server: ServerProcess;
const mark = `mark-${process.pid}`;

before(async () => {
  server = await startServerProcess(join(dir.path, 'data'));
});
after(async () => {
  await server?.stop();
  dir.remove();
});

async function runsOf(url: string, job: string): Promise<RunJson[]> {
  const { status, body } = await api<{ runs: RunJson[] }>(`${url}/api/v1/jobs/${job}/runs?limit=1000`);
  assert.equal(status, 200);
  return body.runs;
}

function assertNoDuplicateOccurrences(runs: RunJson[]): void {
  const keys = runs.filter((r) => r.trigger === 'schedule').map((r) => r.scheduledAt);
  assert.equal(new Set(keys).size, keys.length, `duplicate scheduledAt among ${keys.join(', ')}`);
}

test('a * * * * * * job created through the API runs once per second, with skew and readable logs', async () => {
  const created = await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'tick', schedule: '* * * * * *', command: `echo ${mark}` });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await sleep(6000);
  const runs = await runsOf(server.url, 'tick');
  const succeeded = runs.filter((r) => r.status === 'succeeded');
  assert.ok(succeeded.length >= 4, `only ${succeeded.length} runs succeeded in 6 s`);
  for (const r of succeeded) assert.equal(typeof r.skewMs, 'number', `run ${r.id} has no skewMs`);
  assertNoDuplicateOccurrences(runs);

  const logs = await api<{ data: string; complete: boolean }>(`${server.url}/api/v1/runs/${succeeded[0]!.id}/logs?stream=stdout`);
  assert.equal(logs.status, 200);
  assert.equal(logs.body.data.trim(), mark);
  assert.equal(logs.body.complete, true);
});

test('after SIGKILL and a restart on the same data dir: history kept, new runs, no duplicates', async () => {
  const before = await runsOf(server.url, 'tick');
  await server.kill();
  await sleep(1500);
  server = await startServerProcess(join(dir.path, 'data'));
  await sleep(4000);
  const afterRestart = await runsOf(server.url, 'tick');
  const ids = new Set(afterRestart.map((r) => r.id));
  for (const r of before) assert.ok(ids.has(r.id), `run ${r.id} from before the kill is gone`);
  const newer = afterRestart.filter((r) => r.status === 'succeeded' && !before.some((b) => b.id === r.id));
  assert.ok(newer.length >= 2, `only ${newer.length} new runs after the restart`);
  assertNoDuplicateOccurrences(afterRestart);
});

test('moroccron apply -f jobs.yaml then moroccron jobs --json lists the job', async () => {
  const file = join(dir.path, 'jobs.yaml');
  writeFileSync(file, 'name: from-cli\nschedule: "@hourly"\ncommand: "true"\n---\nname: from-cli-2\nschedule: "R/2026-01-01T00:00:00Z/PT1H"\nargs: ["/bin/true"]\n');
  const env = { ...process.env, MOROCCRON_SERVER: server.url };
  const applied = await run(process.execPath, [BIN, 'apply', '-f', file], { env });
  assert.match(applied.stdout, /applied 2 job\(s\): from-cli, from-cli-2/);
  const listed = await run(process.execPath, [BIN, 'jobs', '--json'], { env });
  const names = (JSON.parse(listed.stdout) as { jobs: { name: string }[] }).jobs.map((j) => j.name);
  assert.ok(names.includes('from-cli') && names.includes('from-cli-2'), `jobs --json gave ${names.join(', ')}`);
  // Applying the same file again is an idempotent update.
  await run(process.execPath, [BIN, 'apply', '-f', file], { env });
  const table = await run(process.execPath, [BIN, 'jobs'], { env });
  assert.match(table.stdout, /^NAME\s+SCHEDULE/);
  assert.match(table.stdout, /from-cli\s+@hourly\s+UTC/);
});

test('the CLI fails with one line and a non-zero exit', async () => {
  const env = { ...process.env, MOROCCRON_SERVER: server.url };
  const bad = join(dir.path, 'bad.yaml');
  writeFileSync(bad, 'name: bad\nschedule: "61 * * * *"\ncommand: "true"\n');
  const cases: [string[], RegExp][] = [
    [['apply', '-f', bad], /^moroccron: 400: .*schedule/],
    [['get', 'no-such-job'], /^moroccron: 404: job no-such-job not found/],
    [['apply', '-f', join(dir.path, 'missing.yaml')], /^moroccron: cannot read .*missing\.yaml: ENOENT/],
    [['frobnicate'], /^moroccron: unknown command "frobnicate"/],
    [['jobs', '--server', 'http://127.0.0.1:1'], /^moroccron: cannot reach moroccron at http:\/\/127\.0\.0\.1:1/],
    [['runs'], /^moroccron: runs needs a job/],
    [['serve', '--data-dir', dir.path, '--leader-timeout', '200ms'], /^moroccron: --leader-timeout must be between 1s and 60s/],
    [['serve', '--data-dir', dir.path, '--history-store', `sqlite:${dir.path}/h.db`], /^moroccron: a history store is for zk:\/\/ and etcd:\/\/ stores/],
    [['serve', '--data-dir', dir.path, '--store', 'etcd://127.0.0.1:1/x', '--history-store', 'redis://h'], /^moroccron: history store "redis:\/\/h" must be sqlite:PATH or postgres/],
  ];
  for (const [args, pattern] of cases) {
    await assert.rejects(run(process.execPath, [BIN, ...args], { env }), (error: { code: number; stderr: string }) => {
      assert.notEqual(error.code, 0);
      assert.equal(error.stderr.trim().split('\n').length, 1, `more than one line: ${error.stderr}`);
      assert.match(error.stderr, pattern);
      return true;
    });
  }
});
