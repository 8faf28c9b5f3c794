/** Mesos sim: ACCEPT as a real 1.12 master handled it: update order, wrong agents, task groups (docs/mesos.md#accept-order, #sim). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Event, Offer } from '../../src/mesos/types.js';
import { SimScheduler, commandTask, frameworkInfo } from '../helpers/mesos-sim-client.js';

let sim: MesosSim;
let client: SimScheduler;
before(async () => {
  sim = await startMesosSim({ agents: 2, cpus: 1, mem: 1024, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50 });
  client = await SimScheduler.subscribe(sim.url, frameworkInfo({ capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }] }));
});
after(async () => {
  await client.call('TEARDOWN');
  await sim.close();
});

const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: { value } });
const updateIndex = (taskId: string, state: string): number =>
  client.events.findIndex((e: Event) => e.type === 'UPDATE' && e.update.status.task_id.value === taskId && e.update.status.state === state);

/** Both agents' offers, from one or more OFFERS events. */
async function offersOfBothAgents(): Promise<[Offer, Offer]> {
  const byAgent = new Map<string, Offer>();
  while (byAgent.size < 2) for (const offer of await client.offers()) byAgent.set(offer.agent_id.value, offer);
  return [...byAgent.values()] as [Offer, Offer];
}

/** The next offer; any others of the same event are declined without a filter. */
async function oneOffer(): Promise<Offer> {
  const [first, ...rest] = await client.offers();
  if (rest.length > 0) await client.call('DECLINE', { decline: { offer_ids: rest.map((o) => o.id), filters: { refuse_seconds: 0 } } });
  return first!;
}

const group = (executorResources: unknown[], tasks: unknown[]) => ({
  type: 'LAUNCH_GROUP',
  launch_group: {
    executor: { type: 'DEFAULT', executor_id: { value: 'grp' }, framework_id: { value: client.frameworkId }, resources: executorResources },
    task_group: { tasks },
  },
});

test('every TASK_ERROR of an ACCEPT comes before its agent updates; a wrong agent is named in its TASK_ERROR', async () => {
  const [offer, other] = await offersOfBothAgents();
  await client.call('DECLINE', { decline: { offer_ids: [other.id], filters: { refuse_seconds: 0 } } });
  await client.launch(offer, [
    commandTask('first-good', offer, 'true'),
    commandTask('too-big', offer, 'true', { resources: [scalar('cpus', 100)] }),
    commandTask('wrong-agent', offer, 'true', { agent_id: other.agent_id }),
  ], { refuse_seconds: 0 });
  const wrong = await client.update('wrong-agent', 'TASK_ERROR');
  const big = await client.update('too-big', 'TASK_ERROR');
  await client.expectStates('first-good', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  const firstAgentUpdate = updateIndex('first-good', 'TASK_STARTING');
  assert.ok(updateIndex('too-big', 'TASK_ERROR') < firstAgentUpdate && updateIndex('wrong-agent', 'TASK_ERROR') < firstAgentUpdate, 'master errors first');
  assert.equal(wrong.agent_id?.value, other.agent_id.value, "the task's own agent_id");
  assert.match(wrong.message!, new RegExp(`^Task uses invalid agent ${other.agent_id.value} while agent ${offer.agent_id.value} is expected$`));
  assert.equal(big.agent_id?.value, offer.agent_id.value);
});

test('RECONCILE_OPERATIONS answers 202 with an empty body', async () => {
  for (const body of [{ reconcile_operations: {} }, { reconcile_operations: { operations: [{ operation_id: { value: 'op-1' } }] } }]) {
    const answer = await client.call('RECONCILE_OPERATIONS', body);
    assert.deepEqual([answer.status, answer.body], [202, '']);
  }
});

test('LAUNCH_GROUP whose executor has no disk: the whole group TASK_ERROR "Executor \'<id>\' uses no disk"', async () => {
  const offer = await oneOffer();
  await client.call('ACCEPT', {
    accept: { offer_ids: [offer.id], operations: [group([scalar('cpus', 0.1), scalar('mem', 32)], [commandTask('nd-1', offer, 'true'), commandTask('nd-2', offer, 'true')])], filters: { refuse_seconds: 0 } },
  });
  for (const id of ['nd-1', 'nd-2']) {
    const status = await client.update(id, 'TASK_ERROR');
    assert.deepEqual([status.message, status.reason, status.source, status.uuid], ["Executor 'grp' uses no disk", 'REASON_TASK_GROUP_INVALID', 'SOURCE_MASTER', undefined]);
  }
});

test('an oversized group is checked on its total (tasks and executor), not task by task', async () => {
  const offer = await oneOffer();
  const half = (id: string) => commandTask(id, offer, 'true', { resources: [scalar('cpus', 0.5), scalar('mem', 32)] });
  await client.call('ACCEPT', {
    accept: { offer_ids: [offer.id], operations: [group([scalar('cpus', 0.1), scalar('mem', 32), scalar('disk', 32)], [half('big-1'), half('big-2')])], filters: { refuse_seconds: 0 } },
  });
  for (const id of ['big-1', 'big-2']) {
    const status = await client.update(id, 'TASK_ERROR');
    assert.equal(status.reason, 'REASON_TASK_GROUP_INVALID');
    assert.match(status.message!, /^Total resources .*cpus\(allocated: cron\):1\.1.* required by task group and its executor are more than available /);
  }
  // The same group with an executor that fits runs.
  const next = await oneOffer();
  const fits = (id: string) => commandTask(id, next, 'true', { resources: [scalar('cpus', 0.4), scalar('mem', 32)] });
  await client.call('ACCEPT', { accept: { offer_ids: [next.id], operations: [group([scalar('cpus', 0.1), scalar('mem', 32), scalar('disk', 32)], [fits('ok-1'), fits('ok-2')])], filters: { refuse_seconds: 0 } } });
  await client.expectStates('ok-1', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  await client.expectStates('ok-2', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
});
