/** Mesos sim: a call of type UNKNOWN aborts the master, as a real 1.12 master did (docs/mesos.md#unknown-call). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { SimScheduler, agentUrlOf, commandTask, eventually, frameworkInfo, post } from '../helpers/mesos-sim-client.js';

let sim: MesosSim;
const logs: string[] = [];
before(async () => {
  sim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50, reliableRetryMs: 200, logger: (line) => logs.push(line) });
});
after(() => sim.close());

const refused = async (url: string): Promise<boolean> => {
  try {
    await fetch(url);
    return false;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
  }
};

test('UNKNOWN: no answer, every connection dropped, the port refuses; agents and tasks live on; a restarted master gets the held updates', async () => {
  const client = await SimScheduler.subscribe(sim.url);
  const [offer] = await client.offers();
  await client.launch(offer!, [commandTask('survivor', offer!, 'sleep 1; echo done')]);
  await client.expectStates('survivor', ['TASK_STARTING', 'TASK_RUNNING']);
  // A framework the master does not know is turned away before the call is counted: no abort.
  const stranger = await post(sim.url, { type: 'UNKNOWN', framework_id: { value: 'nobody-0000' } });
  assert.deepEqual([stranger.status, stranger.body], [400, 'Framework cannot be found']);

  await assert.rejects(client.call('UNKNOWN'), 'the request gets no HTTP answer');
  await client.end();
  await eventually(() => refused(`${sim.url}/master/state`), 5000, 'the master port to refuse connections');
  assert.ok(logs.some((l) => /aborted: Check failed: call_types\.contains\(callType\)/.test(l)), logs.join('\n'));
  const files = await fetch(`${agentUrlOf(offer!)}/files/read?path=/frameworks/${client.frameworkId}/executors/survivor/runs/latest/stdout`);
  assert.equal(files.status, 200, 'the agent still answers');

  await sim.restartMaster();
  const again = await SimScheduler.subscribe(sim.url, frameworkInfo({ id: { value: client.frameworkId } }));
  assert.equal(again.frameworkId, client.frameworkId);
  const finished = await again.update('survivor', 'TASK_FINISHED', 5000);
  assert.ok(finished.uuid, "the agent's own update, held while no master ran");
  await again.ack(finished);
  await again.call('TEARDOWN');
});
