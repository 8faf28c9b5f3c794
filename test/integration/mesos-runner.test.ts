/**
 * The framework runner against the in-process sim over real HTTP: a framework made of
 * hooks only; no call before the framework ID is durable; a failed write stops the runner
 * without an unhandled rejection; GPU agents after UPDATE_FRAMEWORK; a failover stops the
 * old runner; close with teardown.
 *
 * Run: node --import tsx --test test/integration/mesos-runner.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FrameworkRunner, effect, launch, type FrameworkConfig, type LaunchRequest, type LogEntry, type RunnerOptions, type TaskNews } from '../../src/mesos/framework/index.js';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { eventually, sleep } from '../helpers/server-process.js';

interface SimFramework {
  id: string;
  active: boolean;
  capabilities: string[];
  suppressed_roles: string[];
  tasks: { id: string; state: string; slave_id: string }[];
  completed_tasks: { id: string; state: string }[];
}
interface SimState {
  slaves: { id: string }[];
  frameworks: SimFramework[];
  completed_frameworks: { id: string }[];
}

let sim: MesosSim;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
before(async () => {
  process.on('unhandledRejection', onUnhandled);
  sim = await startMesosSim({ agents: 2, heartbeatIntervalSeconds: 1, allocationIntervalMs: 100, logger: () => {} });
});
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  await sim.close();
});

const simState = () => sim.state() as SimState;
const framework = (id: string | null) => simState().frameworks.find((f) => f.id === id);

type Heard = { type: 'heard'; news: TaskNews };

const task = (taskId: string, over: Partial<LaunchRequest> = {}): LaunchRequest => ({
  taskId,
  group: 'test',
  resources: { cpus: 0.1, mem: 16, disk: 0, gpus: 0, ports: 0 },
  constraints: [],
  priority: 0,
  dueAt: 0,
  taskInfo: { name: taskId, command: { shell: true, value: 'true' } },
  ...over,
});

/** A framework of hooks: what it hears comes out as `heard` effects; `startWith` launches on subscribing. */
function start(
  name: string,
  masters: string,
  over: Partial<RunnerOptions<never, Heard>> & { startWith?: LaunchRequest[]; config?: Partial<FrameworkConfig<never, Heard>> } = {},
): { runner: FrameworkRunner<never, Heard>; heard: TaskNews[]; logs: LogEntry[] } {
  const heard: TaskNews[] = [];
  const logs: LogEntry[] = [];
  const { startWith = [], config, ...options } = over;
  let launched = false;
  const runner = new FrameworkRunner<never, Heard>({
    masters,
    config: {
      user: 'nobody',
      name,
      roles: ['*'],
      failoverTimeoutSeconds: 60,
      isOurs: (id) => id.startsWith(`${name}-`),
      onSubscribed: () => {
        if (launched) return [];
        launched = true;
        return startWith.map(launch);
      },
      onTaskStatus: (_view, news) => [effect<Heard>({ type: 'heard', news })],
      ...config,
    },
    persistFrameworkId: async () => {},
    interpret: (e) => heard.push(e.news),
    log: (entry) => logs.push(entry),
    ...options,
  });
  return { runner, heard, logs };
}

const finished = (heard: TaskNews[], taskId: string) => heard.find((n) => n.taskId === taskId && n.terminal);

test('a framework of hooks only: launched on subscribing, statuses heard, ended tasks forgotten', async () => {
  const { runner, heard } = start('hooks', sim.url, { startWith: [task('hooks-1', { taskInfo: { name: 'x', command: { shell: true, value: 'exit 3' } } })] });
  try {
    const end = await eventually(async () => finished(heard, 'hooks-1'), 15_000, 'the task to end');
    assert.equal(end.status.state, 'TASK_FAILED');
    assert.equal(end.status.message, 'Command exited with status 3');
    assert.equal(end.started, true);
    assert.deepEqual(
      heard.filter((n) => n.taskId === 'hooks-1').map((n) => n.status.state),
      ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED'],
    );
    await eventually(async () => (runner.view.tasks.size === 0 ? true : undefined), 5_000, 'the ended task to be forgotten');
    await eventually(async () => (framework(runner.view.frameworkId)?.completed_tasks.length === 1 ? true : undefined), 5_000, 'the master to have the update acknowledged');
  } finally {
    assert.equal(await runner.close(), null);
  }
});

test('no call goes out before the framework ID is durable', async () => {
  let release: () => void = () => {};
  const stored = new Promise<void>((resolve) => (release = resolve));
  const ids: (string | null)[] = [];
  const { runner, heard } = start('durable', sim.url, {
    startWith: [task('durable-1')],
    persistFrameworkId: async (id) => {
      ids.push(id);
      await stored;
    },
  });
  try {
    const id = await eventually(async () => runner.view.frameworkId ?? undefined, 10_000, 'a subscription');
    await sleep(500);
    const waiting = framework(id)!;
    assert.deepEqual([waiting.tasks.length, waiting.completed_tasks.length, waiting.suppressed_roles], [0, 0, []], 'no ACCEPT, no SUPPRESS yet');
    release();
    await eventually(async () => finished(heard, 'durable-1'), 15_000, 'the task to run once the id is stored');
    assert.deepEqual(ids, [id]);
  } finally {
    await runner.close();
  }
});

test('a framework ID that cannot be stored stops the runner with the reason, and rejects nothing unhandled', async () => {
  const { runner } = start('unstorable', sim.url, {
    startWith: [task('unstorable-1')],
    persistFrameworkId: () => Promise.reject(new Error('disk full')),
  });
  const error = await runner.done;
  assert.match(error?.message ?? '', /^could not store the Mesos framework ID \S+: disk full$/);
  await sleep(100);
  assert.deepEqual(unhandled, []);
  assert.equal(framework(runner.view.frameworkId)?.tasks.length ?? 0, 0, 'nothing launched under it');
});

test('a task asking for gpus declares GPU_RESOURCES (UPDATE_FRAMEWORK), so the GPU agents offer and it runs', async () => {
  // Mesos offers GPU agents only to frameworks that declare GPU_RESOURCES: here every agent has one.
  const gpuSim = await startMesosSim({ agents: 1, gpus: 1, allocationIntervalMs: 100, logger: () => {} });
  const { runner, heard } = start('gpu', gpuSim.url, { startWith: [task('gpu-1', { resources: { cpus: 0.1, mem: 16, disk: 0, gpus: 1, ports: 0 } })] });
  try {
    const end = await eventually(async () => finished(heard, 'gpu-1'), 15_000, 'the GPU task to run');
    assert.equal(end.status.state, 'TASK_FINISHED');
    const fw = (gpuSim.state() as SimState).frameworks.find((f) => f.id === runner.view.frameworkId)!;
    assert.ok(fw.capabilities.includes('GPU_RESOURCES'));
  } finally {
    await runner.close();
    await gpuSim.close();
  }
});

test('a request waiting on a blacklisted agent is placed once the blacklist is lifted', async () => {
  const agents = simState().slaves.map((s) => s.id);
  const { runner, heard } = start('barred', sim.url, { startWith: [task('barred-1', { agentId: agents[0]! })], restored: { blacklist: [agents[0]!] } });
  try {
    await eventually(async () => (runner.view.connected ? true : undefined), 10_000, 'a subscription');
    await sleep(800);
    assert.deepEqual([heard.length, runner.view.pending.size], [0, 1], 'declined for an hour meanwhile');
    runner.blacklist([]);
    const end = await eventually(async () => finished(heard, 'barred-1'), 10_000, 'the request to be placed after the REVIVE');
    assert.equal(end.agentId, agents[0]);
  } finally {
    await runner.close();
  }
});

test('another runner subscribing as the same framework stops the first with "failed over"', async () => {
  const first = start('twice', sim.url);
  const id = await eventually(async () => first.runner.view.frameworkId ?? undefined, 10_000, 'a subscription');
  const second = start('twice', sim.url, { restored: { frameworkId: id } });
  try {
    const error = await first.runner.done;
    assert.match(error?.message ?? '', /Framework failed over: another scheduler subscribed as framework/);
    await eventually(async () => (second.runner.view.connected ? true : undefined), 10_000, 'the second to hold it');
    assert.equal(second.runner.view.frameworkId, id);
  } finally {
    await second.runner.close();
  }
});

test('close with teardown: the master kills the tasks and forgets the framework; the runner does not come back', async () => {
  const { runner, heard } = start('bye', sim.url, { startWith: [task('bye-1', { taskInfo: { name: 'x', command: { shell: true, value: 'sleep 60' } } })] });
  const id = await eventually(async () => (heard.some((n) => n.status.state === 'TASK_RUNNING') ? runner.view.frameworkId! : undefined), 15_000, 'the task to run');
  assert.equal(await runner.close({ teardown: true }), null);
  await eventually(async () => (simState().completed_frameworks.some((f) => f.id === id) ? true : undefined), 10_000, 'the framework removed');
  await sleep(500);
  assert.equal(simState().frameworks.filter((f) => f.active && f.id !== id).some((f) => (f as { name?: string }).name === 'bye'), false, 'no new framework subscribed');
});
