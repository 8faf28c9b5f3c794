/** Mesos sim: the command executor's behaviour: a failed exec (docs/mesos.md#exit-status) and its own log lines in stderr (docs/mesos.md#sandbox-logs). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { Offer } from '../../src/mesos/types.js';
import { SimScheduler, agentUrlOf, commandTask, readSandboxFile } from '../helpers/mesos-sim-client.js';

let sim: MesosSim;
let client: SimScheduler;
before(async () => {
  sim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 5, allocationIntervalMs: 50 });
  client = await SimScheduler.subscribe(sim.url);
});
after(async () => {
  await client.call('TEARDOWN');
  await sim.close();
});

const nextOffer = async (): Promise<Offer> => (await client.offers())[0]!;
const sandbox = (taskId: string): string => `/frameworks/${client.frameworkId}/executors/${taskId}/runs/latest`;
const GLOG = /^I\d{4} \d{2}:\d{2}:\d{2}\.\d{6} \d+ [\w.-]+\.cpp:\d+\] /;

test('shell false with a missing binary starts, runs, then fails with "Command exited with status 1"', async () => {
  for (const [id, binary] of [['missing-abs', '/nonexistent/moroccron-no-such-binary'], ['missing-path', 'moroccron-no-such-binary']] as const) {
    const offer = await nextOffer();
    await client.launch(offer, [commandTask(id, offer, '', { command: { shell: false, value: binary, arguments: [binary, '--flag'] } })]);
    const [starting, running, failed] = await client.expectStates(id, ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    assert.deepEqual([starting!.source, running!.source, failed!.source], ['SOURCE_EXECUTOR', 'SOURCE_EXECUTOR', 'SOURCE_EXECUTOR']);
    assert.equal(failed!.message, 'Command exited with status 1');
    assert.equal(failed!.reason, undefined, 'an exit, not a launch failure');
    assert.ok(!client.events.some((e) => e.type === 'UPDATE' && e.update.status.task_id.value === id && e.update.status.state === 'TASK_ERROR'));
    const stderr = await readSandboxFile(agentUrlOf(offer), `${sandbox(id)}/stderr`);
    assert.match(stderr, /^Failed to execute command: No such file or directory$/m);
    assert.equal(await readSandboxFile(agentUrlOf(offer), `${sandbox(id)}/stdout`), '');
  }
});

test('the executor logs glog lines into stderr before and after the task output; stdout holds only the task output', async () => {
  const offer = await nextOffer();
  await client.launch(offer, [commandTask('chatty', offer, 'echo to-stdout; echo to-stderr >&2')]);
  const states = await client.expectStates('chatty', ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  const pid = (states[1] as { container_status?: { executor_pid?: number } }).container_status?.executor_pid;
  assert.equal(await readSandboxFile(agentUrlOf(offer), `${sandbox('chatty')}/stdout`), 'to-stdout\n');
  const lines = (await readSandboxFile(agentUrlOf(offer), `${sandbox('chatty')}/stderr`)).trimEnd().split('\n');
  const output = lines.indexOf('to-stderr');
  assert.ok(output > 0, lines.join('\n'));
  assert.ok(lines.filter((l) => l !== 'to-stderr').every((l) => GLOG.test(l)), lines.join('\n'));
  assert.match(lines[0]!, /exec\.cpp:\d+\] Version: 1\.12\.0$/);
  assert.ok(lines.slice(0, output).some((l) => l.endsWith('] Starting task chatty')));
  assert.ok(lines.some((l) => l.endsWith(`] Forked command at ${pid}`)));
  assert.match(lines[lines.length - 1]!, new RegExp(`\\] Command exited with status 0 \\(pid: ${pid}\\)$`));
});

test('a killed task: the executor logs the kill and the signal', async () => {
  const offer = await nextOffer();
  await client.launch(offer, [commandTask('doomed', offer, 'sleep 30')]);
  await client.expectStates('doomed', ['TASK_STARTING', 'TASK_RUNNING']);
  await client.call('KILL', { kill: { task_id: { value: 'doomed' } } });
  await client.expectStates('doomed', ['TASK_KILLING', 'TASK_KILLED']);
  const stderr = await readSandboxFile(agentUrlOf(offer), `${sandbox('doomed')}/stderr`);
  assert.match(stderr, /\] Received KILL event\n/);
  assert.match(stderr, /\] Command terminated with signal Terminated \(pid: \d+\)\n$/);
});
