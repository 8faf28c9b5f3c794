/**
 * Mesos sim: what /master/state says of a task whose updates wait for acknowledgements (docs/mesos.md#master-state).
 * The master knows a task as the agent last reported it, when forwarding an update: a task that
 * finished while its first update is unacknowledged still shows, and holds its resources, as before.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { SimScheduler, agentTaskState, agentUrlOf, commandTask, eventually, expectNothing, isUpdate } from '../helpers/mesos-sim-client.js';

interface TaskJson {
  id: string;
  state: string;
}
interface StateJson {
  frameworks: { id: string; tasks: TaskJson[]; completed_tasks: TaskJson[]; used_resources: { cpus: number } }[];
  slaves: { id: string; used_resources: { cpus: number } }[];
}

let sim: MesosSim;
before(async () => {
  // No re-send of unacknowledged updates during the test: the master hears only what is forwarded.
  sim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50, reliableRetryMs: 60_000 });
});
after(() => sim.close());

const stateJson = async (): Promise<StateJson> => (await (await fetch(`${sim.url}/master/state`)).json()) as StateJson;

test('an unacknowledged TASK_STARTING keeps a finished task STARTING in /master/state, with its resources, out of completed_tasks', async () => {
  const client = await SimScheduler.subscribe(sim.url);
  const [offer] = await client.offers();
  const agentUrl = agentUrlOf(offer!);
  await client.launch(offer!, [commandTask('quick', offer!, 'true')]);
  const starting = await client.update('quick', 'TASK_STARTING');
  await eventually(async () => (await agentTaskState(agentUrl, 'quick')) === 'TASK_FINISHED', 5000, 'the task to finish on the agent');

  const view = async (): Promise<{ task: TaskJson | undefined; completed: TaskJson | undefined; agentCpus: number; frameworkCpus: number }> => {
    const state = await stateJson();
    const fw = state.frameworks.find((f) => f.id === client.frameworkId)!;
    return {
      task: fw.tasks.find((t) => t.id === 'quick'),
      completed: fw.completed_tasks.find((t) => t.id === 'quick'),
      agentCpus: state.slaves.find((s) => s.id === offer!.agent_id.value)!.used_resources.cpus,
      frameworkCpus: fw.used_resources.cpus,
    };
  };
  const held = await view();
  assert.equal(held.task?.state, 'TASK_STARTING');
  assert.deepEqual([held.completed, held.agentCpus, held.frameworkCpus], [undefined, 0.1, 0.1]);
  // Nothing else reached the framework: the agent holds RUNNING and FINISHED behind STARTING.
  await expectNothing(client, (e) => isUpdate('quick')(e) && e.type === 'UPDATE' && e.update.status.state !== 'TASK_STARTING', 200);

  // Forwarding TASK_RUNNING carries the agent's latest state: the master now knows the task ended.
  await client.ack(starting);
  const running = await client.update('quick', 'TASK_RUNNING');
  const afterRunning = await view();
  assert.equal(afterRunning.task?.state, 'TASK_FINISHED');
  assert.deepEqual([afterRunning.completed, afterRunning.agentCpus], [undefined, 0]);
  // Reconciliation reports the state of the latest forwarded update.
  await client.call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'quick' } }] } });
  const reconciled = await client.next((e) => isUpdate('quick')(e) && e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION');
  assert.equal(reconciled.type === 'UPDATE' && reconciled.update.status.state, 'TASK_RUNNING');

  await client.ack(running);
  const finished = await client.update('quick', 'TASK_FINISHED');
  assert.equal((await view()).completed, undefined, 'still active until the terminal update is acknowledged');
  await client.ack(finished);
  await eventually(async () => (await view()).completed?.state === 'TASK_FINISHED', 5000, 'the task to move to completed_tasks');
  assert.equal((await view()).task, undefined);
  await client.call('TEARDOWN');
});
