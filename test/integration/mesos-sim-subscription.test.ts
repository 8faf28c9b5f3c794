/** Mesos sim: subscription lifecycle (docs/mesos.md#subscription, #teardown). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Event } from '../../src/mesos/types.js';
import { SimScheduler, commandTask, expectNothing, frameworkInfo } from '../helpers/mesos-sim-client.js';

let sim: MesosSim;
before(async () => {
  sim = await startMesosSim({ agents: 2, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50 });
});
after(() => sim.close());

const errorOf = (e: Event): string | undefined => (e.type === 'ERROR' ? e.error.message : undefined);

interface StateFramework {
  id: string;
  active: boolean;
  tasks: { id: string }[];
}
const frameworksInState = (): StateFramework[] => (sim.state() as { frameworks: StateFramework[] }).frameworks;

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('invalid FrameworkInfo is 200 + one ERROR event, then the stream closes', async () => {
  const cases = [
    frameworkInfo({ roles: ['-bad'] }),
    frameworkInfo({ roles: ['a b'] }),
    frameworkInfo({ failover_timeout: 1e17 }),
    frameworkInfo({ role: 'x' }),
  ];
  for (const info of cases) {
    const client = await SimScheduler.open(sim.url, info);
    assert.equal(client.status, 200);
    await client.end();
    assert.equal(client.events.length, 1, JSON.stringify(client.events));
    assert.equal(client.events[0]!.type, 'ERROR');
  }
  const suppressed = await SimScheduler.open(sim.url, frameworkInfo({ roles: ['cron'] }), { suppressed_roles: ['other'] });
  await suppressed.end();
  assert.match(errorOf(suppressed.events[0]!) ?? '', /Suppressed role 'other'/);
});

test('a second SUBSCRIBE fails over: ERROR "Framework failed over" on the old stream, same id, new stream, offers re-issued without RESCIND', async () => {
  const first = await SimScheduler.subscribe(sim.url);
  const oldOffers = await first.offers();
  const second = await SimScheduler.subscribe(sim.url, frameworkInfo({ id: { value: first.frameworkId } }));
  assert.equal(second.frameworkId, first.frameworkId);
  assert.notEqual(second.streamId, first.streamId);
  assert.equal(errorOf(await first.next((e) => e.type === 'ERROR')), 'Framework failed over');
  await first.end();
  assert.ok(!first.events.some((e) => e.type === 'RESCIND'));
  const newOffers = await second.offers();
  const oldIds = new Set(oldOffers.map((o) => o.id.value));
  assert.ok(newOffers.every((o) => !oldIds.has(o.id.value)));
  // Old offers are invalid now.
  await second.launch(oldOffers[0]!, [commandTask('stale-1', oldOffers[0]!, 'true')]);
  const lost = await second.update('stale-1');
  assert.equal(lost.state, 'TASK_DROPPED');
  assert.equal(lost.reason, 'REASON_INVALID_OFFERS');
  await second.call('TEARDOWN');
});

test('an unknown well-formed framework id is accepted and kept; a removed one gets ERROR "Framework has been removed"', async () => {
  const id = `${sim.masterId}-9999`;
  const client = await SimScheduler.subscribe(sim.url, frameworkInfo({ id: { value: id } }));
  assert.equal(client.frameworkId, id);
  assert.equal((await client.call('TEARDOWN')).status, 202);
  await client.end();
  const again = await SimScheduler.open(sim.url, frameworkInfo({ id: { value: id } }));
  assert.equal(again.status, 200);
  await again.end();
  assert.deepEqual(again.events.map(errorOf), ['Framework has been removed']);
});

test('stream close deactivates (403, no offers, inactive in state); failover_timeout removes it and kills its tasks', async () => {
  const client = await SimScheduler.subscribe(sim.url, frameworkInfo({ failover_timeout: 0.5 }));
  const [offer] = await client.offers();
  await client.launch(offer!, [commandTask('sleeper', offer!, 'sleep 30')]);
  await client.expectStates('sleeper', ['TASK_STARTING', 'TASK_RUNNING']);
  assert.equal(frameworksInState().find((f) => f.id === client.frameworkId)?.active, true);
  client.close();
  await client.end();
  await eventually(() => frameworksInState().find((f) => f.id === client.frameworkId)?.active === false);
  assert.equal((await client.call('REVIVE')).status, 403);
  await eventually(() => !frameworksInState().some((f) => f.id === client.frameworkId));
  const completed = (sim.state() as { completed_frameworks: { id: string; completed_tasks: { id: string; state: string }[] }[] }).completed_frameworks;
  const removed = completed.find((f) => f.id === client.frameworkId)!;
  assert.deepEqual(removed.completed_tasks.map((t) => [t.id, t.state]), [['sleeper', 'TASK_KILLED']]);
  assert.equal((await client.call('REVIVE')).body, 'Framework cannot be found');
  const again = await SimScheduler.open(sim.url, frameworkInfo({ id: { value: client.frameworkId } }));
  await again.end();
  assert.deepEqual(again.events.map(errorOf), ['Framework has been removed']);
});

test('TEARDOWN: 202, stream closed without ERROR, tasks killed, later calls 400', async () => {
  const client = await SimScheduler.subscribe(sim.url);
  const [offer] = await client.offers();
  await client.launch(offer!, [commandTask('torn', offer!, 'sleep 30')]);
  await client.expectStates('torn', ['TASK_STARTING', 'TASK_RUNNING']);
  assert.deepEqual(await client.call('TEARDOWN').then((a) => [a.status, a.body]), [202, '']);
  await client.end();
  assert.ok(!client.events.some((e) => e.type === 'ERROR'));
  assert.equal((await client.call('REVIVE')).body, 'Framework cannot be found');
  await eventually(() => (sim.state() as { slaves: { used_resources: { cpus: number } }[] }).slaves.every((s) => s.used_resources.cpus === 0), 5000);
});

test('re-SUBSCRIBE replaces suppressed roles and ignores user/checkpoint changes; UPDATE_FRAMEWORK refuses them with 400 and rescinds removed roles', async () => {
  const info = frameworkInfo({ roles: ['a', 'b'] });
  const first = await SimScheduler.subscribe(sim.url, info, { suppressed_roles: ['a', 'b'] });
  await expectNothing(first, (e) => e.type === 'OFFERS', 300);
  const second = await SimScheduler.subscribe(sim.url, { ...info, id: { value: first.frameworkId }, user: 'someone-else', checkpoint: false });
  await second.offers();
  const fw = (sim.state() as { frameworks: { id: string; user: string; checkpoint: boolean }[] }).frameworks.find((f) => f.id === first.frameworkId)!;
  assert.deepEqual([fw.user, fw.checkpoint], ['cron', true]);
  const full = { ...info, id: { value: first.frameworkId } };
  const update = (over: object) => second.call('UPDATE_FRAMEWORK', { update_framework: { framework_info: { ...full, ...over } } });
  assert.equal((await update({ user: 'x' })).status, 400);
  assert.equal((await update({ checkpoint: false })).status, 400);
  assert.equal((await update({ principal: 'p' })).status, 400);
  // Dropping role "a": its outstanding offers are rescinded.
  const offered = second.events.filter((e) => e.type === 'OFFERS').flatMap((e) => (e.type === 'OFFERS' ? (e.offers.offers ?? []) : []));
  const roleA = offered.filter((o) => o.allocation_info?.role === 'a').map((o) => o.id.value);
  assert.equal((await update({ roles: ['b'] })).status, 200);
  for (const id of roleA) await second.next((e) => e.type === 'RESCIND' && e.rescind.offer_id.value === id);
  await second.call('TEARDOWN');
});
