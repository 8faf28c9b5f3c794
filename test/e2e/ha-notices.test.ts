/**
 * The notice outbox across a failover, on PostgreSQL and etcd: runs fail while the owner's
 * webhook is down, so their notices are pending in the store; the leader is SIGKILLed; the
 * new leader finds them and delivers every one once the receiver is back. None is lost, and
 * each arrives with the delivery id it was stored with.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';
import { HaCluster } from '../helpers/ha-cluster.js';
import { HttpReceiver } from '../helpers/notice-receivers.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { api, eventually, sleep, tempDir, type ServerProcess } from '../helpers/server-process.js';

const FAILING_RUNS = 4;
const options = { timeout: 120_000 };

const pgSkip = postgresUnavailable();
const etcdSkip = etcdUnavailable();
let pg: PostgresServer | undefined;
let etcd: EtcdServer | undefined;
before(async () => {
  if (!pgSkip) pg = await startPostgres();
  if (!etcdSkip) etcd = await startEtcd();
});
after(async () => {
  await pg?.stop();
  await etcd?.stop();
});

test('postgres: the leader is SIGKILLed with notices pending; the new leader delivers them all', { ...options, skip: pgSkip ?? false }, async () => {
  await noticesSurviveFailover(`${pg!.url}?schema=ha_notices_${process.pid}`);
});

test('etcd: the leader is SIGKILLed with notices pending; the new leader delivers them all', { ...options, skip: etcdSkip ?? false }, async () => {
  await noticesSurviveFailover(`etcd://${etcd!.hostPort}/ha-notices-${process.pid}`);
});

async function noticesSurviveFailover(storeUrl: string): Promise<void> {
  const dir = tempDir();
  const webhook = await HttpReceiver.down();
  const cluster = new HaCluster(storeUrl, dir.path);
  try {
    await cluster.start(2);
    const leader = await cluster.leader();
    await write(leader, 'owners/ops', { webhook: { url: `${webhook.url}/hook`, secret: 's3cret' } });
    await write(leader, 'jobs/breaks', { command: 'echo "disk quota exceeded" >&2; exit 3', owners: ['ops'] });

    const failedRunIds: string[] = [];
    for (let i = 0; i < FAILING_RUNS; i++) {
      const started = await api<{ id: string }>(`${leader.url}/api/v1/jobs/breaks/run`, 'POST');
      assert.equal(started.status, 201, JSON.stringify(started.body));
      await eventually(
        async () => ((await api<{ status: string }>(`${leader.url}/api/v1/runs/${started.body.id}`)).body.status === 'failed' ? true : undefined),
        20_000,
        `run ${started.body.id} to fail`,
      );
      failedRunIds.push(started.body.id);
    }
    await eventually(async () => (pendingWebhookNotices(await metricsOf(leader)) === FAILING_RUNS ? true : undefined), 10_000, `${FAILING_RUNS} webhook notices pending on the leader`);
    assert.equal(webhook.requests.length, 0);

    await cluster.killLeader();
    const successor = await cluster.leader();
    assert.notEqual(successor, leader);
    await sleep(1000);
    await webhook.start();

    const delivered = await eventually(
      async () => (new Set(webhook.requests.map((r) => r.headers['x-moroccron-delivery'])).size >= FAILING_RUNS ? webhook.requests : undefined),
      45_000,
      'every pending notice to reach the webhook',
    );
    const runIds = delivered.map((r) => (r.json as { run: { id: string } }).run.id).sort();
    assert.deepEqual(runIds, [...failedRunIds].sort(), 'one notice for each failed run, none lost');
    await eventually(async () => (pendingWebhookNotices(await metricsOf(successor)) === 0 ? true : undefined), 10_000, 'the outbox to empty');
    await sleep(1500);
    assert.equal(webhook.requests.length, FAILING_RUNS, 'each notice was delivered once');
  } finally {
    await cluster.stop();
    await webhook.stop();
    dir.remove();
  }
}

async function write(member: ServerProcess, path: string, body: unknown): Promise<void> {
  const answer = await api(`${member.url}/api/v1/${path}`, 'PUT', body);
  assert.ok(answer.status === 200 || answer.status === 201, `PUT ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
}

async function metricsOf(member: ServerProcess): Promise<string> {
  return (await fetch(`${member.url}/metrics`)).text();
}

function pendingWebhookNotices(metrics: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith('moroccron_notices_pending{channel="webhook"}'));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}
