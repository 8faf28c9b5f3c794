/** Mesos sim: real task processes, reliable updates, KILL, reconciliation, state, master restart (docs/mesos.md#acknowledgements, #kills, #reconciliation, #master-failover). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Offer } from '../../src/mesos/types.js';
import { SimScheduler, commandTask, expectNothing, frameworkInfo, isUpdate } from '../helpers/mesos-sim-client.js';

let sim: MesosSim;
before(async () => {
  sim = await startMesosSim({ agents: 2, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50, reliableRetryMs: 200 });
});
after(() => sim.close());

async function subscribeWithOffer(info = frameworkInfo()): Promise<{ client: SimScheduler; offer: Offer }> {
  const client = await SimScheduler.subscribe(sim.url, info);
  const [offer] = await client.offers();
  return { client, offer: offer! };
}

test('updates carry a v4 uuid, are retried until acknowledged, and the next one waits for the ack; env and argv tasks run', async () => {
  const { client, offer } = await subscribeWithOffer();
  await client.launch(offer, [
    commandTask('env-task', offer, 'echo "$GREETING from $MESOS_TASK_ID"; exit 3', { command: { shell: true, value: 'echo "$GREETING from $MESOS_TASK_ID"; exit 3', environment: { variables: [{ name: 'GREETING', value: 'hi' }] } } }),
  ]);
  const starting = await client.update('env-task', 'TASK_STARTING');
  const bytes = Buffer.from(starting.uuid!, 'base64');
  assert.equal(bytes.length, 16);
  assert.equal(bytes[6]! >> 4, 4);
  assert.equal(starting.source, 'SOURCE_EXECUTOR');
  // Not acknowledged: the same update comes again, and TASK_RUNNING is held back.
  const retry = await client.update('env-task', 'TASK_STARTING', 2000);
  assert.equal(retry.uuid, starting.uuid);
  assert.ok(!client.events.some(isUpdate('env-task', 'TASK_RUNNING')));
  await client.ack(starting);
  await client.expectStates('env-task', ['TASK_RUNNING']);
  const failed = await client.update('env-task', 'TASK_FAILED');
  assert.equal(failed.message, 'Command exited with status 3');
  // Terminal but unacknowledged: still live, so the id cannot be reused and implicit reconciliation reports it.
  await client.call('RECONCILE', { reconcile: {} });
  const implicit = await client.next((e) => isUpdate('env-task')(e) && e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION');
  assert.equal(implicit.type === 'UPDATE' && implicit.update.status.state, 'TASK_FAILED');
  await client.ack(failed);
  await client.call('RECONCILE', { reconcile: {} });
  await expectNothing(client, (e) => e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION' && client.events.filter((x) => x.type === 'UPDATE' && x.update.status.reason === 'REASON_RECONCILIATION').length > 1, 200);
  const [next] = await client.offers();
  await client.launch(next!, [commandTask('argv', next!, '', { command: { shell: false, value: '/bin/echo', arguments: ['echo', 'a', 'b'] } })]);
  await client.expectStates('argv', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  await client.call('TEARDOWN');
});

test('KILL: TASK_KILLING then TASK_KILLED; wrong agent ignored; unknown task TASK_UNKNOWN (PA) / TASK_LOST', async () => {
  const { client, offer } = await subscribeWithOffer();
  await client.launch(offer, [commandTask('victim', offer, 'sleep 30')]);
  await client.expectStates('victim', ['TASK_STARTING', 'TASK_RUNNING']);
  await client.call('KILL', { kill: { task_id: { value: 'victim' }, agent_id: { value: 'someone-else' } } });
  await expectNothing(client, isUpdate('victim', 'TASK_KILLING'), 200);
  await client.call('KILL', { kill: { task_id: { value: 'victim' }, agent_id: offer.agent_id } });
  await client.expectStates('victim', ['TASK_KILLING', 'TASK_KILLED']);
  await client.call('KILL', { kill: { task_id: { value: 'ghost-1' } } });
  const ghost = await client.update('ghost-1');
  assert.deepEqual([ghost.state, ghost.reason, ghost.source, ghost.uuid, ghost.message], ['TASK_UNKNOWN', 'REASON_RECONCILIATION', 'SOURCE_MASTER', undefined, 'Reconciliation: Task is unknown']);
  await client.call('TEARDOWN');
  const legacy = await SimScheduler.subscribe(sim.url, frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }] }));
  await legacy.call('KILL', { kill: { task_id: { value: 'ghost-2' } } });
  assert.equal((await legacy.update('ghost-2')).state, 'TASK_LOST');
  await legacy.call('TEARDOWN');
});

test('KILL escalates to SIGKILL after the kill_policy grace period when TERM is ignored', async () => {
  const { client, offer } = await subscribeWithOffer(frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }] }));
  await client.launch(offer, [commandTask('term-ignorer', offer, "trap '' TERM; echo ready; while true; do sleep 0.1; done")]);
  await client.expectStates('term-ignorer', ['TASK_STARTING', 'TASK_RUNNING']);
  await client.call('KILL', { kill: { task_id: { value: 'term-ignorer' }, kill_policy: { grace_period: { nanoseconds: 300_000_000 } } } });
  const killed = await client.update('term-ignorer', 'TASK_KILLED', 3000);
  assert.ok(!client.events.some(isUpdate('term-ignorer', 'TASK_KILLING')));
  assert.ok(killed.uuid);
  await client.call('TEARDOWN');
});

test('explicit RECONCILE: known task latest state; unknown on a registered agent TASK_GONE; unknown agent TASK_UNKNOWN; all without uuid', async () => {
  const { client, offer } = await subscribeWithOffer();
  await client.launch(offer, [commandTask('known', offer, 'sleep 30')]);
  await client.expectStates('known', ['TASK_STARTING', 'TASK_RUNNING']);
  await client.call('RECONCILE', {
    reconcile: { tasks: [{ task_id: { value: 'known' }, agent_id: offer.agent_id }, { task_id: { value: 'never' }, agent_id: offer.agent_id }, { task_id: { value: 'never-2' } }, { task_id: { value: 'never-3' }, agent_id: { value: 'nope' } }] },
  });
  const known = await client.update('known', 'TASK_RUNNING');
  assert.deepEqual([known.message, known.reason, known.source, known.uuid], ['Reconciliation: Latest task state', 'REASON_RECONCILIATION', 'SOURCE_MASTER', undefined]);
  const never = await client.update('never');
  assert.deepEqual([never.state, never.message, never.agent_id?.value], ['TASK_GONE', 'Reconciliation: Task is unknown to the agent', offer.agent_id.value]);
  assert.equal((await client.update('never-2')).state, 'TASK_UNKNOWN');
  assert.equal((await client.update('never-3')).state, 'TASK_UNKNOWN');
  await client.call('TEARDOWN');
});

test('implicit RECONCILE reports every live task, running and unacknowledged terminal ones alike', async () => {
  const { client, offer } = await subscribeWithOffer();
  await client.launch(offer, [commandTask('live', offer, 'sleep 30'), commandTask('done', offer, 'true')]);
  await client.expectStates('live', ['TASK_STARTING', 'TASK_RUNNING']);
  await client.expectStates('done', ['TASK_STARTING', 'TASK_RUNNING']);
  await client.update('done', 'TASK_FINISHED');
  await client.call('RECONCILE', { reconcile: { tasks: [] } });
  const answers = new Map<string, string>();
  for (let i = 0; i < 2; i++) {
    const e = await client.next((x) => x.type === 'UPDATE' && x.update.status.reason === 'REASON_RECONCILIATION');
    if (e.type === 'UPDATE') answers.set(e.update.status.task_id.value, e.update.status.state);
  }
  assert.deepEqual(Object.fromEntries(answers), { live: 'TASK_RUNNING', done: 'TASK_FINISHED' });
  await client.call('TEARDOWN');
});

test('/master/state: active frameworks, tasks with resources and statuses, agents with used resources', async () => {
  const { client, offer } = await subscribeWithOffer(frameworkInfo({ name: 'moroccron-state' }));
  await client.launch(offer, [commandTask('stateful', offer, 'sleep 30')]);
  await client.expectStates('stateful', ['TASK_STARTING', 'TASK_RUNNING']);
  const state = (await (await fetch(`${sim.url}/master/state`)).json()) as {
    id: string;
    frameworks: { id: string; name: string; active: boolean; roles: string[]; capabilities: string[]; tasks: { id: string; state: string; resources: { cpus: number; mem: number }; statuses: { state: string }[] }[] }[];
    slaves: { id: string; used_resources: { cpus: number }; attributes: Record<string, string>; active: boolean }[];
  };
  assert.equal(state.id, sim.masterId);
  const fw = state.frameworks.find((f) => f.id === client.frameworkId)!;
  assert.deepEqual([fw.name, fw.active, fw.roles], ['moroccron-state', true, ['cron']]);
  assert.ok(fw.capabilities.includes('PARTITION_AWARE'));
  const [task] = fw.tasks;
  assert.deepEqual([task!.id, task!.state, task!.resources.cpus, task!.resources.mem], ['stateful', 'TASK_RUNNING', 0.1, 32]);
  assert.deepEqual(task!.statuses.map((s) => s.state), ['TASK_STARTING', 'TASK_RUNNING']);
  const agent = state.slaves.find((s) => s.id === offer.agent_id.value)!;
  assert.equal(agent.used_resources.cpus, 0.1);
  assert.equal(agent.active, true);
  assert.equal((sim.state() as { id: string }).id, state.id);
  await client.call('TEARDOWN');
});

test('restartMaster: streams end, tasks keep running, re-subscribe with the old id works, recovering agents get no reconcile answer, then updates flow', async () => {
  const { client, offer } = await subscribeWithOffer();
  await client.launch(offer, [commandTask('survivor', offer, 'sleep 1; echo done')]);
  await client.expectStates('survivor', ['TASK_STARTING', 'TASK_RUNNING']);
  const oldMaster = sim.masterId;
  await sim.restartMaster();
  await client.end();
  assert.notEqual(sim.masterId, oldMaster);
  const again = await SimScheduler.subscribe(sim.url, frameworkInfo({ id: { value: client.frameworkId } }));
  assert.equal(again.frameworkId, client.frameworkId);
  // Agents have not re-registered yet: the unknown task on a recovering agent gets no answer.
  await again.call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'nobody' }, agent_id: offer.agent_id }] } });
  await expectNothing(again, isUpdate('nobody'), 100);
  const finished = await again.update('survivor', 'TASK_FINISHED', 5000);
  await again.ack(finished);
  await again.call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'nobody' }, agent_id: offer.agent_id }] } });
  assert.equal((await again.update('nobody')).state, 'TASK_GONE');
  await again.call('TEARDOWN');
});

test("partition: TASK_UNREACHABLE with unreachable_time, offers rescinded, updates held; the heal reports the agent's state, then the held updates", async () => {
  const { client, offer } = await subscribeWithOffer();
  const agentId = offer.agent_id.value;
  await client.launch(offer, [commandTask('cut-off', offer, 'sleep 0.5; exit 0')]);
  await client.expectStates('cut-off', ['TASK_STARTING', 'TASK_RUNNING']);
  const before = Date.now();
  sim.partitionAgent(agentId);
  try {
    const unreachable = await client.update('cut-off', 'TASK_UNREACHABLE');
    assert.equal(unreachable.reason, 'REASON_AGENT_REMOVED');
    assert.equal(unreachable.source, 'SOURCE_MASTER');
    assert.equal(unreachable.uuid, undefined, 'master-generated: nothing to acknowledge');
    const lostAt = Math.round(unreachable.unreachable_time!.nanoseconds / 1e6);
    assert.ok(lostAt >= before && lostAt <= Date.now(), 'unreachable_time is when the master lost the agent');
    // While cut off: explicit reconciliation and KILL answer TASK_UNREACHABLE, implicit says nothing, the exit is held.
    await client.call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'cut-off' }, agent_id: offer.agent_id }] } });
    const answer = await client.update('cut-off', 'TASK_UNREACHABLE');
    assert.equal(answer.reason, 'REASON_RECONCILIATION');
    assert.equal(answer.unreachable_time!.nanoseconds, unreachable.unreachable_time!.nanoseconds);
    await client.call('RECONCILE', { reconcile: {} });
    const reconciled = (e: Parameters<ReturnType<typeof isUpdate>>[0]) =>
      isUpdate('cut-off')(e) && e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION' && e.update.status.state !== 'TASK_UNREACHABLE';
    await expectNothing(client, reconciled, 300);
    await new Promise((r) => setTimeout(r, 800));
    assert.ok(!client.events.some(isUpdate('cut-off', 'TASK_FINISHED')), 'the exit waits for the partition to heal');
    type FrameworkState = { id: string; tasks: unknown[]; unreachable_tasks: { id: string; state: string }[] };
    const fw = (sim.state() as { frameworks: FrameworkState[] }).frameworks.find((f) => f.id === client.frameworkId)!;
    assert.deepEqual(fw.unreachable_tasks.map((t) => [t.id, t.state]), [['cut-off', 'TASK_UNREACHABLE']]);
    assert.equal(fw.tasks.length, 0);
  } finally {
    sim.healAgent(agentId);
  }
  const reregistered = await client.next((e) => isUpdate('cut-off')(e) && e.type === 'UPDATE' && e.update.status.reason === 'REASON_AGENT_REREGISTERED');
  const back = (reregistered as Extract<typeof reregistered, { type: 'UPDATE' }>).update.status;
  assert.deepEqual([back.state, back.source, back.uuid, back.message], ['TASK_FINISHED', 'SOURCE_MASTER', undefined, 'Unreachable agent re-reregistered'], 'the state the agent gives, from the master');
  const own = await client.next((e) => isUpdate('cut-off', 'TASK_FINISHED')(e) && e.type === 'UPDATE' && e.update.status.uuid !== undefined);
  const held = (own as Extract<typeof own, { type: 'UPDATE' }>).update.status;
  assert.equal(held.message, 'Command exited with status 0', "then the agent's own update, held through the partition");
  await client.ack(held);
  await client.call('TEARDOWN');
});

test('partition, not partition-aware: the master says TASK_LOST', async () => {
  const info = frameworkInfo({ name: 'legacy', capabilities: [{ type: 'MULTI_ROLE' }] });
  const { client, offer } = await subscribeWithOffer(info);
  await client.launch(offer, [commandTask('old-style', offer, 'sleep 5')]);
  await client.expectStates('old-style', ['TASK_STARTING', 'TASK_RUNNING']);
  sim.partitionAgent(offer.agent_id.value);
  try {
    const lost = await client.update('old-style', 'TASK_LOST');
    assert.equal(lost.unreachable_time, undefined);
  } finally {
    sim.healAgent(offer.agent_id.value);
  }
  await client.update('old-style', 'TASK_RUNNING');
  await client.call('TEARDOWN');
});
