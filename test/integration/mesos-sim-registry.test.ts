/**
 * Mesos sim: a master restarted with the in-memory registry knows no agent until each re-registers
 * (docs/mesos.md#master-failover); the replicated-log registry (the default) is covered in mesos-sim-tasks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Event, TaskStatus } from '../../src/mesos/types.js';
import { SimScheduler, agentTaskState, agentUrlOf, commandTask, eventually, expectNothing, frameworkInfo, isUpdate } from '../helpers/mesos-sim-client.js';

/** Long enough for every check of the window to finish before the agent comes back. */
const REREGISTER_DELAY_MS = 6000;

let sim: MesosSim;
before(async () => {
  sim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50, reliableRetryMs: 200 });
});
after(() => sim.close());

interface StateJson {
  slaves: { id: string }[];
  recovered_slaves: { id: string }[];
}
const stateJson = (): StateJson => sim.state() as StateJson;
const statusOf = (e: Event): TaskStatus | undefined => (e.type === 'UPDATE' ? e.update.status : undefined);
const reregistered = (taskId: string) => (e: Event): boolean => isUpdate(taskId)(e) && statusOf(e)?.reason === 'REASON_AGENT_REREGISTERED';

test('in-memory registry: no agents, TASK_UNKNOWN at once, KILL kills nothing, updates held; re-registration reports every task, then the held updates', async () => {
  const client = await SimScheduler.subscribe(sim.url);
  const [offer] = await client.offers();
  const agentId = offer!.agent_id;
  await client.launch(offer!, [commandTask('long', offer!, 'sleep 30'), commandTask('short', offer!, 'sleep 0.3')]);
  await client.expectStates('long', ['TASK_STARTING', 'TASK_RUNNING']);
  await client.expectStates('short', ['TASK_STARTING', 'TASK_RUNNING']);

  await sim.restartMaster({ registry: 'in-memory', agentReregisterDelayMs: REREGISTER_DELAY_MS });
  await client.end();
  assert.deepEqual([stateJson().slaves, stateJson().recovered_slaves], [[], []]);
  const again = await SimScheduler.subscribe(sim.url, frameworkInfo({ id: { value: client.frameworkId } }));
  assert.equal(again.frameworkId, client.frameworkId, 'the old framework id is accepted and kept');

  // Explicit reconciliation answers at once: the task is unknown (agent_id only when the framework gave one).
  await again.call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'long' } }, { task_id: { value: 'short' }, agent_id: agentId }] } });
  const unknown = await again.update('long', 'TASK_UNKNOWN');
  assert.deepEqual(
    [unknown.message, unknown.reason, unknown.source, unknown.agent_id, unknown.uuid],
    ['Reconciliation: Task is unknown', 'REASON_RECONCILIATION', 'SOURCE_MASTER', undefined, undefined],
  );
  assert.equal((await again.update('short', 'TASK_UNKNOWN')).agent_id?.value, agentId.value);
  // KILL in the window: TASK_UNKNOWN, and the task is not killed.
  await again.call('KILL', { kill: { task_id: { value: 'long' } } });
  assert.equal((await again.update('long', 'TASK_UNKNOWN')).reason, 'REASON_RECONCILIATION');
  // Implicit reconciliation knows nothing; no offers from the unknown agent.
  await again.call('RECONCILE', { reconcile: {} });
  await expectNothing(again, (e) => e.type === 'OFFERS' || (statusOf(e)?.reason === 'REASON_RECONCILIATION' && statusOf(e)?.state !== 'TASK_UNKNOWN'), 300);
  // "short" finishes meanwhile; its update waits on the agent.
  await eventually(async () => (await agentTaskState(agentUrlOf(offer!), 'short')) === 'TASK_FINISHED', 5000, '"short" to finish on the agent');
  assert.equal(stateJson().slaves.length, 0, `the agent re-registered before the checks were done; raise REREGISTER_DELAY_MS`);
  assert.ok(!again.events.some(isUpdate('short', 'TASK_FINISHED')));

  const shortBack = statusOf(await again.next(reregistered('short'), REREGISTER_DELAY_MS + 5000))!;
  assert.deepEqual(
    [shortBack.state, shortBack.source, shortBack.message, shortBack.uuid, shortBack.agent_id?.value],
    ['TASK_FINISHED', 'SOURCE_MASTER', 'Unknown agent reregistered', undefined, agentId.value],
  );
  const longBack = statusOf(await again.next(reregistered('long')))!;
  assert.equal(longBack.state, 'TASK_RUNNING', 'the KILL in the window did not reach the agent');
  const held = await again.next((e) => isUpdate('short', 'TASK_FINISHED')(e) && statusOf(e)?.uuid !== undefined);
  assert.ok(again.events.indexOf(held) > again.events.findIndex(reregistered('short')), 'the held update comes after the report');
  await again.ack(statusOf(held)!);
  assert.equal(stateJson().slaves.length, 1);
  await again.offers();
  await again.call('KILL', { kill: { task_id: { value: 'long' } } });
  await again.expectStates('long', ['TASK_KILLING', 'TASK_KILLED']);
  await again.call('TEARDOWN');
});
