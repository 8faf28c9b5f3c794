/** Mesos sim: offers, ACCEPT validation, filters, suppress/revive, offer timeout (docs/mesos.md#offers). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Offer } from '../../src/mesos/types.js';
import { SimScheduler, commandTask, expectNothing, frameworkInfo } from '../helpers/mesos-sim-client.js';

let sim: MesosSim;
before(async () => {
  sim = await startMesosSim({ agents: 2, cpus: 2, mem: 1024, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50 });
});
after(() => sim.close());

const isOffers = (e: { type: string }): boolean => e.type === 'OFFERS';

test('offers: one per agent and role with resources, url and attributes; allocation_info only for MULTI_ROLE', async () => {
  const multi = await SimScheduler.subscribe(sim.url);
  const offers = await multi.offers();
  assert.equal(offers.length, 2);
  const [offer] = offers as [Offer];
  assert.equal(offer.allocation_info?.role, 'cron');
  assert.deepEqual(offer.resources.map((r) => [r.name, r.scalar?.value ?? r.ranges?.range, r.allocation_info?.role]), [
    ['cpus', 2, 'cron'], ['mem', 1024, 'cron'], ['disk', 20480, 'cron'], ['ports', [{ begin: 31000, end: 32000 }], 'cron'],
  ]);
  assert.deepEqual(offer.attributes, [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }]);
  const files = await fetch(`http://${offer.url!.address.ip}:${offer.url!.address.port}/files/read?path=/nothing`);
  assert.equal(files.status, 404);
  await multi.call('TEARDOWN');
  const legacy = await SimScheduler.subscribe(sim.url, { user: 'u', name: 'legacy' });
  const [plain] = await legacy.offers();
  assert.equal(plain!.allocation_info, undefined);
  assert.ok(plain!.resources.every((r) => r.allocation_info === undefined && r.role === '*'));
  await legacy.call('TEARDOWN');
});

test('ACCEPT with invalid offers: TASK_DROPPED (PA) / TASK_LOST, REASON_INVALID_OFFERS, no uuid; valid offers come back unfiltered', async () => {
  const pa = await SimScheduler.subscribe(sim.url);
  const offers = await pa.offers();
  const [a, b] = offers as [Offer, Offer];
  await pa.call('ACCEPT', { accept: { offer_ids: [a.id, b.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [commandTask('two-agents', a, 'true')] } }] } });
  const spanning = await pa.update('two-agents');
  assert.deepEqual([spanning.state, spanning.reason, spanning.source, spanning.uuid], ['TASK_DROPPED', 'REASON_INVALID_OFFERS', 'SOURCE_MASTER', undefined]);
  assert.match(spanning.message!, /^Task launched with invalid offers: Aggregated offers must belong to one single agent/);
  // Both offers were returned without a filter, so they come back.
  const again = await pa.offers();
  assert.equal(again.length, 2);
  await pa.call('ACCEPT', { accept: { offer_ids: [{ value: 'unknown-offer' }], operations: [{ type: 'LAUNCH', launch: { task_infos: [commandTask('unknown', a, 'true')] } }] } });
  assert.equal((await pa.update('unknown')).message, 'Task launched with invalid offers: Offer unknown-offer is no longer valid');
  await pa.call('ACCEPT', { accept: { offer_ids: [], operations: [{ type: 'LAUNCH', launch: { task_infos: [commandTask('empty', a, 'true')] } }] } });
  assert.equal((await pa.update('empty')).message, 'Task launched with invalid offers: No offers specified');
  const c = again[0]!;
  await pa.call('ACCEPT', { accept: { offer_ids: [c.id, c.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [commandTask('dup', c, 'true')] } }] } });
  assert.equal((await pa.update('dup')).reason, 'REASON_INVALID_OFFERS');
  await pa.call('TEARDOWN');
  const legacy = await SimScheduler.subscribe(sim.url, frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }] }));
  const [offer] = await legacy.offers();
  await legacy.call('DECLINE', { decline: { offer_ids: [offer!.id], filters: { refuse_seconds: 0 } } });
  await legacy.launch(offer!, [commandTask('used', offer!, 'true')]);
  const lost = await legacy.update('used');
  assert.deepEqual([lost.state, lost.uuid], ['TASK_LOST', undefined]);
  await legacy.call('TEARDOWN');
});

test('per-task validation: oversized, duplicate, wrong agent, no resources, command+executor, bad id, operation id; others still launch', async () => {
  const client = await SimScheduler.subscribe(sim.url);
  const [offer, other] = (await client.offers()) as [Offer, Offer];
  const big = commandTask('big', offer, 'true', { resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1000 } }] });
  await client.launch(offer, [
    commandTask('good', offer, 'true'),
    big,
    commandTask('good', offer, 'true'),
    commandTask('elsewhere', other, 'true'),
    commandTask('nothing', offer, 'true', { resources: [] }),
    commandTask('both', offer, 'true', { executor: { executor_id: { value: 'e' }, command: { value: 'x' } } }),
    { ...commandTask('neither', offer, 'true'), command: undefined },
    commandTask('bad/id', offer, 'true'),
  ]);
  const expectError = async (id: string, pattern: RegExp): Promise<void> => {
    const status = await client.update(id, 'TASK_ERROR');
    assert.deepEqual([status.reason, status.source, status.uuid], ['REASON_TASK_INVALID', 'SOURCE_MASTER', undefined], id);
    assert.match(status.message!, pattern, id);
  };
  await expectError('big', /more than available/);
  await expectError('good', /^Task has duplicate ID: good$/);
  await expectError('elsewhere', /^Task uses invalid agent .* while agent .* is expected$/);
  await expectError('nothing', /^Task uses no resources$/);
  await expectError('both', /at least one \(but not both\) of CommandInfo or ExecutorInfo/);
  await expectError('neither', /at least one \(but not both\) of CommandInfo or ExecutorInfo/);
  await expectError('bad/id', /invalid/);
  await client.expectStates('good', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  const [next] = await client.offers();
  await client.call('ACCEPT', { accept: { offer_ids: [next!.id], operations: [{ type: 'LAUNCH', id: { value: 'op' }, launch: { task_infos: [commandTask('with-op-id', next!, 'true')] } }] } });
  assert.equal((await client.update('with-op-id', 'TASK_ERROR')).reason, 'REASON_TASK_INVALID');
  await client.call('TEARDOWN');
});

test('LAUNCH_GROUP: one bad task fails the whole group with REASON_TASK_GROUP_INVALID; a good group runs as separate processes', async () => {
  const client = await SimScheduler.subscribe(sim.url);
  const [offer] = (await client.offers()) as [Offer];
  const executor = {
    type: 'DEFAULT',
    executor_id: { value: 'grp-exec' },
    framework_id: { value: client.frameworkId },
    resources: ['cpus', 'mem', 'disk'].map((name, i) => ({ name, type: 'SCALAR', scalar: { value: [0.1, 32, 32][i] } })),
  };
  const group = (tasks: unknown[]) => ({ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks } } });
  await client.call('ACCEPT', {
    accept: { offer_ids: [offer.id], operations: [group([commandTask('g-ok', offer, 'true'), commandTask('g-bad', offer, 'true', { resources: [] })])], filters: { refuse_seconds: 0 } },
  });
  for (const id of ['g-ok', 'g-bad']) assert.equal((await client.update(id, 'TASK_ERROR')).reason, 'REASON_TASK_GROUP_INVALID');
  const next = (await client.offers()).find((o) => o.agent_id.value === offer.agent_id.value)!;
  await client.call('ACCEPT', { accept: { offer_ids: [next.id], operations: [group([commandTask('g1', next, 'echo one'), commandTask('g2', next, 'echo two')])] } });
  await client.expectStates('g1', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  const g2 = await client.expectStates('g2', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  assert.equal(g2[0]!.executor_id?.value, 'grp-exec');
  await client.call('TEARDOWN');
});

test('refuse filters: refuse_seconds 0 re-offers at once, 3600 withholds until REVIVE; unused ACCEPT resources are declined', async () => {
  const client = await SimScheduler.subscribe(sim.url);
  const offers = await client.offers();
  const [first] = offers as [Offer];
  const ids = offers.map((o) => o.id);
  await client.call('DECLINE', { decline: { offer_ids: ids, filters: { refuse_seconds: 0 } } });
  const back = await client.offers();
  assert.equal(back.length, 2);
  await client.call('DECLINE', { decline: { offer_ids: back.map((o) => o.id), filters: { refuse_seconds: 3600 } } });
  await expectNothing(client, (e) => isOffers(e) && client.events.filter(isOffers).length > 2, 300);
  await client.call('REVIVE');
  const revived = await client.offers(2000);
  assert.ok(revived.length >= 1);
  // ACCEPT uses a little; the rest is declined with the accept's long filter and not re-offered.
  const target = revived.find((o) => o.agent_id.value === first.agent_id.value) ?? revived[0]!;
  await client.launch(target, [commandTask('small', target, 'sleep 5')], { refuse_seconds: 3600 });
  await client.expectStates('small', ['TASK_STARTING', 'TASK_RUNNING']);
  const before = client.events.filter(isOffers).length;
  await client.call('DECLINE', { decline: { offer_ids: revived.filter((o) => o !== target).map((o) => o.id), filters: { refuse_seconds: 3600 } } });
  await expectNothing(client, () => client.events.filter(isOffers).length > before, 300);
  await client.call('TEARDOWN');
});

test('SUPPRESS stops offers without rescinding; REVIVE brings them back; a foreign role drops the whole call', async () => {
  const client = await SimScheduler.subscribe(sim.url);
  const offers = await client.offers();
  await client.call('SUPPRESS');
  await client.call('DECLINE', { decline: { offer_ids: offers.map((o) => o.id), filters: { refuse_seconds: 0 } } });
  await expectNothing(client, (e) => e.type === 'RESCIND' || (isOffers(e) && client.events.filter(isOffers).length > 1), 300);
  assert.equal((await client.call('REVIVE', { revive: { roles: ['cron', 'not-mine'] } })).status, 202);
  await expectNothing(client, () => client.events.filter(isOffers).length > 1, 300);
  for (const [type, body] of [
    ['ACKNOWLEDGE', { acknowledge: { agent_id: { value: 'ghost' }, task_id: { value: 't' }, uuid: 'PyuMHppNTm+LIXxdDp+hIw==' } }],
    ['SHUTDOWN', { shutdown: { agent_id: { value: 'ghost' }, executor_id: { value: 'e' } } }],
    ['MESSAGE', { message: { agent_id: { value: 'ghost' }, executor_id: { value: 'e' }, data: 'aGk=' } }],
    ['DECLINE', { decline: { offer_ids: [{ value: 'stale' }] } }],
  ] as const) {
    assert.equal((await client.call(type, body)).status, 202);
  }
  const count = client.events.length;
  await client.call('REVIVE', { revive: { roles: ['cron'] } });
  await client.next((e) => isOffers(e) && client.events.indexOf(e) >= count, 2000);
  assert.ok(client.events.slice(count).every((e) => e.type === 'OFFERS' || e.type === 'HEARTBEAT'));
  await client.call('TEARDOWN');
});

test('offer timeout: RESCIND after the timeout, and the resources come back to the same framework', async () => {
  const timed = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50, offerTimeoutMs: 200 });
  try {
    const client = await SimScheduler.subscribe(timed.url);
    const [offer] = await client.offers();
    const rescind = await client.next((e) => e.type === 'RESCIND', 2000);
    assert.equal(rescind.type === 'RESCIND' && rescind.rescind.offer_id.value, offer!.id.value);
    const [again] = await client.offers(2000);
    assert.equal(again!.agent_id.value, offer!.agent_id.value);
    assert.notEqual(again!.id.value, offer!.id.value);
    client.close();
  } finally {
    await timed.close();
  }
});
