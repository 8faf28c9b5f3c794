/**
 * The workflow verbs of the CLI (the built bin) against a real server: `apply -f` with
 * `kind: owner` documents beside jobs, `owners`, `owner get|test|delete`, `graph`,
 * `delete --force`, and `import chronos | apply -f -`.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HttpReceiver, SmtpReceiver } from '../helpers/notice-receivers.js';
import { runCli } from '../helpers/cli-process.js';
import { api, eventually, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const dir = tempDir();
let smtp: SmtpReceiver;
let slack: HttpReceiver;
let server: ServerProcess;

before(async () => {
  smtp = await SmtpReceiver.start();
  slack = await HttpReceiver.start();
  server = await startServerProcess(join(dir.path, 'data'), ['--smtp-url', smtp.url, '--mail-from', 'cron@example.com']);
});
after(async () => {
  await server?.stop();
  await Promise.all([smtp?.stop(), slack?.stop()]);
  dir.remove();
});

const cli = (args: string[], stdin?: string) => runCli([...args, '--server', server.url], stdin === undefined ? {} : { stdin });

const PIPELINE = (slackUrl: string) => `
kind: owner
name: data-team
email: [data@example.com]
slackWebhook: ${slackUrl}/services/T0/B0/x
notifyOn: [failure, recovery]
---
name: extract
command: echo extracting
owners: [data-team]
---
name: transform
command: echo transforming
after: [extract]
---
name: load
command: echo loading
after: [transform]
`;

test('apply -f puts the owner before the jobs that name it; owners and owner get show it', async () => {
  const file = join(dir.path, 'pipeline.yaml');
  writeFileSync(file, PIPELINE(slack.url));
  const applied = await cli(['apply', '-f', file]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(applied.stdout, 'applied 1 owner(s): data-team\napplied 3 job(s): extract, transform, load\n');

  const listed = await cli(['owners']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^NAME +CHANNELS +NOTIFY ON +MUTE +OPTED OUT OF\n/);
  assert.match(listed.stdout, /\ndata-team +email,slack +failure,recovery +no/);

  const got = await cli(['owner', 'get', 'data-team', '--json']);
  assert.equal(got.code, 0, got.stderr);
  const owner = JSON.parse(got.stdout) as { email: string[]; notifyOn: string[] };
  assert.deepEqual(owner.email, ['data@example.com']);
  assert.deepEqual(owner.notifyOn, ['failure', 'recovery']);
});

test('owner test sends a test notice on every channel and prints what happened', async () => {
  const r = await cli(['owner', 'test', 'data-team']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\nemail +sent\n/);
  assert.match(r.stdout, /\nslack +sent\n/);
  const mail = await eventually(async () => smtp.mails.find((m) => /test/i.test(m.subject ?? '')), 10_000, 'the test e-mail');
  assert.ok(mail);
  assert.equal(slack.requests.length, 1);
});

test('owner test exits 1 naming the owner when a channel fails', async () => {
  slack.answer = () => ({ status: 404, body: 'no_service' });
  try {
    const r = await cli(['owner', 'test', 'data-team']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\nslack +failed: /);
    assert.match(r.stderr, /^moroccron: a test notice to data-team could not be sent\n$/);
  } finally {
    slack.answer = () => ({ status: 200, body: 'ok' });
  }
});

test('graph shows the upstream and downstream jobs with their states and the edges', async () => {
  const r = await cli(['graph', 'transform']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^JOB +STATE +IS\n/);
  assert.match(r.stdout, /\ntransform +\S+ +this job\n/);
  assert.match(r.stdout, /\nextract +\S+ +upstream\n/);
  assert.match(r.stdout, /\nload +\S+ +downstream\n/);
  assert.match(r.stdout, /\n {2}transform runs after extract\n/);
  assert.match(r.stdout, /\n {2}load runs after transform/);
  const json = JSON.parse((await cli(['graph', 'transform', '--json'])).stdout) as { ancestors: { name: string }[] };
  assert.deepEqual(json.ancestors.map((a) => a.name), ['extract']);
});

test('deleting a parent is refused naming its child; --force deletes it and unlinks the child', async () => {
  const refused = await cli(['delete', 'transform']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^moroccron: .*\bload\b.*\n$/);
  assert.match(refused.stderr, /--force|force=true/);

  const forced = await cli(['delete', 'transform', '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  const load = (await api<{ after: string[] }>(`${server.url}/api/v1/jobs/load`)).body;
  assert.deepEqual(load.after, []);
});

test('an owner that jobs name cannot be deleted; once they are gone, owner delete removes it', async () => {
  const refused = await cli(['owner', 'delete', 'data-team']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^moroccron: .*\bextract\b/);
  assert.equal((await cli(['delete', 'extract', '--force'])).code, 0);
  const deleted = await cli(['owner', 'delete', 'data-team']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(deleted.stdout, 'data-team deleted\n');
  const missing = await cli(['owner', 'get', 'data-team']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^moroccron: .*data-team/);
});

test('owner without an action or a name is a usage line', async () => {
  const r = await cli(['owner']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^moroccron: owner needs an action and a name/);
});

test('import chronos writes job files that apply -f - takes as they are', async () => {
  const chronos = JSON.stringify([
    { name: 'nightly-dump', command: 'echo dump', schedule: 'R/2026-01-01T02:00:00Z/P1D', ownerName: 'dba', owner: 'dba@example.com' },
    { name: 'after-dump', command: 'echo after', parents: ['nightly-dump'] },
  ]);
  const imported = await cli(['import', 'chronos', '-f', '-'], chronos);
  assert.equal(imported.code, 0, imported.stderr);
  const applied = await cli(['apply', '-f', '-'], imported.stdout);
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(applied.stdout, 'applied 1 owner(s): dba\napplied 2 job(s): nightly-dump, after-dump\n');
  const child = (await api<{ after: string[] }>(`${server.url}/api/v1/jobs/after-dump`)).body;
  assert.deepEqual(child.after, ['nightly-dump']);
  const owner = (await api<{ email: string[] }>(`${server.url}/api/v1/owners/dba`)).body;
  assert.deepEqual(owner.email, ['dba@example.com']);
});
