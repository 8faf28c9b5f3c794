/**
 * The every-agent example framework as a real process against an in-process sim: a task
 * on each agent, blacklisting an agent kills its task, unblacklisting brings one back.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { api, eventually, sleep } from '../helpers/server-process.js';

interface ExampleState {
  frameworkId: string | null;
  agents: string[];
  tasks: Record<string, { taskId: string; state: string }[]>;
  blacklist: string[];
}

interface SimTask {
  id: string;
  agent_id: string;
  state: string;
}

interface SimState {
  slaves: { id: string }[];
  frameworks: { id: string; tasks: SimTask[]; completed_tasks: SimTask[] }[];
  completed_frameworks: { id: string }[];
}

let sim: MesosSim;
let example: ChildProcess;
let exampleUrl: string;
let output = '';

before(async () => {
  sim = await startMesosSim({ agents: 3, heartbeatIntervalSeconds: 1, allocationIntervalMs: 200 });
  example = spawn(process.execPath, ['--import', 'tsx', 'examples/every-agent-framework/main.ts', '--master', sim.url, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  example.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  example.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  exampleUrl = await eventually(async () => /every-agent API on (http:\/\/\S+)/.exec(output)?.[1], 15_000, `the example's API\n${output}`);
});

after(async () => {
  if (example && example.exitCode === null && example.signalCode === null) {
    example.kill('SIGTERM');
    await once(example, 'exit');
  }
  await sim?.close();
});

const simState = async (): Promise<SimState> => (await api<SimState>(`${sim.url}/master/state`)).body;

const exampleState = async (): Promise<ExampleState> => (await api<ExampleState>(`${exampleUrl}/state`)).body;

/** Our framework's tasks in the sim's /master/state. */
async function simTasks(frameworkId: string): Promise<{ active: SimTask[]; completed: SimTask[] }> {
  const framework = (await simState()).frameworks.find((f) => f.id === frameworkId);
  return { active: framework?.tasks ?? [], completed: framework?.completed_tasks ?? [] };
}

const runningOn = (state: ExampleState, agentId: string): string | undefined =>
  state.tasks[agentId]?.find((t) => t.state === 'TASK_RUNNING')?.taskId;

let agents: string[] = [];

test('a task runs on every agent, as the master sees it too', async () => {
  agents = (await simState()).slaves.map((s) => s.id).sort();
  assert.equal(agents.length, 3);
  const state = await eventually(
    async () => {
      const s = await exampleState();
      return agents.every((a) => s.tasks[a]?.length === 1 && runningOn(s, a)) ? s : undefined;
    },
    15_000,
    `a running task on each agent\n${output}`,
  );
  assert.deepEqual(state.agents, agents);
  const { active } = await simTasks(state.frameworkId!);
  const inSim = active.filter((t) => t.state === 'TASK_RUNNING').map((t) => `${t.agent_id} ${t.id}`).sort();
  assert.deepEqual(inSim, agents.map((a) => `${a} ${runningOn(state, a)}`).sort());
});

test('blacklisting an agent kills its task and keeps it empty; unblacklisting brings a task back', async () => {
  const agent = agents[1]!;
  const before = await exampleState();
  const killed = runningOn(before, agent)!;

  assert.equal((await api(`${exampleUrl}/blacklist/${agent}`, 'PUT')).status, 202);
  await eventually(
    async () => {
      const { active, completed } = await simTasks(before.frameworkId!);
      const gone = completed.some((t) => t.id === killed && t.state === 'TASK_KILLED') && !active.some((t) => t.agent_id === agent);
      return gone && (await exampleState()).tasks[agent] === undefined ? true : undefined;
    },
    10_000,
    `the task on ${agent} killed\n${output}`,
  );
  // Several allocation rounds (200 ms each) offer the agent again: nothing may land there.
  await sleep(1_000);
  const blacklisted = await exampleState();
  assert.deepEqual(blacklisted.blacklist, [agent]);
  assert.equal(blacklisted.tasks[agent], undefined);
  assert.ok(!(await simTasks(before.frameworkId!)).active.some((t) => t.agent_id === agent));
  for (const other of agents.filter((a) => a !== agent)) assert.equal(runningOn(blacklisted, other), runningOn(before, other));

  assert.equal((await api(`${exampleUrl}/blacklist/${agent}`, 'DELETE')).status, 202);
  const back = await eventually(
    async () => {
      const taskId = runningOn(await exampleState(), agent);
      const { active } = await simTasks(before.frameworkId!);
      return taskId && active.some((t) => t.id === taskId && t.agent_id === agent && t.state === 'TASK_RUNNING') ? taskId : undefined;
    },
    10_000,
    `a task back on ${agent}\n${output}`,
  );
  assert.notEqual(back, killed);
  assert.deepEqual((await exampleState()).blacklist, []);
});

test('SIGTERM tears the framework down: the master kills its tasks', async () => {
  const { frameworkId } = await exampleState();
  example.kill('SIGTERM');
  const [code] = (await once(example, 'exit')) as [number | null];
  assert.equal(code, 0, output);
  await eventually(
    async () => {
      const state = await simState();
      const removed = state.completed_frameworks.some((f) => f.id === frameworkId);
      return removed && state.frameworks.every((f) => f.tasks.length === 0) ? true : undefined;
    },
    10_000,
    'the framework removed and its tasks killed',
  );
});
