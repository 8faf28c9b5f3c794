/**
 * Controlling runs of a real server: manual runs, kill (TERM, then KILL of the whole
 * process group), timeouts, retries, logs --follow, pause and resume.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { BIN, api, eventually, runEnded, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const exec = promisify(execFile);

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

interface RunJson {
  id: string;
  status: string;
  trigger: string;
  attempt: number;
  reason: string | null;
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}

const dir = tempDir();
let server: ServerProcess;
before(async () => {
  server = await startServerProcess(join(dir.path, 'data'));
});
after(async () => {
  await server.stop();
  dir.remove();
});

const createJob = async (spec: Record<string, unknown>) => {
  const r = await api(`${server.url}/api/v1/jobs`, 'POST', spec);
  assert.equal(r.status, 201, JSON.stringify(r.body));
};
const runNow = async (job: string): Promise<RunJson> => {
  const r = await api<RunJson>(`${server.url}/api/v1/jobs/${job}/run`, 'POST');
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
};
const getRun = async (id: string) => (await api<RunJson>(`${server.url}/api/v1/runs/${id}`)).body;
const finished = (id: string, timeoutMs = 10_000) => runEnded<RunJson>(server.url, id, timeoutMs, `run ${id} to finish`);
const started = (id: string) =>
  eventually(async () => ((await getRun(id)).status === 'running' ? true : undefined), 5000, `run ${id} to start`);

test('kill ends a running run, children included, and records killed', async () => {
  const childPidFile = join(dir.path, 'child.pid');
  await createJob({ name: 'sleeper', command: `sleep 30 & echo $! > ${childPidFile}; sleep 30; wait`, killGracePeriod: '2s' });
  const run = await runNow('sleeper');
  await started(run.id);
  // "running" comes as the wrapper starts; wait until the command has forked its child too.
  await eventually(async () => (existsSync(childPidFile) && readFileSync(childPidFile, 'utf8').trim() !== '' ? true : undefined), 5000, 'the child to start');
  const kill = await api<RunJson>(`${server.url}/api/v1/runs/${run.id}/kill`, 'POST');
  assert.equal(kill.status, 202);
  const done = await finished(run.id, 5000);
  assert.equal(done.status, 'killed');
  assert.equal(done.reason, 'killed on request');
  const childPid = Number(readFileSync(childPidFile, 'utf8'));
  await eventually(async () => (isGone(childPid) ? true : undefined), 3000, `the job's child ${childPid} to die`);
  const again = await api(`${server.url}/api/v1/runs/${run.id}/kill`, 'POST');
  assert.equal(again.status, 409, 'killing a finished run is a conflict');
});

test('a second manual run of a forbid job is refused while the first runs', async () => {
  await createJob({ name: 'single', command: 'sleep 2', concurrency: 'forbid' });
  const first = await runNow('single');
  const second = await api<{ error: { message: string } }>(`${server.url}/api/v1/jobs/single/run`, 'POST');
  assert.equal(second.status, 409);
  assert.match(second.body.error.message, /forbid/);
  assert.equal((await finished(first.id)).status, 'succeeded');
});

test('a run that ignores TERM is KILLed after the grace period when its timeout passes', async () => {
  await createJob({ name: 'term-ignorer', command: "trap '' TERM; sleep 30", timeout: '1s', killGracePeriod: '1s' });
  const run = await runNow('term-ignorer');
  const done = await finished(run.id);
  assert.equal(done.status, 'failed');
  assert.match(done.reason ?? '', /^timed out after 1s/);
  const took = Date.parse(done.finishedAt!) - Date.parse(done.startedAt!);
  assert.ok(took >= 1900 && took < 6000, `took ${took} ms to end (timeout 1 s + grace 1 s)`);
});

test('a failing run is retried with backoff until retries are exhausted', async () => {
  await createJob({ name: 'always-fails', command: 'echo trying; exit 3', retries: { max: 2, backoff: '1s', factor: 1, jitter: 0 } });
  const first = await runNow('always-fails');
  const runs = await eventually(
    async () => {
      const page = await api<{ runs: RunJson[] }>(`${server.url}/api/v1/jobs/always-fails/runs`);
      const done = page.body.runs.filter((r) => r.finishedAt);
      return done.length === 3 ? page.body.runs : undefined;
    },
    10_000,
    'three attempts',
  );
  const attempts = runs.map((r) => [r.attempt, r.trigger, r.status, r.exitCode]).sort();
  assert.deepEqual(attempts, [
    [1, 'manual', 'failed', 3],
    [2, 'retry', 'failed', 3],
    [3, 'retry', 'failed', 3],
  ]);
  assert.ok(runs.every((r) => r.id === first.id || r.status === 'failed'));
});

test('moroccron logs --follow prints the output as it comes and exits when the run ends', async () => {
  await createJob({ name: 'chatty', command: 'for i in 1 2 3; do echo line $i; sleep 0.4; done; echo oops >&2' });
  const run = await runNow('chatty');
  const env = { ...process.env, MOROCCRON_SERVER: server.url };
  const out = await exec(process.execPath, [BIN, 'logs', run.id, '--follow'], { env, timeout: 10_000 });
  assert.equal(out.stdout, 'line 1\nline 2\nline 3\n');
  const err = await exec(process.execPath, [BIN, 'logs', run.id, '--stderr'], { env });
  assert.equal(err.stdout, 'oops\n');
  const paged = await api<{ data: string; nextOffset: number; size: number }>(`${server.url}/api/v1/runs/${run.id}/logs?offset=7&limit=6`);
  assert.deepEqual([paged.body.data, paged.body.nextOffset, paged.body.size], ['line 2', 13, 21]);
});

test('pause stops scheduled runs; resume starts again from now', async () => {
  await createJob({ name: 'pausable', schedule: '* * * * * *', command: 'true', concurrency: 'allow' });
  await eventually(async () => ((await api<{ runs: RunJson[] }>(`${server.url}/api/v1/jobs/pausable/runs`)).body.runs.length > 0 ? true : undefined), 5000, 'a first run');
  const paused = await api<{ paused: boolean; state: { nextRunAt: string | null } }>(`${server.url}/api/v1/jobs/pausable/pause`, 'POST');
  assert.equal(paused.status, 200);
  assert.equal(paused.body.paused, true);
  assert.equal(paused.body.state.nextRunAt, null);
  await new Promise((r) => setTimeout(r, 1500));
  const count = async () => (await api<{ runs: RunJson[] }>(`${server.url}/api/v1/jobs/pausable/runs`)).body.runs.length;
  const before = await count();
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(await count(), before, 'a paused job ran');
  const resumed = await api<{ paused: boolean }>(`${server.url}/api/v1/jobs/pausable/resume`, 'POST');
  assert.equal(resumed.body.paused, false);
  await new Promise((r) => setTimeout(r, 2500));
  const afterResume = await count();
  // Resuming does not catch up the seconds missed while paused.
  assert.ok(afterResume > before && afterResume <= before + 4, `${before} -> ${afterResume}`);
});
