/** Mesos sim: HTTP transport and status codes (docs/mesos.md#transport, #call-errors). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { JSON_HEADERS, SimScheduler, frameworkInfo, post } from '../helpers/mesos-sim-client.js';

let sim: MesosSim;
before(async () => {
  sim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 0.2, allocationIntervalMs: 100 });
});
after(() => sim.close());

const subscribeCall = { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo() } };

test('SUBSCRIBE answers 200 chunked JSON with a stream id, then SUBSCRIBED, HEARTBEAT at once and one per interval', async () => {
  const client = await SimScheduler.open(sim.url, frameworkInfo());
  try {
    assert.equal(client.status, 200);
    assert.equal(client.headers!.get('content-type'), 'application/json');
    assert.equal(client.headers!.get('transfer-encoding'), 'chunked');
    assert.match(client.streamId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const subscribed = await client.next(() => true);
    assert.equal(subscribed.type, 'SUBSCRIBED');
    if (subscribed.type !== 'SUBSCRIBED') return;
    assert.match(subscribed.subscribed.framework_id.value, new RegExp(`^${sim.masterId}-\\d{4}$`));
    assert.equal(subscribed.subscribed.heartbeat_interval_seconds, 0.2);
    assert.equal(subscribed.subscribed.master_info?.id, sim.masterId);
    assert.equal(subscribed.subscribed.master_info?.ip, 16777343);
    assert.equal((await client.next(() => true)).type, 'HEARTBEAT');
    const second = await client.next((e) => e.type === 'HEARTBEAT', 2000);
    assert.equal(second.type, 'HEARTBEAT');
  } finally {
    client.close();
  }
});

test('a SUBSCRIBE carrying Mesos-Stream-Id is a 400', async () => {
  const answer = await post(sim.url, subscribeCall, { ...JSON_HEADERS, 'Mesos-Stream-Id': 'e9d5d6b4-2a5f-4cbb-9c55-3a4b27a8a4f1' });
  assert.equal(answer.status, 400);
});

test('Content-Type: missing 400, not exactly application/json 415, protobuf 415 (sim is JSON only), bad JSON or missing required fields 400', async () => {
  const noType = await fetch(`${sim.url}/api/v1/scheduler`, { method: 'POST', body: new TextEncoder().encode(JSON.stringify(subscribeCall)) });
  assert.equal(noType.status, 400);
  assert.equal((await post(sim.url, subscribeCall, { 'Content-Type': 'application/json; charset=utf-8' })).status, 415);
  assert.equal((await post(sim.url, subscribeCall, { 'Content-Type': 'text/plain' })).status, 415);
  assert.equal((await post(sim.url, subscribeCall, { 'Content-Type': 'application/x-protobuf' })).status, 415);
  assert.equal((await post(sim.url, '{not json')).status, 400);
  const missing = await post(sim.url, { type: 'SUBSCRIBE', subscribe: { framework_info: { name: 'x' } } });
  assert.equal(missing.status, 400);
  assert.match(missing.body, /Missing required fields: subscribe\.framework_info\.user/);
});

test('Accept: foo gets 406, */* and none get JSON; GET gets 405 with Allow: POST', async () => {
  assert.equal((await post(sim.url, subscribeCall, { 'Content-Type': 'application/json', Accept: 'foo' })).status, 406);
  for (const accept of ['*/*', undefined]) {
    const client = await SimScheduler.open(sim.url, frameworkInfo(), { headers: accept ? { Accept: accept } : { Accept: '' } });
    assert.equal(client.status, 200);
    assert.equal(client.headers!.get('content-type'), 'application/json');
    client.close();
  }
  const get = await fetch(`${sim.url}/api/v1/scheduler`);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get('allow'), 'POST');
  assert.equal((await fetch(`${sim.url}/master/api/v1/scheduler`)).status, 405);
});

test('call validation errors are 400 "Failed to validate scheduler::Call: ..."', async () => {
  const noType = await post(sim.url, { framework_id: { value: 'x' } });
  assert.deepEqual([noType.status, noType.body], [400, "Failed to validate scheduler::Call: Expecting 'type' to be present"]);
  const noFramework = await post(sim.url, { type: 'REVIVE' });
  assert.deepEqual([noFramework.status, noFramework.body], [400, "Failed to validate scheduler::Call: Expecting 'framework_id' to be present"]);
  const mismatch = await post(sim.url, { type: 'SUBSCRIBE', framework_id: { value: 'a' }, subscribe: { framework_info: frameworkInfo({ id: { value: 'b' } }) } });
  assert.equal(mismatch.status, 400);
  assert.match(mismatch.body, /^Failed to validate scheduler::Call: /);
  const ack = (uuid: string) => post(sim.url, { type: 'ACKNOWLEDGE', framework_id: { value: 'f' }, acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid } });
  for (const uuid of ['jhadf73jhakdlfha723adf', Buffer.alloc(16).toString('base64'), Buffer.alloc(15, 0x41).toString('base64')]) {
    assert.deepEqual([(await ack(uuid)).status, (await ack(uuid)).body], [400, 'Failed to validate scheduler::Call: Not a valid UUID']);
  }
  // A valid v4 uuid passes validation and then fails the framework lookup instead.
  assert.equal((await ack('PyuMHppNTm+LIXxdDp+hIw==')).body, 'Framework cannot be found');
  const noSub = await post(sim.url, { type: 'ACCEPT', framework_id: { value: 'f' } });
  assert.equal(noSub.body, "Failed to validate scheduler::Call: Expecting 'accept' to be present");
});

test('framework lookup order: unknown 400, disconnected 403, missing stream id 400, stale stream id 400', async () => {
  assert.deepEqual(await post(sim.url, { type: 'REVIVE', framework_id: { value: 'nope-0000' } }).then((a) => [a.status, a.body]), [400, 'Framework cannot be found']);
  const first = await SimScheduler.subscribe(sim.url, frameworkInfo({ failover_timeout: 60 }));
  const missing = await post(sim.url, { type: 'REVIVE', framework_id: { value: first.frameworkId } });
  assert.deepEqual([missing.status, missing.body], [400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header"]);
  const second = await SimScheduler.subscribe(sim.url, frameworkInfo({ id: { value: first.frameworkId }, failover_timeout: 60 }));
  const stale = await first.call('REVIVE');
  assert.equal(stale.status, 400);
  assert.match(stale.body, /^The stream ID '.+' included in this request didn't match the stream ID currently associated with framework ID /);
  second.close();
  await second.end();
  const disconnected = await waitForStatus(() => second.call('REVIVE'), 403);
  assert.equal(disconnected.body, 'Framework is not subscribed');
  first.close();
});

test('accepted calls are 202 with an empty body, even when later dropped', async () => {
  const client = await SimScheduler.subscribe(sim.url);
  try {
    for (const [type, body] of [
      ['REVIVE', { revive: { roles: ['not-mine'] } }],
      ['DECLINE', { decline: { offer_ids: [{ value: 'bogus' }] } }],
      ['MESSAGE', { message: { agent_id: { value: 'ghost' }, executor_id: { value: 'e' }, data: 'aGk=' } }],
      ['REQUEST', { request: { requests: [] } }],
    ] as const) {
      const answer = await client.call(type, body);
      assert.deepEqual([answer.status, answer.body], [202, ''], type);
    }
    const update = await client.call('UPDATE_FRAMEWORK', { update_framework: { framework_info: frameworkInfo({ id: { value: client.frameworkId } }) } });
    assert.equal(update.status, 200);
  } finally {
    client.close();
  }
});

test('/redirect answers 307 to the leader; a standby redirects the scheduler API, or 503 without a leader', async () => {
  const redirect = await fetch(`${sim.url}/redirect`, { redirect: 'manual' });
  assert.equal(redirect.status, 307);
  assert.equal(redirect.headers.get('location'), `//${new URL(sim.url).host}`);
  let leader: string | undefined = new URL(sim.url).host;
  const standby = await startMesosSim({ standbyOf: () => leader });
  try {
    const answer = await post(standby.url, subscribeCall);
    assert.equal(answer.status, 307);
    assert.equal(answer.headers.get('location'), `//${leader}/master/api/v1/scheduler`);
    leader = undefined;
    const none = await post(standby.url, subscribeCall);
    assert.deepEqual([none.status, none.body], [503, 'No leader elected']);
    assert.equal((await fetch(`${standby.url}/master/redirect`, { redirect: 'manual' })).status, 503);
  } finally {
    await standby.close();
  }
});

async function waitForStatus(send: () => Promise<{ status: number; body: string }>, status: number, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await send();
    if (answer.status === status || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 20));
  }
}
