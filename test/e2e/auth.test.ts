/**
 * `--auth tokens` end to end, against the built server: the first admin token made on the
 * store with no server, then viewer, operator and admin tokens through the API; who may do
 * what (an operator only on its owners' jobs); revoked and expired tokens; the audit log;
 * and no token ever in the server's output.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashSecret, newTokenParts } from '../../src/server/access/token-secret.js';
import { openStore } from '../../src/store/open-store.js';
import { runCli } from '../helpers/cli-process.js';
import { eventually, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const dir = tempDir();
let server: ServerProcess;
let admin: string;
const issued: string[] = [];

interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

async function call<T = unknown>(token: string | null, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // metrics are text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

async function makeToken(request: Record<string, unknown>): Promise<string> {
  const made = await call<{ token: string }>(admin, 'POST', '/api/v1/tokens', request);
  assert.equal(made.status, 201, JSON.stringify(made.body));
  issued.push(made.body.token);
  return made.body.token;
}

const job = (name: string, owners: string[]) => ({ name, command: 'true', owners });

before(async () => {
  // The first admin token: on the store, before any server runs.
  const first = await runCli(['token', 'create', '--role', 'admin', '--name', 'bootstrap', '--data-dir', dir.path]);
  assert.equal(first.code, 0, first.stderr);
  admin = first.stdout.trim();
  issued.push(admin);
  assert.match(admin, /^mcr_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  assert.match(first.stderr, /token [0-9a-f]{12} \(bootstrap\): admin\. It is shown only now/);
  // A setting given in the environment, as operators do with secrets: runs must not inherit it.
  server = await startServerProcess(dir.path, ['--auth', 'tokens', '--log-level', 'debug'], { env: { MOROCCRON_MAIL_FROM: 'cron-secret-sender@example.com' } });
  for (const owner of ['team-a', 'team-b']) assert.equal((await call(admin, 'PUT', `/api/v1/owners/${owner}`, {})).status, 201);
});

after(async () => {
  await server?.stop();
  dir.remove();
});

test('without a token: 401 with WWW-Authenticate on reads and writes; health, readiness and the OpenAPI document stay open', async () => {
  for (const [method, path] of [['GET', '/api/v1/jobs'], ['POST', '/api/v1/jobs'], ['GET', '/metrics'], ['GET', '/api/v1/events']] as const) {
    const answer = await call<{ error: { code: string; message: string } }>(null, method, path, method === 'POST' ? job('x', []) : undefined);
    assert.equal(answer.status, 401, `${method} ${path}`);
    assert.equal(answer.body.error.code, 'unauthorized');
    assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer realm="moroccron"/);
  }
  for (const path of ['/healthz', '/readyz', '/openapi.json']) assert.equal((await call(null, 'GET', path)).status, 200, path);
  const doc = (await call<{ paths: Record<string, Record<string, { security: unknown[]; 'x-moroccron-role'?: string }>> }>(null, 'GET', '/openapi.json')).body;
  assert.deepEqual(doc.paths['/api/v1/jobs']!.post!.security, [{ bearerToken: [] }], 'the document says which routes need a token');
  assert.equal(doc.paths['/api/v1/jobs']!.post!['x-moroccron-role'], 'operator');
  assert.equal(doc.paths['/api/v1/tokens']!.get!['x-moroccron-role'], 'admin');
  assert.deepEqual(doc.paths['/healthz']!.get!.security, []);
  const garbage = await call<{ error: { message: string } }>('mcr_000000000000_' + 'A'.repeat(43), 'GET', '/api/v1/jobs');
  assert.equal(garbage.status, 401);
  assert.match(garbage.body.error.message, /not valid/);
  assert.equal((await call('not-a-token', 'GET', '/api/v1/jobs')).status, 401);
});

test('a viewer reads everything and changes nothing (403 naming the role it needs)', async () => {
  const viewer = await makeToken({ role: 'viewer', name: 'dashboard' });
  assert.equal((await call(viewer, 'GET', '/api/v1/jobs')).status, 200);
  assert.equal((await call(viewer, 'GET', '/metrics')).status, 200);
  const write = await call<{ error: { code: string; message: string } }>(viewer, 'POST', '/api/v1/jobs', job('viewer-job', []));
  assert.equal(write.status, 403);
  assert.equal(write.body.error.code, 'forbidden');
  assert.match(write.body.error.message, /needs an operator token; dashboard is a viewer/);
  assert.equal((await call(viewer, 'GET', '/api/v1/tokens')).status, 403, 'tokens are for admins');
  assert.equal((await call(viewer, 'GET', '/api/v1/audit')).status, 403, 'the audit log is for admins');
});

test("an operator of team-a changes team-a's jobs; team-b's and unowned ones are 403 naming the owner it lacks", async () => {
  assert.equal((await call(admin, 'PUT', '/api/v1/jobs/b-job', job('b-job', ['team-b']))).status, 201, 'the admin makes any job');
  assert.equal((await call(admin, 'PUT', '/api/v1/jobs/nobodys', job('nobodys', []))).status, 201);
  const operator = await makeToken({ role: 'operator', owners: ['team-a'], name: 'ci-deploy' });

  assert.equal((await call(operator, 'PUT', '/api/v1/jobs/a-job', job('a-job', ['team-a']))).status, 201);
  assert.equal((await call(operator, 'POST', '/api/v1/jobs/a-job/run')).status, 201);
  assert.equal((await call(operator, 'POST', '/api/v1/jobs/a-job/pause')).status, 200);

  const theirs = await call<{ error: { message: string } }>(operator, 'POST', '/api/v1/jobs/b-job/run');
  assert.equal(theirs.status, 403);
  assert.equal(theirs.body.error.message, 'job b-job belongs to team-b; this token acts for team-a');
  const steal = await call<{ error: { message: string } }>(operator, 'PUT', '/api/v1/jobs/b-job', job('b-job', ['team-a']));
  assert.equal(steal.status, 403, 'taking a job over is changing it');
  assert.match(steal.body.error.message, /belongs to team-b/);
  const giveAway = await call<{ error: { message: string } }>(operator, 'PUT', '/api/v1/jobs/a-job', job('a-job', ['team-b']));
  assert.equal(giveAway.status, 403);
  assert.match(giveAway.body.error.message, /job a-job would belong to team-b; this token acts for team-a/);
  const unowned = await call<{ error: { message: string } }>(operator, 'DELETE', '/api/v1/jobs/nobodys');
  assert.equal(unowned.status, 403);
  assert.match(unowned.body.error.message, /job nobodys has no owners, so only an admin token may change it/);
  assert.equal((await call(operator, 'PUT', '/api/v1/owners/team-c', {})).status, 403, 'owners are for admins');
  assert.equal((await call(operator, 'DELETE', '/api/v1/jobs/a-job')).status, 200);
  assert.equal((await call(admin, 'DELETE', '/api/v1/jobs/b-job')).status, 200, 'the admin does everything');
});

test('a revoked token is refused at once; an expired one too; both say so to the holder', async () => {
  const doomed = await makeToken({ role: 'viewer', name: 'doomed' });
  assert.equal((await call(doomed, 'GET', '/api/v1/jobs')).status, 200);
  const id = doomed.slice(4, 16);
  const revoked = await call<{ state: string }>(admin, 'DELETE', `/api/v1/tokens/${id}`);
  assert.equal(revoked.status, 200);
  assert.equal(revoked.body.state, 'revoked');
  const refused = await call<{ error: { message: string } }>(doomed, 'GET', '/api/v1/jobs');
  assert.equal(refused.status, 401);
  assert.match(refused.body.error.message, new RegExp(`token ${id} \\(doomed\\) was revoked at`));

  // A token whose expiry has passed, put in the store as an older server would have left it.
  const parts = newTokenParts();
  const store = await openStore(`sqlite:${dir.path}/moroccron.db`);
  try {
    await store.writeAccess([
      {
        op: 'put-token',
        token: { id: parts.id, name: 'stale', role: 'admin', owners: [], secretHash: await hashSecret(parts.secret), createdAt: 1, expiresAt: Date.now() - 1000, revokedAt: null, createdBy: 'test' },
      },
    ]);
  } finally {
    await store.close();
  }
  issued.push(parts.token);
  const expired = await call<{ error: { message: string } }>(parts.token, 'GET', '/api/v1/jobs');
  assert.equal(expired.status, 401);
  assert.match(expired.body.error.message, /\(stale\) expired at/);
  const listed = await call<{ tokens: { id: string; state: string; secretHash?: string }[] }>(admin, 'GET', '/api/v1/tokens');
  assert.equal(listed.body.tokens.find((t) => t.id === parts.id)?.state, 'expired');
  assert.ok(listed.body.tokens.every((t) => t.secretHash === undefined), 'no hash leaves the server');
});

test('the CLI works with MOROCCRON_TOKEN, and makes and revokes tokens through the API', async () => {
  const env = { MOROCCRON_TOKEN: admin };
  const made = await runCli(['token', 'create', '--role', 'operator', '--owner', 'team-b', '--name', 'team-b-ci', '--expires', '30d', '--server', server.url], { env });
  assert.equal(made.code, 0, made.stderr);
  const teamB = made.stdout.trim();
  issued.push(teamB);
  const applied = await runCli(['jobs', '--server', server.url], { env: { MOROCCRON_TOKEN: teamB } });
  assert.equal(applied.code, 0, applied.stderr);
  const listed = await runCli(['token', 'list', '--server', server.url], { env });
  assert.match(listed.stdout, /team-b-ci +operator +team-b +active/);
  const none = await runCli(['jobs', '--server', server.url]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /^moroccron: 401: this server needs a token/);
  const revoked = await runCli(['token', 'revoke', teamB.slice(4, 16), '--server', server.url], { env });
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /revoked/);
});

test('the audit log says who did what, when and from where, refusals included', async () => {
  const page = await call<{ entries: { action: string; targets: string[]; outcome: string; status: number; actor: { name: string; address: string | null; tokenId: string | null }; detail: string | null }[] }>(
    admin,
    'GET',
    '/api/v1/audit?limit=1000',
  );
  assert.equal(page.status, 200);
  const entries = page.body.entries;
  const refusal = entries.find((e) => e.action === 'run-job' && e.outcome === 'refused');
  assert.ok(refusal, 'the refused run is there');
  assert.equal(refusal.actor.name, 'ci-deploy');
  assert.equal(refusal.status, 403);
  assert.match(refusal.detail ?? '', /belongs to team-b/);
  assert.match(refusal.actor.address ?? '', /127\.0\.0\.1/);
  const run = entries.find((e) => e.action === 'run-job' && e.outcome === 'done');
  assert.equal(run?.targets[0], 'a-job');
  assert.equal(run?.targets.length, 2, 'the run it started is named too');
  assert.ok(entries.some((e) => e.action === 'create-token' && e.actor.name === 'bootstrap'));
  assert.ok(entries.some((e) => e.action === 'revoke-token' && e.targets.includes('doomed')));
  assert.ok(entries.some((e) => e.action === 'create-token' && e.actor.name.startsWith('local:')), 'the offline token is audited too');
});

test("a run does not inherit the server's own MOROCCRON_ settings, only its run's", async () => {
  const put = await call(admin, 'PUT', '/api/v1/jobs/env-check', { command: "env | grep '^MOROCCRON_' | cut -d= -f1 | sort | tr '\\n' ' '" });
  assert.equal(put.status, 201, JSON.stringify(put.body));
  const run = await call<{ id: string }>(admin, 'POST', '/api/v1/jobs/env-check/run');
  const finished = await eventually(
    async () => {
      const r = await call<{ status: string }>(admin, 'GET', `/api/v1/runs/${run.body.id}`);
      return r.body.status === 'succeeded' ? r : undefined;
    },
    10_000,
    'the run',
  );
  assert.ok(finished);
  const log = await call<string>(admin, 'GET', `/api/v1/runs/${run.body.id}/logs?format=text`);
  assert.equal(log.body, 'MOROCCRON_ATTEMPT MOROCCRON_JOB MOROCCRON_RUN_ID MOROCCRON_SCHEDULED_AT ');
});

test('no token, nor any secret of one, ever reaches the server output', async () => {
  await eventually(async () => (server.output().includes('debug') || server.output().length > 0 ? true : undefined), 5000, 'some output');
  const out = server.output();
  for (const token of issued) {
    assert.ok(!out.includes(token), 'a whole token in the log');
    assert.ok(!out.includes(token.slice(17)), 'a token secret in the log');
  }
});

test('--metrics-open: /metrics without a token, everything else still needs one', async () => {
  const other = tempDir();
  const open = await startServerProcess(other.path, ['--auth', 'tokens', '--metrics-open']);
  try {
    const metrics = await fetch(`${open.url}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /moroccron_jobs/);
    assert.equal((await fetch(`${open.url}/api/v1/jobs`)).status, 401);
    assert.match(open.output(), /--auth tokens and no admin token yet: make one with `moroccron token create --role admin --store sqlite:/);
  } finally {
    await open.stop();
    other.remove();
  }
});
