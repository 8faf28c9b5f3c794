/**
 * Mesos framework authentication over HTTP, in one process: the sim as a master run with
 * --authenticate_http_frameworks (and --authenticate_http_readonly), raw requests against it,
 * and the library's SchedulerConnection with and without the right credentials.
 * With real processes (`moroccron serve` and `moroccron mesos-sim`): test/e2e/mesos-auth.test.ts.
 *
 * Run: node --import tsx --test test/integration/mesos-auth.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestContext } from 'node:test';
import { SchedulerConnection, UrlListMasterDetector, basicAuthorization, type ConnectionMessage, type Credentials } from '../../src/mesos/client/index.js';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Event } from '../../src/mesos/types.js';
import { JSON_HEADERS, SimScheduler, eventually, frameworkInfo, post } from '../helpers/mesos-sim-client.js';

const OPS: Credentials = { principal: 'ops', secret: 'ops-secret' };
const CRON: Credentials = { principal: 'cron', secret: 'cron-secret' };
const auth = (c: Credentials): Record<string, string> => ({ Authorization: basicAuthorization(c) });

let sim: MesosSim;
const simLog: string[] = [];
before(async () => {
  sim = await startMesosSim({ agents: 1, allocationIntervalMs: 50, credentials: [OPS, CRON], authenticateReadonly: true, logger: (line) => simLog.push(line) });
});
after(() => sim.close());

const subscribeCall = (principal?: string) => ({ type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo(principal !== undefined ? { principal } : {}) } });

/** SUBSCRIBE with these headers; the SUBSCRIBED event, or throws. */
async function subscribeAs(credentials: Credentials, principal?: string): Promise<SimScheduler> {
  const client = await SimScheduler.open(sim.url, frameworkInfo(principal !== undefined ? { principal } : {}), { headers: auth(credentials) });
  assert.equal(client.status, 200);
  const first = await client.next((e: Event) => e.type === 'SUBSCRIBED' || e.type === 'ERROR');
  assert.equal(first.type, 'SUBSCRIBED', JSON.stringify(first));
  client.frameworkId = (first as Extract<Event, { type: 'SUBSCRIBED' }>).subscribed.framework_id.value;
  return client;
}

test('no or wrong credentials: 401 with WWW-Authenticate Basic realm="mesos-master-scheduler", before anything else is checked', async () => {
  for (const headers of [JSON_HEADERS, { ...JSON_HEADERS, ...auth({ ...OPS, secret: 'wrong' }) }, { ...JSON_HEADERS, Authorization: 'Bearer abc' }]) {
    const answer = await post(sim.url, subscribeCall(), headers);
    assert.equal(answer.status, 401);
    assert.equal(answer.headers.get('www-authenticate'), 'Basic realm="mesos-master-scheduler"');
  }
  // Even a body the master could not parse: authentication comes first.
  assert.equal((await post(sim.url, 'not json', JSON_HEADERS)).status, 401);
  assert.ok(simLog.some((l) => /401 for POST \/api\/v1\/scheduler: no credentials/.test(l)));
  assert.ok(!simLog.join('\n').includes('ops-secret'), 'the sim never logs a secret');
});

test("a standby master authenticates before it redirects", async (t: TestContext) => {
  const standby = await startMesosSim({ standbyOf: () => new URL(sim.url).host, credentials: [OPS] });
  t.after(() => standby.close());
  assert.equal((await post(standby.url, subscribeCall())).status, 401);
  const redirected = await post(standby.url, subscribeCall(), { ...JSON_HEADERS, ...auth(OPS) });
  assert.equal(redirected.status, 307);
});

test('SUBSCRIBE: the authenticated principal must be the one in FrameworkInfo (400); none there means the authenticated one', async () => {
  const mismatch = await post(sim.url, subscribeCall('cron'), { ...JSON_HEADERS, ...auth(OPS) });
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.body, "Failed to validate scheduler::Call: Authenticated principal 'ops' does not match principal 'cron' set in `FrameworkInfo`");

  const filledIn = await subscribeAs(OPS);
  const state = sim.state() as { frameworks: { id: string; principal?: string }[] };
  assert.equal(state.frameworks.find((f) => f.id === filledIn.frameworkId)?.principal, 'ops');
  filledIn.close();
});

test("calls need credentials too, of the framework's own principal (400 for another, 401 for none)", async () => {
  const client = await subscribeAs(OPS, 'ops');
  assert.equal((await client.call('REVIVE', {}, auth(OPS))).status, 202);
  assert.equal((await client.call('REVIVE')).status, 401);
  const other = await client.call('REVIVE', {}, auth(CRON));
  assert.equal(other.status, 400);
  assert.equal(other.body, "Authenticated principal 'cron' does not match principal 'ops' set in `FrameworkInfo`");

  // Re-subscribing as another principal passes authentication and call validation, but a
  // framework may not change its principal: 200, one ERROR event, the stream closed.
  const takeover = await SimScheduler.open(sim.url, frameworkInfo({ id: { value: client.frameworkId }, principal: 'cron' }), { headers: auth(CRON) });
  assert.equal(takeover.status, 200);
  const refused = await takeover.next((e: Event) => e.type === 'ERROR' || e.type === 'SUBSCRIBED');
  assert.deepEqual(refused, { type: 'ERROR', error: { message: "Changing framework's principal is not allowed" } });
  await takeover.end();
  client.close();
});

test("read-only authentication: /master/state (realm mesos-master-readonly) and the agents' /files (mesos-agent-readonly)", async () => {
  const noAuth = await fetch(`${sim.url}/master/state`);
  assert.equal(noAuth.status, 401);
  assert.equal(noAuth.headers.get('www-authenticate'), 'Basic realm="mesos-master-readonly"');
  const state = await fetch(`${sim.url}/master/state`, { headers: auth(CRON) });
  assert.equal(state.status, 200);
  const agent = ((await state.json()) as { slaves: { pid: string }[] }).slaves[0]!;
  const agentUrl = `http://${agent.pid.split('@')[1]}`;
  const files = await fetch(`${agentUrl}/files/read?path=/nowhere&offset=0`);
  assert.equal(files.status, 401);
  assert.equal(files.headers.get('www-authenticate'), 'Basic realm="mesos-agent-readonly"');
  assert.equal((await fetch(`${agentUrl}/files/read?path=/nowhere&offset=0`, { headers: auth(CRON) })).status, 404);
  assert.equal((await fetch(`${sim.url}/health`)).status, 200, '/health needs no credentials');
});

/** A SchedulerConnection to the sim that records its messages and does not wait between attempts. */
function connect(t: TestContext, credentials: Credentials | undefined, principal?: string) {
  const messages: ConnectionMessage[] = [];
  let attempts = 0;
  const connection = new SchedulerConnection({
    detector: new UrlListMasterDetector(sim.url),
    frameworkInfo: frameworkInfo(principal !== undefined ? { principal } : {}),
    frameworkId: () => undefined,
    onMessage: (m) => messages.push(m),
    sleep: async () => {
      attempts++;
      await new Promise((r) => setTimeout(r, 5));
    },
    ...(credentials ? { credentials } : {}),
  });
  connection.start();
  t.after(async () => {
    connection.close();
    await connection.done;
  });
  return { connection, messages, attempts: () => attempts };
}

const errors = (messages: ConnectionMessage[]) => messages.filter((m): m is Extract<ConnectionMessage, { type: 'error' }> => m.type === 'error');

test('the client sends the credentials on SUBSCRIBE and on every call', async (t: TestContext) => {
  const { connection, messages } = connect(t, OPS, 'ops');
  await eventually(() => messages.some((m) => m.type === 'connected'), 5000, 'a subscription');
  const revive = await connection.call({ type: 'REVIVE' });
  assert.deepEqual(revive.kind === 'response' ? [revive.status, revive.accepted] : revive, [202, true]);
  assert.deepEqual(errors(messages), []);
});

test('without credentials, or with a wrong secret: a 401 error naming the master (and the principal), not fatal, retried', async (t: TestContext) => {
  const none = connect(t, undefined);
  const wrong = connect(t, { principal: 'ops', secret: 'not-it' }, 'ops');
  for (const client of [none, wrong]) await eventually(() => errors(client.messages).length >= 3, 5000, 'three refused attempts');
  for (const client of [none, wrong]) {
    const [first] = errors(client.messages);
    assert.deepEqual([first!.status, first!.fatal, first!.origin], [401, false, 'http']);
    assert.ok(first!.message.includes(sim.url), first!.message);
    assert.equal(client.connection.closed, false, 'still trying');
    assert.equal(client.connection.connected, false);
    assert.ok(client.attempts() >= 2, 'with a wait between rounds');
  }
  assert.match(errors(none.messages)[0]!.message, /no credentials were given/);
  assert.match(errors(wrong.messages)[0]!.message, /did not accept the credentials of principal 'ops'/);
  assert.ok(!JSON.stringify(wrong.messages).includes('not-it'), 'the secret is in no message');
});

test('credentials of one principal with FrameworkInfo naming another: SUBSCRIBE refused with 400, fatal', async (t: TestContext) => {
  const { connection, messages } = connect(t, OPS, 'cron');
  await connection.done;
  const [error] = errors(messages);
  assert.deepEqual([error!.status, error!.fatal], [400, true]);
  assert.match(error!.message, /Authenticated principal 'ops' does not match principal 'cron'/);
});

test('a master restarted with other credentials: the waiting client subscribes once they match', async (t: TestContext) => {
  const own = await startMesosSim({ agents: 0, credentials: [{ principal: 'ops', secret: 'old' }] });
  t.after(() => own.close());
  const messages: ConnectionMessage[] = [];
  const connection = new SchedulerConnection({
    detector: new UrlListMasterDetector(own.url),
    frameworkInfo: frameworkInfo({ principal: 'ops' }),
    frameworkId: () => undefined,
    onMessage: (m) => messages.push(m),
    backoff: { baseMs: 20, maxMs: 50 },
    credentials: { principal: 'ops', secret: 'new' },
  });
  connection.start();
  t.after(async () => {
    connection.close();
    await connection.done;
  });
  await eventually(() => errors(messages).length >= 2, 5000, 'refused attempts');
  await own.restartMaster({ credentials: [{ principal: 'ops', secret: 'new' }] });
  await eventually(() => messages.some((m) => m.type === 'connected'), 5000, 'a subscription after the fix');
});
