/**
 * Secrets in `env`: values whose names match `--redact` leave the server as `***` (answers,
 * events, notices, logs), runs get the real values, and a job read and sent back as it was
 * keeps them.
 *
 * Run: node --import tsx --test --test-reporter=spec test/e2e/redaction.test.ts
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli-process.js';
import { HttpReceiver } from '../helpers/notice-receivers.js';
import { api, eventually, runToEnd, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const DB_PASSWORD = 'hunter2-secret';
const API_KEY = 'k3y-0042-secret';
const NEW_PASSWORD = 'rotated-7-secret';
const SECRETS = [DB_PASSWORD, API_KEY, NEW_PASSWORD];
const leaked = (text: string): string[] => SECRETS.filter((secret) => text.includes(secret));

/**
 * A command that succeeds only when the run got these values, without writing them: the
 * command is shown as it is, so it must not hold a secret itself.
 */
const checkEnv = (password: string, key: string): string => {
  const digest = createHash('sha256').update(`${password}:${key}`).digest('hex');
  return `printf %s "$DB_PASSWORD:$API_KEY" | sha256sum | grep -q '^${digest} ' && echo ok`;
};

interface JobJson {
  name: string;
  env: Record<string, string>;
  state?: unknown;
}
interface RunJson {
  id: string;
  status: string;
}
const HIDDEN = { DB_PASSWORD: '***', API_KEY: '***', PLAIN: 'visible' };

/** Every frame of /api/v1/events as it arrives, raw. */
function openEventStream(url: string): { text: () => string; close: () => Promise<void> } {
  const controller = new AbortController();
  let text = '';
  const reading = (async () => {
    const response = await fetch(`${url}/api/v1/events`, { signal: controller.signal });
    const reader = response.body!.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += Buffer.from(value).toString();
    }
  })().catch(() => {});
  return {
    text: () => text,
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}

const stdoutOf = async (url: string, runId: string): Promise<string> =>
  (await api<{ data: string }>(`${url}/api/v1/runs/${runId}/logs?stream=stdout`)).body.data;

describe('the default patterns, at debug log level', () => {
  const dir = tempDir();
  let server: ServerProcess;
  let receiver: HttpReceiver;
  let events: ReturnType<typeof openEventStream>;
  let jobs: string;

  before(async () => {
    receiver = await HttpReceiver.start();
    server = await startServerProcess(join(dir.path, 'data'), ['--log-level', 'debug']);
    jobs = `${server.url}/api/v1/jobs`;
    events = openEventStream(server.url);
    // The stream is open once its first comment line has come.
    await eventually(async () => (events.text().includes(': moroccron events') ? true : undefined), 5000, 'the event stream');
    const owner = await api(`${server.url}/api/v1/owners/ops`, 'PUT', { webhook: `${receiver.url}/hook`, notifyOn: ['failure'] });
    assert.equal(owner.status, 201, JSON.stringify(owner.body));
  });
  after(async () => {
    await events.close();
    await server.stop();
    await receiver.stop();
    dir.remove();
  });

  test('answers show *** for the secrets and the plain value as it is: put, get, list, post', async () => {
    const put = await api<JobJson>(`${jobs}/vault`, 'PUT', {
      command: checkEnv(DB_PASSWORD, API_KEY),
      env: { DB_PASSWORD, API_KEY, PLAIN: 'visible' },
      owners: ['ops'],
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.deepEqual(put.body.env, HIDDEN);
    assert.deepEqual((await api<JobJson>(`${jobs}/vault`)).body.env, HIDDEN);
    const list = await api<{ jobs: JobJson[] }>(jobs);
    assert.deepEqual(list.body.jobs.find((j) => j.name === 'vault')?.env, HIDDEN);
    const posted = await api<{ jobs: JobJson[] }>(jobs, 'POST', [{ name: 'twin', command: 'true', env: { GITHUB_TOKEN: API_KEY, plain: 'x' } }]);
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    assert.deepEqual(posted.body.jobs[0]!.env, { GITHUB_TOKEN: '***', plain: 'x' });
    for (const answer of [put, list, posted]) assert.deepEqual(leaked(JSON.stringify(answer.body)), []);
  });

  test('the run gets the real values', async () => {
    const run = await runToEnd<RunJson>(server.url, 'vault');
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(await stdoutOf(server.url, run.id), 'ok\n');
  });

  test('GET then PUT of the same document keeps the real values: the next run still sees them', async () => {
    const shown = (await api<JobJson>(`${jobs}/vault`)).body;
    assert.ok(shown.state, 'sent back with its read-only state, as read');
    const put = await api<JobJson>(`${jobs}/vault`, 'PUT', { ...shown, description: 'sent back as read' });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.env, HIDDEN);
    const run = await runToEnd<RunJson>(server.url, 'vault');
    assert.equal(run.status, 'succeeded', 'the run after GET-then-PUT did not get the real values');
  });

  test('moroccron get, then apply -f of what it printed, keeps them too; a real value replaces one', async () => {
    const got = await runCli(['get', 'vault', '--server', server.url]);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /DB_PASSWORD: "\*\*\*"/);
    assert.deepEqual(leaked(got.stdout), []);
    const file = join(dir.path, 'vault.yaml');
    writeFileSync(file, got.stdout);
    const applied = await runCli(['apply', '-f', file, '--server', server.url]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal((await runToEnd<RunJson>(server.url, 'vault')).status, 'succeeded');

    const rotated = await api<JobJson>(`${jobs}/vault`, 'PUT', {
      command: checkEnv(NEW_PASSWORD, API_KEY),
      env: { DB_PASSWORD: NEW_PASSWORD, API_KEY: '***', PLAIN: 'visible' },
      owners: ['ops'],
    });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.deepEqual(rotated.body.env, HIDDEN);
    assert.equal((await runToEnd<RunJson>(server.url, 'vault')).status, 'succeeded', 'the new password with the kept key');
  });

  test('*** for a hidden name the job does not have is refused with a 400 naming env.NAME', async () => {
    const added = await api<{ error: { details: unknown[] } }>(`${jobs}/vault`, 'PUT', {
      command: 'true',
      env: { DB_PASSWORD: '***', NEW_TOKEN: '***' },
    });
    assert.equal(added.status, 400);
    assert.deepEqual(added.body.error.details, [{ field: 'env.NEW_TOKEN', message: '*** stands for a hidden value; give the real one' }]);
    const fresh = await api<{ error: { details: unknown[] } }>(jobs, 'POST', { name: 'fresh', command: 'true', env: { DB_PASSWORD: '***' } });
    assert.equal(fresh.status, 400);
    assert.deepEqual(fresh.body.error.details, [{ field: 'env.DB_PASSWORD', message: '*** stands for a hidden value; give the real one' }]);
    assert.equal((await api(`${jobs}/fresh`)).status, 404);
    assert.equal((await runToEnd<RunJson>(server.url, 'vault')).status, 'succeeded', 'the refused PUT changed nothing');
  });

  test('a failing run: its notice carries no secret', async () => {
    const put = await api(`${jobs}/failing`, 'PUT', { command: 'test "$DB_PASSWORD" = wrong', env: { DB_PASSWORD, API_KEY }, owners: ['ops'] });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const run = await runToEnd<RunJson>(server.url, 'failing');
    assert.equal(run.status, 'failed');
    const notice = await eventually(async () => receiver.requests.find((r) => r.body.includes(run.id)), 10_000, 'the failure notice');
    assert.deepEqual(leaked(notice.body), []);
  });

  test('the event stream carries the job and run changes, and no secret', async () => {
    const text = events.text();
    assert.match(text, /event: job\ndata: .*"job":"vault"/);
    assert.match(text, /event: run\ndata: .*"job":"vault".*"status":"succeeded"/);
    assert.match(text, /event: run\ndata: .*"job":"failing".*"status":"failed"/);
    assert.deepEqual(leaked(text), []);
  });

  test("the server's own output (debug level) never contains a secret", async () => {
    // An open event stream holds the shutdown up.
    await events.close();
    await server.stop();
    const output = server.output();
    assert.match(output, /moroccron serving on/);
    assert.deepEqual(leaked(output), []);
  });
});

describe('custom patterns, and none', () => {
  const dir = tempDir();
  after(() => dir.remove());
  const env = { CONN_URL: 'postgres://app:pw-in-url@db/app', DB_PASSWORD: 'shown-here' };

  test('--redact conn_* hides CONN_URL (case-insensitive) and shows DB_PASSWORD', async () => {
    const server = await startServerProcess(join(dir.path, 'custom'), ['--redact', 'conn_*']);
    try {
      const put = await api<JobJson>(`${server.url}/api/v1/jobs/custom`, 'PUT', { command: 'true', env });
      assert.deepEqual(put.body.env, { CONN_URL: '***', DB_PASSWORD: 'shown-here' });
      assert.deepEqual((await api<JobJson>(`${server.url}/api/v1/jobs/custom`)).body.env, { CONN_URL: '***', DB_PASSWORD: 'shown-here' });
    } finally {
      await server.stop();
    }
  });

  test("--redact '' shows every value, and *** is then an ordinary value", async () => {
    const server = await startServerProcess(join(dir.path, 'none'), ['--redact', '']);
    try {
      const put = await api<JobJson>(`${server.url}/api/v1/jobs/open`, 'PUT', { command: 'true', env });
      assert.deepEqual(put.body.env, env);
      assert.deepEqual((await api<JobJson>(`${server.url}/api/v1/jobs/open`)).body.env, env);
      const literal = await api<JobJson>(`${server.url}/api/v1/jobs/open`, 'PUT', { command: 'true', env: { API_KEY: '***' } });
      assert.equal(literal.status, 200, JSON.stringify(literal.body));
      assert.deepEqual(literal.body.env, { API_KEY: '***' });
    } finally {
      await server.stop();
    }
  });

  test('a bad --redact pattern is a one-line error naming the flag', async () => {
    for (const value of ['DB-PASS', '*KEY*,,*TOKEN*']) {
      const result = await runCli(['serve', '--port', '0', '--data-dir', join(dir.path, 'bad'), '--redact', value]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /^moroccron: --redact: /);
    }
  });
});
