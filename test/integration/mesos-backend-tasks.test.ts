/**
 * The Mesos backend's run reports against the in-process sim: a task the restarted master
 * does not know (TASK_UNKNOWN) is reported unreachable and its real end is still heard; a
 * stray is killed on the core's word; lifting a blacklist places a waiting run; agents
 * come with their attributes and what their tasks use.
 *
 * Run: node --import tsx --test test/integration/mesos-backend-tasks.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MesosBackend, type MesosBackendOptions } from '../../src/backends/mesos/mesos-backend.js';
import { testMesosBackend } from '../helpers/mesos-backend.js';
import { taskIdOf } from '../../src/backends/mesos/task-ids.js';
import type { Message, Run } from '../../src/core/types.js';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { eventually, sleep } from '../helpers/server-process.js';
import { run, spec } from '../helpers/store-contract.js';

let sim: MesosSim;
before(async () => {
  sim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 1, allocationIntervalMs: 100, logger: () => {} });
});
after(async () => {
  await sim.close();
});

const agentId = () => (sim.state() as { slaves: { id: string }[] }).slaves[0]!.id;

type RunMessage = Extract<Message, { runId: string }>;

/** A backend whose scheduler stores everything at once; its run messages, in order. */
function backend(over: Partial<MesosBackendOptions> = {}): { backend: MesosBackend; heard: RunMessage[]; posted: Message[] } {
  const heard: RunMessage[] = [];
  const posted: Message[] = [];
  let frameworkId: string | null = null;
  const b = testMesosBackend(sim.url, 'tasks-test', {
    post: (m) => posted.push(m),
    postDurably: async (m) => {
      if (m.type === 'framework-id') frameworkId = m.frameworkId;
      else if ('runId' in m) heard.push(m);
      return true;
    },
    onFatal: (error) => assert.fail(`${error.message} (framework ${frameworkId})`),
    reconcile: { initialDelayMs: 200, maxDelayMs: 1000 },
    agentRefreshMs: 200,
    ...over,
  });
  return { backend: b, heard, posted };
}

const first = <T extends RunMessage['type']>(heard: RunMessage[], runId: string, type: T) =>
  heard.find((m): m is Extract<RunMessage, { type: T }> => m.runId === runId && m.type === type);

test('TASK_UNKNOWN after a master failover: unreachable from then, and the real end is still heard (not lost)', async () => {
  const { backend: b, heard } = backend();
  const r: Run = run('through', { status: 'launching' });
  try {
    b.launch(r, spec('through', { command: 'sleep 3', resources: { cpus: 0.1, mem: 16 } }));
    const started = await eventually(async () => first(heard, r.id, 'run-started'), 15_000, 'the run to start');
    // The new master knows no agent; explicit reconciliation answers TASK_UNKNOWN until the agent re-registers.
    await sim.restartMaster({ registry: 'in-memory', agentReregisterDelayMs: 1500 });
    const unreachable = await eventually(async () => first(heard, r.id, 'run-unreachable'), 10_000, 'TASK_UNKNOWN to be heard');
    assert.match(unreachable.why ?? '', /the master does not know the task \(TASK_UNKNOWN/);
    assert.equal(unreachable.taskId, taskIdOf(r));
    assert.equal(unreachable.agent, started.agent);
    const exited = await eventually(async () => first(heard, r.id, 'run-exited'), 15_000, 'the run to end as it did');
    assert.equal(exited.exitCode, 0);
    assert.deepEqual(heard.filter((m) => m.runId === r.id && (m.type === 'run-lost' || m.type === 'run-not-started')), [], 'never given up');
  } finally {
    await b.close();
  }
});

test("a stray task (its run ended, says the core) is killed on the backend's killStray", async () => {
  const { backend: b, heard } = backend();
  const r: Run = run('stray', { status: 'launching' });
  try {
    b.launch(r, spec('stray', { command: 'sleep 60', resources: { cpus: 0.1, mem: 16 }, killGracePeriod: '1s' }));
    await eventually(async () => first(heard, r.id, 'run-started'), 15_000, 'the run to start');
    b.killStray(r.id, null, null, 'its run was lost while its agent was away');
    const exited = await eventually(async () => first(heard, r.id, 'run-exited'), 15_000, 'the stray to be killed');
    assert.match(exited.signal ?? '', /^Mesos/);
  } finally {
    await b.close();
  }
});

test('a run waiting while its only agent is blacklisted starts once the blacklist is lifted', async () => {
  const { backend: b, heard } = backend({ blacklist: [agentId()] });
  const r: Run = run('barred', { status: 'launching' });
  try {
    b.launch(r, spec('barred', { command: 'true', resources: { cpus: 0.1, mem: 16 } }));
    await sleep(1000);
    assert.deepEqual(heard, [], 'declined meanwhile (with the hour-long filter)');
    b.setBlacklist([]);
    await eventually(async () => first(heard, r.id, 'run-exited'), 10_000, 'the run to be placed after the REVIVE');
  } finally {
    await b.close();
  }
});

test("agents come with attributes and what their tasks use, from the master's state", async () => {
  const { backend: b, heard, posted } = backend();
  const r: Run = run('user', { status: 'launching' });
  try {
    await eventually(async () => (posted.some((m) => m.type === 'agents' && m.agents.includes(agentId())) ? true : undefined), 10_000, 'the agent list');
    b.launch(r, spec('user', { command: 'sleep 60', resources: { cpus: 0.5, mem: 64 } }));
    await eventually(async () => first(heard, r.id, 'run-started'), 15_000, 'the run to start');
    const [agent] = await eventually(async () => {
      const agents = b.agents();
      return agents[0]?.used?.cpus === 0.5 ? agents : undefined;
    }, 5_000, 'the used resources');
    assert.equal(agent!.id, agentId());
    assert.deepEqual(agent!.used, { cpus: 0.5, mem: 64, disk: 0, gpus: 0 });
    assert.equal(agent!.resources.cpus, 4);
    assert.equal(agent!.attributes.rack, 'r1');
    assert.ok(agent!.attributes.hostname);
    b.kill(r, 1000);
    await eventually(async () => first(heard, r.id, 'run-exited'), 10_000, 'the kill');
  } finally {
    await b.close();
  }
});
