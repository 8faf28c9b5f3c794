/**
 * A full disk under the embedded default (SQLite and run logs in one small data dir, a
 * 20 MiB tmpfs): a job's huge output is cut at --max-log-size; when the disk is full anyway,
 * writes answer 503 at once, /readyz says why, nothing crashes, and scheduling resumes by
 * itself when space returns; a restart on a full disk names the real cause.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, api, eventually, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';
import { mountSmallDisk, smallDiskUnavailable } from '../helpers/small-disk.js';

const skip = smallDiskUnavailable() ?? false;

interface RunJson {
  id: string;
  status: string;
  scheduledAt: string;
}

const runsOf = async (server: ServerProcess, job: string): Promise<RunJson[]> =>
  (await api<{ runs: RunJson[] }>(`${server.url}/api/v1/jobs/${job}/runs?limit=1000`)).body.runs;

function smallDataDir(t: { after: (fn: () => void) => void }) {
  const dir = tempDir();
  const disk = mountSmallDisk(join(dir.path, 'disk'), 20);
  t.after(() => {
    disk.unmount();
    dir.remove();
  });
  return disk;
}

test('a job printing 40 MB into a 20 MiB data dir gets its log cut at --max-log-size, and scheduling goes on', { skip }, async (t) => {
  const disk = smallDataDir(t);
  const server = await startServerProcess(disk.path, ['--max-log-size', '1MiB']);
  t.after(() => server.stop());
  await api(`${server.url}/api/v1/jobs`, 'POST', [
    { name: 'chatty', command: "head -c 40000000 /dev/zero | tr '\\0' x" },
    { name: 'tick', schedule: '* * * * * *', command: 'true' },
  ]);
  const started = await api<RunJson>(`${server.url}/api/v1/jobs/chatty/run`, 'POST');
  assert.equal(started.status, 201);
  const done = await eventually(
    async () => {
      const run = (await api<RunJson>(`${server.url}/api/v1/runs/${started.body.id}`)).body;
      return run.status === 'running' || run.status === 'launching' || run.status === 'queued' ? undefined : run;
    },
    30_000,
    'the chatty run to end',
  );
  assert.equal(done.status, 'succeeded', 'the job itself is not harmed by the cut');
  const log = await api<{ size: number }>(`${server.url}/api/v1/runs/${done.id}/logs?offset=0&limit=1`);
  assert.ok(log.body.size > 1024 * 1024 && log.body.size < 1024 * 1024 + 200, `log of ${log.body.size} bytes`);
  const tail = await api<{ data: string }>(`${server.url}/api/v1/runs/${done.id}/logs?offset=${log.body.size - 120}`);
  assert.match(tail.body.data, /output beyond 1 MiB discarded/);
  // The scheduler kept going all along: seconds keep getting their runs.
  const before = (await runsOf(server, 'tick')).length;
  await eventually(async () => ((await runsOf(server, 'tick')).length >= before + 2 ? true : undefined), 10_000, 'more tick runs');
  assert.equal((await api(`${server.url}/readyz`)).status, 200);
});

test('a full disk: 503 at once and /readyz not ready while /healthz answers; scheduling resumes by itself; a restart on it names the cause', { skip }, async (t) => {
  const disk = smallDataDir(t);
  const server = await startServerProcess(disk.path);
  t.after(() => server.kill());
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'tick', schedule: '* * * * * *', command: 'true' })).status, 201);
  await eventually(async () => ((await runsOf(server, 'tick')).some((r) => r.status === 'succeeded') ? true : undefined), 10_000, 'a first run');

  disk.fill();
  const notReady = await eventually(
    async () => {
      const ready = await api<{ status: string; reason?: string }>(`${server.url}/readyz`);
      return ready.status === 503 ? ready.body : undefined;
    },
    10_000,
    '/readyz to say the store cannot be written',
  );
  assert.equal(notReady.status, 'store_unavailable');
  assert.match(notReady.reason ?? '', /full/);
  assert.equal((await api(`${server.url}/healthz`)).status, 200);
  const asked = Date.now();
  const put = await api<{ error: { code: string; message: string } }>(`${server.url}/api/v1/jobs/other`, 'PUT', { command: 'true' });
  assert.equal(put.status, 503);
  assert.equal(put.body.error.code, 'store_unavailable');
  assert.ok(Date.now() - asked < 2_000, 'answered at once, not after retries');
  assert.equal(server.child.exitCode, null, 'still running');

  disk.free();
  await eventually(async () => ((await api(`${server.url}/readyz`)).status === 200 ? true : undefined), 15_000, '/readyz to recover');
  const resumedAt = Date.now();
  await eventually(
    async () => ((await runsOf(server, 'tick')).some((r) => Date.parse(r.scheduledAt) > resumedAt && r.status === 'succeeded') ? true : undefined),
    10_000,
    'runs after the disk came back',
  );
  assert.equal((await api(`${server.url}/api/v1/jobs/other`, 'PUT', { command: 'true' })).status, 201);

  // Stopped, and the disk full before the next start: the error says so (not a fencing riddle).
  await server.stop();
  disk.fill();
  const restart = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', disk.path], { encoding: 'utf8', timeout: 20_000 });
  assert.notEqual(restart.status, 0);
  const output = `${restart.stdout}${restart.stderr}`;
  assert.match(output, /moroccron\.db: .*; the file system holding it is full \(\d+ KiB free\)/, output);
  assert.doesNotMatch(output, /superseded/);
  assert.ok(statSync(join(disk.path, 'moroccron.db')).size > 0);
});
