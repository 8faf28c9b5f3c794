/** The Mesos backend's pure parts: task IDs, launch requests, status meaning, its hooks, the agent directory. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentDirectory } from '../../src/backends/mesos/agent-directory.js';
import { reactToTaskStatus } from '../../src/backends/mesos/run-hooks.js';
import { exitOf, reportFor } from '../../src/backends/mesos/status-mapping.js';
import type { TaskNews } from '../../src/mesos/framework/index.js';
import { isOurTask, runIdOf, taskIdOf } from '../../src/backends/mesos/task-ids.js';
import { launchRequestOf } from '../../src/backends/mesos/task-info.js';
import type { TaskState } from '../../src/mesos/types.js';
import { run, spec } from '../helpers/store-contract.js';

test('task IDs carry job and run; the run ID comes back out, even for dotted job names', () => {
  const taskId = taskIdOf({ job: 'etl.daily', id: '0mwr9ayxs-52b46c00001' });
  assert.equal(taskId, 'moroccron.etl.daily.0mwr9ayxs-52b46c00001');
  assert.equal(runIdOf(taskId), '0mwr9ayxs-52b46c00001');
  assert.equal(isOurTask(taskId), true);
  assert.equal(isOurTask('marathon.app.1'), false);
  assert.equal(runIdOf('other-task'), null);
});

test('a launch request carries the command, environment, container, resources, constraints and priority', () => {
  const s = spec('etl', {
    command: 'run.sh',
    env: { A: '1' },
    container: { image: 'alpine:3.20' },
    resources: { cpus: 0.5, mem: 256 },
    constraints: [['rack', 'LIKE', 'r[12]']],
    priority: 7,
    killGracePeriod: '3s',
  });
  const r = run('etl', { id: 'r1', attempt: 2, scheduledAt: Date.parse('2026-01-01T00:00:00Z'), agent: 'S1', labels: { team: 'data', 'moroccron.run': 'forged' } });
  const request = launchRequestOf(r, s);
  assert.equal(request.taskId, 'moroccron.etl.r1');
  assert.deepEqual(request.resources, { cpus: 0.5, mem: 256, disk: 0, gpus: 0, ports: 0 });
  assert.deepEqual(request.constraints, [['rack', 'LIKE', 'r[12]']]);
  assert.equal(request.priority, 7);
  assert.equal(request.agentId, 'S1', 'every-agent runs are pinned');
  assert.equal(request.excludedAgents, undefined, 'the blacklist is the framework\'s, applied to every waiting request');
  assert.deepEqual(request.taskInfo.labels, {
    labels: [
      { key: 'team', value: 'data' },
      { key: 'moroccron.run', value: 'r1' },
      { key: 'moroccron.job', value: 'etl' },
    ],
  });
  assert.equal(request.taskInfo.command?.shell, true);
  assert.equal(request.taskInfo.command?.value, 'run.sh');
  const vars = Object.fromEntries((request.taskInfo.command?.environment?.variables ?? []).map((v) => [v.name, v.value]));
  assert.deepEqual(vars, { A: '1', MOROCCRON_RUN_ID: 'r1', MOROCCRON_JOB: 'etl', MOROCCRON_SCHEDULED_AT: '2026-01-01T00:00:00.000Z', MOROCCRON_ATTEMPT: '2' });
  assert.deepEqual(request.taskInfo.container?.mesos?.image?.docker, { name: 'alpine:3.20' });
  assert.equal(request.taskInfo.kill_policy?.grace_period.nanoseconds, 3e9);
  const argv = launchRequestOf(r, spec('etl', { command: undefined, args: ['/bin/echo', 'hi'] }));
  assert.deepEqual([argv.taskInfo.command?.shell, argv.taskInfo.command?.value, argv.taskInfo.command?.arguments], [false, '/bin/echo', ['/bin/echo', 'hi']]);
});

const news = (state: TaskState, over: Partial<TaskNews> & { message?: string } = {}): TaskNews => {
  const { message, ...rest } = over;
  return {
    taskId: 'moroccron.etl.r',
    status: { task_id: { value: 'moroccron.etl.r' }, state, agent_id: { value: 'S0' }, ...(message ? { message } : {}) },
    terminal: false,
    started: false,
    agentId: 'S0',
    ack: null,
    ...rest,
  };
};

test('task states become run outcomes; a task that never started may start again', () => {
  const kind = (state: TaskState, started: boolean, message?: string) => reportFor('r', news(state, { started, ...(message ? { message } : {}) }), 0)?.type ?? null;
  assert.equal(kind('TASK_STAGING', false), null);
  assert.equal(kind('TASK_STARTING', false), null);
  assert.equal(kind('TASK_KILLING', true), null);
  const unreachable = news('TASK_UNREACHABLE', { started: true });
  assert.deepEqual(
    reportFor('r', { ...unreachable, status: { ...unreachable.status, unreachable_time: { nanoseconds: 1_767_225_600_123e6 } } }, 9),
    { type: 'run-unreachable', now: 9, runId: 'r', agent: 'S0', since: 1_767_225_600_123, why: 'agent S0 unreachable (TASK_UNREACHABLE)', taskId: 'moroccron.etl.r' },
    'unreachable: not an outcome yet, the scheduler waits from the time the master lost the agent',
  );
  assert.equal((reportFor('r', unreachable, 9) as { since: number }).since, 9, 'no unreachable_time: from now');
  assert.deepEqual(reportFor('r', news('TASK_RUNNING'), 5), { type: 'run-started', now: 5, runId: 'r', agent: 'S0', taskId: 'moroccron.etl.r' });
  assert.deepEqual(reportFor('r', news('TASK_FAILED', { started: true, message: 'Command exited with status 3' }), 0), {
    type: 'run-exited',
    now: 0,
    runId: 'r',
    exitCode: 3,
    signal: null,
    taskId: 'moroccron.etl.r',
  });
  assert.equal(kind('TASK_FINISHED', true), 'run-exited');
  assert.equal(kind('TASK_ERROR', false), 'launch-failed');
  for (const s of ['TASK_DROPPED', 'TASK_LOST', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR'] as const) {
    assert.equal(kind(s, false), 'run-not-started', `${s} before start`);
    assert.equal(kind(s, true), 'run-lost', `${s} after start`);
  }
  assert.deepEqual(exitOf('Command terminated with signal Killed'), { exitCode: null, signal: 'Killed' });
  assert.deepEqual(exitOf('Command exited with status 1'), { exitCode: 1, signal: null }, 'a missing binary without a shell (docs/mesos.md#exit-status)');
  assert.deepEqual(exitOf(undefined), { exitCode: null, signal: null });
  // Anything else Mesos says of a failure (a limit hit, an executor that died) is the run's reason.
  const limit = reportFor('r', news('TASK_FAILED', { started: true, message: 'Memory limit exceeded: Requested: 64MB Maximum Used: 64MB' }), 0);
  assert.deepEqual(limit, {
    type: 'run-exited',
    now: 0,
    runId: 'r',
    exitCode: null,
    signal: null,
    reason: 'TASK_FAILED: Memory limit exceeded: Requested: 64MB Maximum Used: 64MB',
    taskId: 'moroccron.etl.r',
  });
});

test("a job's user is the task's CommandInfo.user; without one the framework's user applies", () => {
  const r = run('etl', { id: 'r1' });
  assert.equal(launchRequestOf(r, spec('etl', { command: 'id -u', user: 'nobody' })).taskInfo.command?.user, 'nobody');
  assert.equal(launchRequestOf(r, spec('etl', { command: undefined, args: ['/usr/bin/id'], user: 'etl' })).taskInfo.command?.user, 'etl');
  assert.equal('user' in (launchRequestOf(r, spec('etl', { command: 'id -u' })).taskInfo.command ?? {}), false);
});

test('a task dropped because the agent could not make its sandbox (no such user) fails its run; other drops queue it again', () => {
  const message = "Failed to create executor directory '/var/lib/mesos/slaves/S0/frameworks/F/executors/E/runs/C': Failed to chown directory to 'ghost': No such user 'ghost'";
  const dropped = (state: TaskState, over: Partial<TaskNews['status']> = {}) =>
    reportFor('r', { ...news(state), status: { ...news(state).status, message, source: 'SOURCE_AGENT', reason: 'REASON_EXECUTOR_TERMINATED', ...over } }, 3);
  for (const state of ['TASK_DROPPED', 'TASK_LOST'] as const) {
    assert.deepEqual(dropped(state), { type: 'launch-failed', now: 3, runId: 'r', reason: `${state}: ${message}` });
  }
  assert.equal(dropped('TASK_DROPPED', { reason: 'REASON_INVALID_OFFERS' })?.type, 'run-not-started');
  assert.equal(dropped('TASK_DROPPED', { source: 'SOURCE_MASTER' })?.type, 'run-not-started');
  assert.equal(dropped('TASK_DROPPED', { message: 'Task launched with invalid offers: x' })?.type, 'run-not-started');
  assert.equal(reportFor('r', { ...news('TASK_LOST', { started: true }), status: { ...news('TASK_LOST').status, message, source: 'SOURCE_AGENT', reason: 'REASON_EXECUTOR_TERMINATED' } }, 3)?.type, 'run-lost');
});

test('TASK_UNKNOWN: a task launched on an agent may still run (unreachable from now); one never placed never ran', () => {
  const unknown = (over: Partial<TaskNews>) => news('TASK_UNKNOWN', { message: 'Reconciliation: Task is unknown', ...over });
  assert.deepEqual(reportFor('r', unknown({ started: true }), 42), {
    type: 'run-unreachable',
    now: 42,
    runId: 'r',
    agent: 'S0',
    since: 42,
    why: 'the master does not know the task (TASK_UNKNOWN: Reconciliation: Task is unknown); its agent may not have re-registered yet',
    taskId: 'moroccron.etl.r',
  });
  assert.equal(reportFor('r', unknown({ started: false }), 42)?.type, 'run-unreachable', 'launched on S0 but not confirmed: it may have started');
  const nowhere = unknown({ started: false, agentId: null });
  assert.deepEqual(reportFor('r', { ...nowhere, status: { task_id: nowhere.status.task_id, state: 'TASK_UNKNOWN' } }, 42), { type: 'run-not-started', now: 42, runId: 'r' });
});

test("the backend's status hook: report durably then acknowledge; forget a task the master never had", () => {
  const ack = { agentId: 'S0', taskId: 'moroccron.etl.r', uuid: 'PyuMHppNTm+LIXxdDp+hIw==' };
  const running = reactToTaskStatus(news('TASK_RUNNING', { ack }), 7);
  assert.deepEqual(running, [{ type: 'app', effect: { type: 'report', report: { type: 'run-started', now: 7, runId: 'r', agent: 'S0', taskId: 'moroccron.etl.r' }, ack } }]);
  assert.deepEqual(reactToTaskStatus(news('TASK_STARTING', { ack }), 7), [{ type: 'acknowledge', ack }], 'no outcome: acknowledged at once');
  const never = reactToTaskStatus(news('TASK_UNKNOWN', { agentId: null, status: { task_id: { value: 'moroccron.etl.r' }, state: 'TASK_UNKNOWN' } }), 7);
  assert.deepEqual(never.map((r) => r.type), ['app', 'forget'], 'the run may launch again under the same task id');
  assert.deepEqual(reactToTaskStatus(news('TASK_LOST', { terminal: true }), 7).map((r) => r.type), ['app'], 'ended tasks the framework forgets itself');
});

test('the agent directory takes agents from /master/state and offers; gone agents drop out', () => {
  const dir = new AgentDirectory();
  dir.fromMasterState({
    slaves: [
      { id: 'S1', hostname: 'b', pid: 'slave(1)@10.0.0.2:5051', resources: { cpus: 4, mem: 8192 } },
      { id: 'S0', hostname: 'a', pid: 'slave(1)@10.0.0.1:5051', resources: { cpus: 2, mem: 1024 } },
    ],
  });
  assert.deepEqual(dir.activeIds(), ['S0', 'S1']);
  assert.equal(dir.get('S0')?.url, 'http://10.0.0.1:5051');
  dir.fromOffer({
    id: { value: 'O1' },
    framework_id: { value: 'F' },
    agent_id: { value: 'S2' },
    hostname: 'c',
    url: { scheme: 'http', address: { ip: '10.0.0.3', port: 5052 } },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }],
  });
  assert.deepEqual(dir.activeIds(), ['S0', 'S1', 'S2']);
  assert.equal(dir.get('S2')?.url, 'http://10.0.0.3:5052');
  dir.fromMasterState({ slaves: [{ id: 'S0', hostname: 'a', pid: 'slave(1)@10.0.0.1:5051' }] });
  assert.deepEqual(dir.activeIds(), ['S0']);
  dir.fromMasterState({
    slaves: [
      {
        id: 'S0',
        hostname: 'a',
        pid: 'slave(1)@10.0.0.1:5051',
        resources: { cpus: 2, mem: 1024, disk: 100, gpus: 1 },
        used_resources: { cpus: 0.5, mem: 128 },
        attributes: { rack: 'r1', cores: 8, ports: '[31000-32000, 33000-33010]', zones: '{a, b}' },
      },
    ],
  });
  const [agent] = dir.list().filter((a) => a.active);
  assert.deepEqual(agent!.used, { cpus: 0.5, mem: 128, disk: 0, gpus: 0 }, 'used from the master (unacknowledged tasks included)');
  assert.deepEqual(agent!.attributes, { rack: 'r1', cores: '8', ports: '31000-32000,33000-33010', zones: 'a,b', hostname: 'a' }, 'as offers give them');
});
