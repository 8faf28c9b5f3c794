/**
 * `GET /api/v1/jobs/{name}` answers from jobs and views the server keeps between requests
 * (src/store/sqlite/job-cache.ts, src/api/views.ts): each answer still shows every change at
 * once, whoever made it, with the same body and headers as one made afresh.
 *
 * Run: node --import tsx --test --test-reporter=spec test/e2e/api-job-read.test.ts
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { api, eventually, runToEnd, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface JobJson {
  name: string;
  command: string;
  paused: boolean;
  env: Record<string, string>;
  state: { cursor: string | null; nextRunAt: string | null; activeRuns: string[]; updatedAt: string };
}

const dir = tempDir('moroccron-api-job-read-');
let server: ServerProcess;
before(async () => {
  server = await startServerProcess(dir.path);
});
after(async () => {
  await server.stop();
  dir.remove();
});

const read = async (name: string) => {
  const response = await fetch(`${server.url}/api/v1/jobs/${name}`);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
};
const job = async (name: string): Promise<JobJson> => JSON.parse((await read(name)).text) as JobJson;

test('the same answer read after read: body as JSON, its type as Fastify sends objects, secrets hidden', async () => {
  const put = await api<JobJson>(`${server.url}/api/v1/jobs`, 'POST', { name: 'steady', command: 'true', env: { DB_PASSWORD: 'hunter2' } });
  assert.equal(put.status, 201);
  const answers = await Promise.all([read('steady'), read('steady'), read('steady')]);
  for (const answer of answers) {
    assert.equal(answer.status, 200);
    assert.equal(answer.type, 'application/json; charset=utf-8');
    assert.equal(answer.text, answers[0]!.text);
  }
  const body = JSON.parse(answers[0]!.text) as JobJson;
  assert.equal(body.env.DB_PASSWORD, '***');
  // A route whose answer is made afresh every time shows the job the same way.
  const listed = (await api<{ jobs: JobJson[] }>(`${server.url}/api/v1/jobs`)).body.jobs.find((j) => j.name === 'steady');
  assert.deepEqual(body, listed);
});

test('a change through the API shows in the next read: replace, pause, resume, delete', async () => {
  await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'changing', command: 'true' });
  assert.equal((await job('changing')).command, 'true');
  await api(`${server.url}/api/v1/jobs/changing`, 'PUT', { command: 'echo changed' });
  assert.equal((await job('changing')).command, 'echo changed');
  await api(`${server.url}/api/v1/jobs/changing/pause`, 'POST');
  assert.equal((await job('changing')).paused, true);
  await api(`${server.url}/api/v1/jobs/changing/resume`, 'POST');
  assert.equal((await job('changing')).paused, false);
  await api(`${server.url}/api/v1/jobs/changing`, 'DELETE');
  assert.equal((await read('changing')).status, 404);
});

test('what the scheduler changes shows in the next read: a run active, then gone; the cursor moving', async () => {
  await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'busy', command: 'sleep 1' });
  assert.deepEqual((await job('busy')).state.activeRuns, []);
  const started = await api<{ id: string }>(`${server.url}/api/v1/jobs/busy/run`, 'POST');
  assert.equal(started.status, 201);
  assert.deepEqual((await job('busy')).state.activeRuns, [started.body.id]);
  await eventually(async () => ((await job('busy')).state.activeRuns.length === 0 ? true : undefined), 10_000, 'the run to leave activeRuns');

  await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'ticking', schedule: '* * * * * *', command: 'true', timezone: 'UTC' });
  const first = await eventually(async () => (await job('ticking')).state.cursor ?? undefined, 5000, 'a first cursor');
  await eventually(async () => ((await job('ticking')).state.cursor !== first ? true : undefined), 5000, 'the cursor to move');
  await runToEnd(server.url, 'busy');
});

test('a change written to the SQLite file by another process shows in the next read', async () => {
  await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'edited', command: 'true' });
  assert.equal((await job('edited')).command, 'true');
  const db = new Database(join(dir.path, 'moroccron.db'));
  try {
    const row = db.prepare<[string], { spec: string }>('SELECT spec FROM jobs WHERE name = ?').get('edited')!;
    db.prepare('UPDATE jobs SET spec = ? WHERE name = ?').run(JSON.stringify({ ...JSON.parse(row.spec), command: 'echo edited' }), 'edited');
  } finally {
    db.close();
  }
  assert.equal((await job('edited')).command, 'echo edited');
});
