/**
 * Workflows end to end, with real receivers: a real SMTP server in process and loopback HTTP
 * receivers for PagerDuty and webhooks, against the built `moroccron serve`.
 *
 * extract fails (exit 3) while load and report wait for it: its owner gets the e-mail naming the
 * job, the exit code, the last stderr line and both waiting jobs; the webhook is signed; the
 * children do not run; after extract succeeds again the child runs once, then the grandchild;
 * the PagerDuty incident is resolved with the same dedup key. Muted and opted-out owners hear
 * nothing; a receiver that was down gets its notice when it comes back; SLA alerts fire.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { jobGraph, storeGraphSource } from '../../src/api/routes/job-graph.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { HttpReceiver, SmtpReceiver } from '../helpers/notice-receivers.js';
import { api, eventually, sleep, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface RunJson {
  id: string;
  status: string;
  trigger: string;
  causes: string[];
  startedAt: string | null;
  late: boolean;
}

const dir = tempDir();
let smtp: SmtpReceiver;
let pagerduty: HttpReceiver;
let webhook: HttpReceiver;
let server: ServerProcess;
const SECRET = 'whsec-test-1234';

before(async () => {
  smtp = await SmtpReceiver.start();
  pagerduty = await HttpReceiver.start();
  webhook = await HttpReceiver.start();
  server = await startServerProcess(dir.path, [
    '--smtp-url', smtp.url,
    '--mail-from', 'cron@example.com',
    '--pagerduty-url', `${pagerduty.url}/v2/enqueue`,
    '--ui-url', 'https://cron.example.com',
    '--cpus', '1',
  ]);
});
after(async () => {
  await server?.stop();
  await Promise.all([smtp?.stop(), pagerduty?.stop(), webhook?.stop()]);
  dir.remove();
});

const runsOf = async (job: string): Promise<RunJson[]> => (await api<{ runs: RunJson[] }>(`${server.url}/api/v1/jobs/${job}/runs?limit=100`)).body.runs;

async function put(path: string, body: unknown, expect = [200, 201]): Promise<void> {
  const answer = await api(`${server.url}/api/v1/${path}`, 'PUT', body);
  assert.ok(expect.includes(answer.status), `PUT ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

async function runNow(job: string): Promise<RunJson> {
  const answer = await api<RunJson>(`${server.url}/api/v1/jobs/${job}/run`, 'POST');
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

async function ended(runId: string): Promise<RunJson> {
  return eventually(
    async () => {
      const run = (await api<RunJson>(`${server.url}/api/v1/runs/${runId}`)).body;
      return ['succeeded', 'failed', 'killed', 'lost', 'skipped'].includes(run.status) ? run : undefined;
    },
    20_000,
    `run ${runId} to end`,
  );
}

test('a parent fails while its child and grandchild wait: the owner is told on every channel, the children wait, and run in order once it succeeds', async () => {
  await put('owners/data', { email: 'oncall@example.com', pagerdutyRoutingKey: 'ROUTING-1', webhook: { url: `${webhook.url}/hook`, secret: SECRET } });
  await put('owners/muted', { email: 'muted@example.com', mute: true });
  await put('owners/away', { email: 'away@example.com', optOut: ['extract'] });
  await put('jobs/extract', { command: 'echo "reading input"; echo "parse error at line 7" >&2; exit 3', owners: ['data', 'muted', 'away'] });
  await put('jobs/load', { command: 'echo loaded', after: ['extract'], owners: ['data'] });
  await put('jobs/report', { command: 'echo reported', after: ['load'] });

  const failed = await ended((await runNow('extract')).id);
  assert.equal(failed.status, 'failed');

  const mail = await eventually(async () => smtp.mails[0], 15_000, 'the failure e-mail');
  assert.deepEqual(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : [], ['oncall@example.com']);
  assert.match(mail.subject ?? '', /FAILED extract/);
  assert.match(mail.subject ?? '', /exit code 3/);
  assert.match(mail.text ?? '', /parse error at line 7/);
  assert.match(mail.text ?? '', /load, report/);
  assert.match(mail.text ?? '', new RegExp(`https://cron\\.example\\.com/runs/${failed.id}`));

  const hook = await eventually(async () => webhook.requests[0], 15_000, 'the webhook');
  const timestamp = String(hook.headers['x-moroccron-timestamp']);
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${hook.body}`).digest('hex')}`;
  assert.equal(hook.headers['x-moroccron-signature'], expected, 'the signature verifies with the shared secret');

  const trigger = await eventually(async () => pagerduty.requests[0]?.json as { event_action: string; dedup_key: string } | undefined, 15_000, 'the PagerDuty trigger');
  assert.equal(trigger.event_action, 'trigger');

  // The children wait, blocked by the failure.
  await sleep(2000);
  assert.equal((await runsOf('load')).length, 0);
  const graph = await api<{ job: { state: string }; ancestors: { name: string; state: string }[]; descendants: { name: string; state: string }[] }>(`${server.url}/api/v1/jobs/load/graph`);
  assert.equal(graph.body.job.state, 'blocked-by-failure');
  assert.deepEqual(graph.body.ancestors, [{ name: 'extract', state: 'failed' }]);
  assert.deepEqual(graph.body.descendants, [{ name: 'report', state: 'blocked-by-failure' }]);
  // The leader draws it from the jobs it holds; a standby would from the store: the same graph.
  const reader = new SqliteStore(join(dir.path, 'moroccron.db'));
  try {
    assert.deepEqual(await jobGraph(storeGraphSource(reader), 'load'), graph.body);
  } finally {
    await reader.close();
  }
  assert.equal(smtp.mails.length, 1, 'the muted and the opted-out owner heard nothing');

  // Fixed: the chain runs once, in order, and the incident is resolved.
  await put('jobs/extract', { command: 'echo fixed', owners: ['data', 'muted', 'away'] });
  const good = await ended((await runNow('extract')).id);
  assert.equal(good.status, 'succeeded');
  const [load] = await eventually(async () => ((await runsOf('load')).some((r) => r.status === 'succeeded') ? runsOf('load') : undefined), 20_000, 'load to run');
  const [report] = await eventually(async () => ((await runsOf('report')).some((r) => r.status === 'succeeded') ? runsOf('report') : undefined), 20_000, 'report to run');
  assert.equal(load!.trigger, 'dependency');
  assert.deepEqual(load!.causes, [good.id]);
  assert.deepEqual(report!.causes, [load!.id]);
  assert.ok(Date.parse(load!.startedAt!) <= Date.parse(report!.startedAt!));
  await sleep(2000);
  assert.equal((await runsOf('load')).length, 1, 'the child ran once');
  assert.equal((await runsOf('report')).length, 1, 'the grandchild ran once');
  const resolve = await eventually(
    async () => pagerduty.requests.map((r) => r.json as { event_action: string; dedup_key: string }).find((e) => e.event_action === 'resolve'),
    15_000,
    'the PagerDuty resolve',
  );
  assert.equal(resolve.dedup_key, trigger.dedup_key);
});

test('fan-in waits for every parent; a cycle gets a 400 naming it; deleting a parent gets a 409 naming its children', async () => {
  await put('jobs/a', { command: 'true' });
  await put('jobs/b', { command: 'true' });
  await put('jobs/both', { command: 'true', after: ['a', 'b'] });
  await ended((await runNow('a')).id);
  await sleep(1500);
  assert.equal((await runsOf('both')).length, 0, 'one parent is not enough');
  await ended((await runNow('b')).id);
  await eventually(async () => ((await runsOf('both')).length === 1 ? true : undefined), 10_000, 'the fan-in child');

  const cycle = await api<{ error: { message: string; details: { field: string }[] } }>(`${server.url}/api/v1/jobs/a`, 'PUT', { command: 'true', after: ['both'] });
  assert.equal(cycle.status, 400);
  assert.match(cycle.body.error.message, /dependency cycle: a waits for both waits for a/);
  const refused = await api<{ error: { message: string } }>(`${server.url}/api/v1/jobs/a`, 'DELETE');
  assert.equal(refused.status, 409);
  assert.match(refused.body.error.message, /needed by both/);
});

test('a time-gated child waits for its parent, then runs; without a new success it is skipped with the reason', async () => {
  await put('jobs/feed', { command: 'true' });
  // Every 2 s, with a 1 s misfire window: an occurrence nobody releases is skipped a second later.
  await put('jobs/gated', { schedule: '*/2 * * * * *', command: 'true', after: ['feed'], misfire: { policy: 'skip', window: '1s' } });
  const waiting = await eventually(async () => (await runsOf('gated')).find((r) => r.status === 'waiting'), 10_000, 'an occurrence waiting');
  await runNow('feed');
  const released = await ended(waiting.id);
  assert.equal(released.status, 'succeeded');
  const skipped = await eventually(async () => (await runsOf('gated')).find((r) => r.status === 'skipped'), 10_000, 'an occurrence skipped');
  const reason = (await api<{ reason: string }>(`${server.url}/api/v1/runs/${skipped.id}`)).body.reason;
  assert.match(reason, /waited for feed to succeed until its misfire window \(1s\) closed/);
  await put('jobs/gated', { schedule: '*/2 * * * * *', command: 'true', after: ['feed'], paused: true });
});

test('SLA: lateAfter fires for a run held back by capacity, maxDuration for a long run; one notice each', async () => {
  await put('owners/sre', { email: 'sre@example.com' });
  await put('jobs/hog', { command: 'sleep 6', resources: { cpus: 1 }, owners: ['sre'], sla: { maxDuration: '2s' } });
  await put('jobs/starved', { command: 'true', resources: { cpus: 1 }, owners: ['sre'], sla: { lateAfter: '2s' } });
  const hog = await runNow('hog');
  await eventually(async () => ((await api<RunJson>(`${server.url}/api/v1/runs/${hog.id}`)).body.status === 'running' ? true : undefined), 10_000, 'hog to run');
  const starved = await runNow('starved');
  const lateMails = await eventually(
    async () => {
      const mails = smtp.mails.filter((m) => /LATE/.test(m.subject ?? ''));
      return mails.length >= 2 ? mails : undefined;
    },
    15_000,
    'two late notices',
  );
  assert.ok(lateMails.some((m) => /LATE hog/.test(m.subject ?? '') && /still running after 2s/.test(m.subject ?? '')), lateMails.map((m) => m.subject).join('\n'));
  assert.ok(lateMails.some((m) => /LATE starved/.test(m.subject ?? '') && /not started within 2s/.test(m.subject ?? '')), lateMails.map((m) => m.subject).join('\n'));
  await ended(starved.id);
  assert.equal((await api<RunJson>(`${server.url}/api/v1/runs/${starved.id}`)).body.late, true);
  assert.equal(smtp.mails.filter((m) => /LATE/.test(m.subject ?? '')).length, 2, 'one late notice per run');
});

test('a receiver down for 30 s gets the notice once it is back', async () => {
  await webhook.stop();
  await put('owners/hooked', { webhook: `${webhook.url}/later` });
  await put('jobs/flaky-hook', { command: 'exit 1', owners: ['hooked'] });
  const failed = await ended((await runNow('flaky-hook')).id);
  const before = webhook.requests.length;
  await sleep(30_000);
  await webhook.start();
  const delivered = await eventually(
    async () => webhook.requests.slice(before).find((r) => r.path === '/later'),
    60_000,
    'the webhook after the receiver came back',
  );
  assert.equal((delivered.json as { run: { id: string } }).run.id, failed.id);
});
