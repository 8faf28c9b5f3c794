/**
 * Mesos sim, `taskMode: 'simulated'` (`mesos-sim --task-mode simulated`): no process runs; a
 * task goes STARTING, RUNNING, then FINISHED after the task duration, with the same reliable
 * updates, acknowledgements, kills, reconciliation, partitions and failovers as a real task.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Offer, TaskStatus } from '../../src/mesos/types.js';
import { SimScheduler, agentUrlOf, commandTask, expectNothing, frameworkInfo, isUpdate, readSandboxFile } from '../helpers/mesos-sim-client.js';

/** Tasks of 1 s: they end while the test watches. */
let quick: MesosSim;
/** Tasks of 10 minutes: they run until killed. */
let slow: MesosSim;
const workDir = mkdtempSync(join(tmpdir(), 'mesos-sim-simulated-'));
const marker = join(workDir, 'the-command-ran');

before(async () => {
  const common = { agents: 2, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50, reliableRetryMs: 200, taskMode: 'simulated' as const };
  quick = await startMesosSim({ ...common, taskDurationMs: 1000, workDir });
  slow = await startMesosSim({ ...common, taskDurationMs: 600_000 });
});
after(async () => {
  await Promise.all([quick.close(), slow.close()]);
  rmSync(workDir, { recursive: true, force: true });
});

async function subscribeWithOffer(sim: MesosSim, info = frameworkInfo()): Promise<{ client: SimScheduler; offer: Offer }> {
  const client = await SimScheduler.subscribe(sim.url, info);
  const [offer] = await client.offers();
  return { client, offer: offer! };
}

const containerOf = (status: TaskStatus): string | undefined => (status as { container_status?: { container_id: { value: string } } }).container_status?.container_id.value;

test('STARTING, RUNNING, FINISHED in order, each with a uuid, retried until acknowledged, the next held back; the command is not run', async () => {
  const { client, offer } = await subscribeWithOffer(quick);
  await client.launch(offer, [commandTask('sim-1', offer, `touch ${marker}; exit 3`)]);
  const starting = await client.update('sim-1', 'TASK_STARTING');
  assert.equal(Buffer.from(starting.uuid!, 'base64').length, 16);
  assert.deepEqual([starting.source, starting.agent_id?.value, starting.executor_id?.value], ['SOURCE_EXECUTOR', offer.agent_id.value, 'sim-1']);
  assert.ok(containerOf(starting));
  const retry = await client.update('sim-1', 'TASK_STARTING', 2000);
  assert.equal(retry.uuid, starting.uuid, 'the same update again while unacknowledged');
  assert.ok(!client.events.some(isUpdate('sim-1', 'TASK_RUNNING')), 'RUNNING waits for the ack of STARTING');
  await client.ack(starting);
  const [running] = await client.expectStates('sim-1', ['TASK_RUNNING']);
  assert.equal(containerOf(running!), containerOf(starting));
  const finished = await client.update('sim-1', 'TASK_FINISHED');
  assert.deepEqual([finished.message, finished.source, finished.reason], ['Command exited with status 0', 'SOURCE_EXECUTOR', undefined]);
  assert.equal(existsSync(marker), false, 'the command never ran');
  // Terminal but unacknowledged: implicit reconciliation reports it; once acknowledged the master forgets it.
  await client.call('RECONCILE', { reconcile: {} });
  const implicit = await client.next((e) => isUpdate('sim-1')(e) && e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION');
  assert.equal(implicit.type === 'UPDATE' && implicit.update.status.state, 'TASK_FINISHED');
  await client.ack(finished);
  await client.call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'sim-1' }, agent_id: offer.agent_id }] } });
  const gone = await client.next((e) => isUpdate('sim-1', 'TASK_GONE')(e));
  assert.equal(gone.type === 'UPDATE' && gone.update.status.message, 'Reconciliation: Task is unknown to the agent');
  assert.equal(existsSync(join(workDir, 'slaves', offer.agent_id.value, 'frameworks')), false, 'no sandbox on disk');
  await client.call('TEARDOWN');
});

test('many tasks in one ACCEPT: each goes STARTING, RUNNING, FINISHED in order; the metrics count the ACCEPT, the tasks and the acknowledgements', async () => {
  const { client, offer } = await subscribeWithOffer(quick);
  const ids = Array.from({ length: 150 }, (_, i) => `bulk-${i}`);
  const before = quick.metrics();
  await client.launch(offer, ids.map((id) => commandTask(id, offer, 'true', { resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.01 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 1 } }] })));
  const acknowledge = async (): Promise<void> => {
    // Acknowledge every head update as it comes, until every task has finished and been acknowledged.
    const done = new Set<string>();
    let seen = 0;
    while (done.size < ids.length) {
      await client.next(() => true, 10_000);
      for (const e of client.events.slice(seen)) {
        if (e.type !== 'UPDATE' || !e.update.status.uuid) continue;
        await client.ack(e.update.status);
        if (e.update.status.state === 'TASK_FINISHED') done.add(e.update.status.task_id.value);
      }
      seen = client.events.length;
    }
  };
  await acknowledge();
  for (const id of ids) {
    const states = client.events.filter((e) => isUpdate(id)(e) && e.type === 'UPDATE' && e.update.status.uuid !== undefined).map((e) => e.type === 'UPDATE' && e.update.status.state);
    assert.deepEqual([...new Set(states)], ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'], id);
  }
  const after = quick.metrics();
  const prefix = `master/frameworks/${encodeURIComponent('moroccron-test')}/${client.frameworkId}/`;
  assert.equal(after[`${prefix}calls/accept`], 1);
  assert.equal(after[`${prefix}operations/launch`], 1);
  assert.equal(after[`${prefix}tasks/terminal/task_finished`], ids.length);
  assert.equal(after['sim/tasks_launched']! - (before['sim/tasks_launched'] ?? 0), ids.length);
  assert.equal(after['sim/acknowledged/task_running']! - (before['sim/acknowledged/task_running'] ?? 0), ids.length);
  const snapshot = (await (await fetch(`${quick.url}/metrics/snapshot`)).json()) as Record<string, number>;
  assert.equal(snapshot[`${prefix}calls/accept`], 1, 'GET /metrics/snapshot serves the same counters');
  await client.call('TEARDOWN');
});

test('KILL: TASK_KILLING, then TASK_KILLED as a TERMed command; a wrong agent is ignored; reconciliation reports the running task', async () => {
  const { client, offer } = await subscribeWithOffer(slow);
  await client.launch(offer, [commandTask('long', offer, 'sleep 600')]);
  await client.expectStates('long', ['TASK_STARTING', 'TASK_RUNNING']);
  await client.call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'long' }, agent_id: offer.agent_id }] } });
  const latest = await client.next((e) => isUpdate('long', 'TASK_RUNNING')(e) && e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION');
  assert.deepEqual(latest.type === 'UPDATE' && [latest.update.status.message, latest.update.status.uuid], ['Reconciliation: Latest task state', undefined]);
  await client.call('RECONCILE', { reconcile: {} });
  await client.next((e) => isUpdate('long', 'TASK_RUNNING')(e) && e.type === 'UPDATE' && e.update.status.reason === 'REASON_RECONCILIATION');
  await client.call('KILL', { kill: { task_id: { value: 'long' }, agent_id: { value: 'another-agent' } } });
  await expectNothing(client, isUpdate('long', 'TASK_KILLING'), 200);
  await client.call('KILL', { kill: { task_id: { value: 'long' }, agent_id: offer.agent_id } });
  const [killing, killed] = await client.expectStates('long', ['TASK_KILLING', 'TASK_KILLED']);
  assert.ok(killing!.uuid && killed!.uuid);
  assert.equal(killed!.message, 'Command terminated with signal Terminated');
  await client.call('TEARDOWN');
});

test('TEARDOWN kills a running simulated task: completed with TASK_KILLED, gone from the agent', async () => {
  const { client, offer } = await subscribeWithOffer(slow, frameworkInfo({ name: 'torn-down' }));
  await client.launch(offer, [commandTask('victim', offer, 'sleep 600')]);
  await client.expectStates('victim', ['TASK_STARTING', 'TASK_RUNNING']);
  await client.call('TEARDOWN');
  const completed = (slow.state() as { completed_frameworks: { id: string; completed_tasks: { id: string; state: string }[] }[] }).completed_frameworks;
  assert.deepEqual(completed.find((f) => f.id === client.frameworkId)?.completed_tasks.map((t) => [t.id, t.state]), [['victim', 'TASK_KILLED']]);
  const agentState = (await (await fetch(`${agentUrlOf(offer)}/state`)).json()) as { frameworks: { id: string }[] };
  assert.ok(!agentState.frameworks.some((f) => f.id === client.frameworkId));
});

test('a partition holds the FINISHED that came meanwhile; the heal reports it from the master, then the agent sends its own', async () => {
  const { client, offer } = await subscribeWithOffer(quick);
  await client.launch(offer, [commandTask('cut', offer, 'true')]);
  await client.expectStates('cut', ['TASK_STARTING', 'TASK_RUNNING']);
  quick.partitionAgent(offer.agent_id.value);
  try {
    assert.equal((await client.update('cut', 'TASK_UNREACHABLE')).reason, 'REASON_AGENT_REMOVED');
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(!client.events.some(isUpdate('cut', 'TASK_FINISHED')), 'held while the agent is cut off');
  } finally {
    quick.healAgent(offer.agent_id.value);
  }
  const back = await client.next((e) => isUpdate('cut', 'TASK_FINISHED')(e) && e.type === 'UPDATE' && e.update.status.reason === 'REASON_AGENT_REREGISTERED');
  assert.equal(back.type === 'UPDATE' && back.update.status.uuid, undefined);
  const own = await client.next((e) => isUpdate('cut', 'TASK_FINISHED')(e) && e.type === 'UPDATE' && e.update.status.uuid !== undefined);
  await client.ack((own as Extract<typeof own, { type: 'UPDATE' }>).update.status);
  await client.call('TEARDOWN');
});

test('master failover: the simulated task runs on through it, and its held update comes to the re-subscribed framework', async () => {
  const { client, offer } = await subscribeWithOffer(quick);
  await client.launch(offer, [commandTask('survivor', offer, 'true')]);
  await client.expectStates('survivor', ['TASK_STARTING', 'TASK_RUNNING']);
  await quick.restartMaster({ registry: 'in-memory', agentReregisterDelayMs: 1500 });
  await client.end();
  const again = await SimScheduler.subscribe(quick.url, frameworkInfo({ id: { value: client.frameworkId } }));
  // The new master does not know the agent yet: TASK_UNKNOWN, as for a real task.
  await again.call('RECONCILE', { reconcile: { tasks: [{ task_id: { value: 'survivor' }, agent_id: offer.agent_id }] } });
  assert.equal((await again.update('survivor')).state, 'TASK_UNKNOWN');
  const reregistered = await again.next((e) => isUpdate('survivor')(e) && e.type === 'UPDATE' && e.update.status.reason === 'REASON_AGENT_REREGISTERED');
  assert.equal(reregistered.type === 'UPDATE' && reregistered.update.status.state, 'TASK_FINISHED');
  const [finished] = await again.expectStates('survivor', ['TASK_FINISHED']);
  assert.ok(finished!.uuid);
  await again.call('TEARDOWN');
});

test('/files: a one-line stdout, an empty stderr, browsable, outliving the task; other paths 404', async () => {
  const { client, offer } = await subscribeWithOffer(quick);
  await client.launch(offer, [commandTask('logged', offer, 'echo never printed')]);
  const [starting] = await client.expectStates('logged', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  const agent = agentUrlOf(offer);
  const latest = `/frameworks/${client.frameworkId}/executors/logged/runs/latest`;
  assert.equal(await readSandboxFile(agent, `${latest}/stdout`), 'Simulated task logged: its command was not run (mesos-sim --task-mode simulated)\n');
  assert.equal(await readSandboxFile(agent, `${latest}/stderr`), '');
  const probe = (await (await fetch(`${agent}/files/read?${new URLSearchParams({ path: `${latest}/stdout` })}`)).json()) as { data: string; offset: number };
  assert.deepEqual(probe, { data: '', offset: Buffer.byteLength('Simulated task logged: its command was not run (mesos-sim --task-mode simulated)\n') });
  const listing = (await (await fetch(`${agent}/files/browse?${new URLSearchParams({ path: latest })}`)).json()) as { path: string; mode: string }[];
  assert.deepEqual(listing.map((e) => [e.path, e.mode]), [[`${latest}/stderr`, '-rw-r--r--'], [`${latest}/stdout`, '-rw-r--r--']]);
  const real = join(workDir, 'slaves', offer.agent_id.value, 'frameworks', client.frameworkId, 'executors', 'logged', 'runs', containerOf(starting!)!, 'stdout');
  assert.match(await readSandboxFile(agent, real), /^Simulated task logged/, 'the real path, by container id, is attached too');
  const status = async (path: string): Promise<number> => (await fetch(`${agent}/files/read?${new URLSearchParams({ path, offset: '0' })}`)).status;
  assert.equal(await status(`${latest}/stdout`.slice(1)), 404, 'no leading slash: 404, as on a real agent');
  assert.equal(await status(`/frameworks/${client.frameworkId}/executors/nobody/runs/latest/stdout`), 404);
  assert.equal(await status(latest), 400, 'a directory cannot be read');
  await client.call('TEARDOWN');
});

test('LAUNCH_GROUP: every task of the group is simulated, each with its own stdout under tasks/<id>', async () => {
  const { client, offer } = await subscribeWithOffer(quick);
  const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: { value } });
  const executor = { type: 'DEFAULT', executor_id: { value: 'pair' }, framework_id: { value: client.frameworkId }, resources: [scalar('cpus', 0.1), scalar('mem', 32), scalar('disk', 32)] };
  await client.call('ACCEPT', {
    accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks: [commandTask('g-1', offer, 'true'), commandTask('g-2', offer, 'true')] } } }] },
  });
  for (const id of ['g-1', 'g-2']) await client.expectStates(id, ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  const sandbox = `/frameworks/${client.frameworkId}/executors/pair/runs/latest`;
  assert.match(await readSandboxFile(agentUrlOf(offer), `${sandbox}/tasks/g-2/stdout`), /^Simulated task g-2:/);
  assert.equal(await readSandboxFile(agentUrlOf(offer), `${sandbox}/stdout`), '', "the executor's own stdout");
  await client.call('TEARDOWN');
});

test('options: a task duration needs the simulated mode, and the simulated mode runs no command as any user', async () => {
  await assert.rejects(startMesosSim({ taskDurationMs: 1000 }), /taskDurationMs is only for taskMode 'simulated'/);
  await assert.rejects(startMesosSim({ taskMode: 'simulated', switchUser: true }), /switchUser does not go with taskMode 'simulated'/);
  await assert.rejects(startMesosSim({ taskMode: 'simulated', taskDurationMs: -1 }), /taskDurationMs must be a number of milliseconds >= 0/);
});
