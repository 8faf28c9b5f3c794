/**
 * The framework reducer, driven by scripted message sequences with fake time: subscription,
 * reconciliation, offers, acknowledgements, kills and teardown. Hooks, reactions, master
 * errors, the blacklist, GPUs and TASK_UNKNOWN: mesos-framework-hooks.test.ts.
 *
 * Run: node --import tsx --test test/unit/mesos-framework.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMER_IMPLICIT, TIMER_RECHECK, TIMER_RECONCILE, cancelTimer, effect, frameworkInfo, setTimer, subscribeCall } from '../../src/mesos/framework/index.js';
import type { LaunchRequest } from '../../src/mesos/framework/index.js';
import type { Call } from '../../src/mesos/types.js';
import {
  FID,
  T0,
  UUID,
  callTypes,
  callsOf,
  ev,
  launch,
  launchedOf,
  newsOf,
  offer,
  offers,
  only,
  ready,
  run,
  setup,
  statuses,
  subscribed,
  timer,
  update,
  withRunning,
  type AppEffect,
  type Effect,
} from '../helpers/framework-harness.js';

test('FrameworkInfo: roles, capabilities, one-week failover, checkpoint; the id is reused once known', () => {
  const s = setup({ gpuResources: true, principal: 'p', labels: { team: 'ops' } });
  const info = frameworkInfo(s);
  assert.deepEqual(info.capabilities, [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }, { type: 'GPU_RESOURCES' }]);
  assert.equal(info.failover_timeout, 604800);
  assert.equal(info.checkpoint, true);
  assert.deepEqual(info.roles, ['cron']);
  assert.equal(info.principal, 'p');
  assert.deepEqual(info.labels, { labels: [{ key: 'team', value: 'ops' }] });
  assert.equal(info.id, undefined);
  assert.deepEqual(subscribeCall(s), { type: 'SUBSCRIBE', subscribe: { framework_info: info } });
  assert.equal(setup().config.gpuResources, undefined);
  assert.equal(frameworkInfo(setup()).capabilities!.length, 3);
  subscribed(s);
  const again = subscribeCall(s);
  assert.deepEqual(again.framework_id, { value: FID });
  assert.deepEqual(again.subscribe!.framework_info.id, { value: FID });
});

test('SUBSCRIBED: persist the id first, reconcile every live task, arm implicit reconciliation, suppress', () => {
  const s = setup({}, { tasks: [{ taskId: 'r1', group: 'job', agentId: 'a1', state: 'TASK_RUNNING' }, { taskId: 'r2' }] });
  const effects = subscribed(s);
  assert.deepEqual(effects[0], { type: 'persist-framework-id', frameworkId: FID });
  assert.deepEqual(callsOf(effects), [
    { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'r1' }, agent_id: { value: 'a1' } }, { task_id: { value: 'r2' } }] }, framework_id: { value: FID } },
    { type: 'SUPPRESS', suppress: { roles: ['cron'] }, framework_id: { value: FID } },
  ]);
  assert.deepEqual(only(effects, 'set-timer'), [
    { type: 'set-timer', name: TIMER_RECONCILE, at: T0 + 1000 },
    { type: 'set-timer', name: TIMER_IMPLICIT, at: T0 + 15 * 60_000 },
  ]);
  // The same subscription reported again by the shell changes nothing.
  assert.deepEqual(run(s, { type: 'connected', frameworkId: FID, now: T0 }), []);
});

test('the `connected` message subscribes like the SUBSCRIBED event', () => {
  const s = setup();
  const effects = run(s, { type: 'connected', frameworkId: FID, now: T0 });
  assert.deepEqual(effects[0], { type: 'persist-framework-id', frameworkId: FID });
  assert.deepEqual(subscribed(s), []);
});

test('explicit reconciliation: rounds back off 1, 2, 4 s ... up to the cap until every task answered', () => {
  const s = setup({ reconcile: { maxDelayMs: 10_000 } }, { tasks: [{ taskId: 'r1', agentId: 'a1' }, { taskId: 'r2', agentId: 'a2' }] });
  subscribed(s);
  let now = T0;
  const delays: number[] = [];
  for (let round = 0; round < 5; round++) {
    const next = s.reconciliation!.delayMs;
    delays.push(next);
    now += next;
    const effects = timer(s, TIMER_RECONCILE, now);
    assert.deepEqual(callTypes(effects), ['RECONCILE']);
    if (round === 1) update(s, { id: 'r1', state: 'TASK_RUNNING', source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' }, now + 1);
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 10_000]);
  assert.deepEqual([...s.reconciliation!.remaining], ['r2']);
  const last = timer(s, TIMER_RECONCILE, now + 10_000);
  assert.deepEqual(callsOf(last)[0]!.reconcile, { tasks: [{ task_id: { value: 'r2' }, agent_id: { value: 'a2' } }] });
  const done = update(s, { id: 'r2', state: 'TASK_GONE', source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' }, now + 10_001);
  assert.equal(s.reconciliation, null);
  assert.deepEqual(only(done, 'cancel-timer'), [{ type: 'cancel-timer', name: TIMER_RECONCILE }]);
  assert.deepEqual(statuses(done), [['r2', 'TASK_GONE', true]]);
  // A late timer of a finished reconciliation does nothing.
  assert.deepEqual(callTypes(timer(s, TIMER_RECONCILE, now + 20_000)), []);
});

test('while reconciling after a subscription, offers are declined with a short filter; then packed', () => {
  const s = setup({}, { tasks: [{ taskId: 'r1', agentId: 'a1' }] });
  subscribed(s);
  run(s, launch('t1'));
  const declined = offers(s, [offer('o1')]);
  assert.deepEqual(callsOf(declined), [{ type: 'DECLINE', decline: { offer_ids: [{ value: 'o1' }], filters: { refuse_seconds: 1 } }, framework_id: { value: FID } }]);
  assert.equal(s.pending.size, 1);
  update(s, { id: 'r1', state: 'TASK_RUNNING', source: 'SOURCE_MASTER' });
  assert.deepEqual(callTypes(offers(s, [offer('o2')])), ['ACCEPT', 'SUPPRESS']);
});

test('several pending tasks go into one ACCEPT per offer; unusable offers are declined for an hour', () => {
  const s = ready();
  const revive = run(s, launch('t1', { resources: { cpus: 1, mem: 128, disk: 0, gpus: 0, ports: 1 } }));
  assert.deepEqual(callsOf(revive), [{ type: 'REVIVE', revive: { roles: ['cron'] }, framework_id: { value: FID } }]);
  run(s, launch('t2', { priority: 10 }));
  run(s, launch('t3', { resources: { cpus: 64, mem: 1, disk: 0, gpus: 0, ports: 0 } }));
  const effects = offers(s, [offer('o1'), offer('o2', 'a2', 0.5)], T0 + 5);
  const [accept, decline, ...rest] = callsOf(effects);
  assert.equal(rest.length, 0, 't3 is still pending: no SUPPRESS');
  assert.equal(accept!.type, 'ACCEPT');
  assert.deepEqual(accept!.accept!.offer_ids, [{ value: 'o1' }]);
  assert.deepEqual(accept!.accept!.filters, { refuse_seconds: 1 });
  const infos = accept!.accept!.operations![0]!;
  assert.equal(infos.type, 'LAUNCH');
  const tasks = infos.type === 'LAUNCH' ? infos.launch.task_infos : [];
  assert.deepEqual(tasks.map((t) => t.task_id.value), ['t2', 't1'], 'priority first');
  assert.deepEqual(tasks[1], {
    name: 't1',
    command: { shell: true, value: 'true' },
    task_id: { value: 't1' },
    agent_id: { value: 'a1' },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, allocation_info: { role: 'cron' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 128 }, allocation_info: { role: 'cron' } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31000 }] }, allocation_info: { role: 'cron' } },
    ],
  });
  assert.deepEqual(decline, { type: 'DECLINE', decline: { offer_ids: [{ value: 'o2' }], filters: { refuse_seconds: 3600 } }, framework_id: { value: FID } });
  assert.deepEqual(launchedOf(effects).map((e) => [e.taskId, e.agentId, e.hostname, e.offerId, e.ports]), [
    ['t2', 'a1', 'a1.example', 'o1', []],
    ['t1', 'a1', 'a1.example', 'o1', [31000]],
  ]);
  assert.deepEqual([...s.pending.keys()], ['t3']);
  assert.equal(s.tasks.get('t1')!.state, 'TASK_STAGING');
  assert.equal(s.tasks.get('t1')!.confirmed, false);
});

test('launched tasks count for constraints of later offers', () => {
  const s = ready();
  const unique = { constraints: [['hostname', 'UNIQUE']] as LaunchRequest['constraints'] };
  run(s, launch('t1', unique));
  run(s, launch('t2', unique));
  assert.deepEqual(launchedOf(offers(s, [offer('o1')])).map((e) => e.taskId), ['t1']);
  assert.deepEqual(callTypes(offers(s, [offer('o2')])), ['DECLINE']);
  assert.deepEqual(launchedOf(offers(s, [offer('o3', 'a2')])).map((e) => e.taskId), ['t2']);
});

test('suppress once when idle, revive on demand, suppress again after a re-subscription', () => {
  const s = setup();
  assert.deepEqual(callTypes(subscribed(s)), ['SUPPRESS']);
  assert.deepEqual(callTypes(ev(s, { type: 'HEARTBEAT' })), []);
  assert.deepEqual(callTypes(offers(s, [offer('o1')])), ['DECLINE'], 'no second SUPPRESS');
  assert.deepEqual(callTypes(run(s, launch('t1'))), ['REVIVE']);
  assert.deepEqual(callTypes(run(s, launch('t2'))), [], 'already revived');
  assert.deepEqual(callTypes(run(s, { type: 'kill', taskId: 't1' })), []);
  assert.deepEqual(callTypes(run(s, { type: 'kill', taskId: 't2' })), ['SUPPRESS']);
  run(s, { type: 'disconnected', reason: 'stream closed', now: T0 + 10 });
  assert.deepEqual(callTypes(subscribed(s, T0 + 20)), ['SUPPRESS'], 'the master forgot the suppression');
});

test('new demand after long declines revives, so declined agents are offered again', () => {
  const s = ready();
  run(s, launch('big', { resources: { cpus: 64, mem: 1, disk: 0, gpus: 0, ports: 0 } }));
  assert.deepEqual(callTypes(offers(s, [offer('o1')])), ['DECLINE']);
  assert.deepEqual(callTypes(ev(s, { type: 'HEARTBEAT' })), [], 'no revive without new demand');
  assert.deepEqual(callTypes(run(s, launch('small'))), ['REVIVE']);
});

test('RESCIND: nothing to undo; a launch racing it comes back DROPPED, terminal and unacknowledged', () => {
  const s = ready();
  run(s, launch('t1'));
  offers(s, [offer('o1')]);
  assert.deepEqual(callTypes(ev(s, { type: 'RESCIND', rescind: { offer_id: { value: 'o1' } } })), []);
  const dropped = update(s, { id: 't1', state: 'TASK_DROPPED', reason: 'REASON_INVALID_OFFERS', source: 'SOURCE_MASTER', agent_id: { value: 'a1' } });
  assert.deepEqual(callTypes(dropped), []);
  assert.deepEqual(statuses(dropped), [['t1', 'TASK_DROPPED', true]]);
});

test('ACKNOWLEDGE every update with a uuid (with its agent id), never one without', () => {
  const s = ready();
  run(s, launch('t1'));
  offers(s, [offer('o1')]);
  const acked = update(s, { id: 't1', state: 'TASK_STARTING', agent_id: { value: 'a1' }, uuid: UUID, source: 'SOURCE_EXECUTOR' });
  assert.deepEqual(callsOf(acked), [
    { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a1' }, task_id: { value: 't1' }, uuid: UUID }, framework_id: { value: FID } },
  ]);
  assert.deepEqual(callTypes(update(s, { id: 't1', state: 'TASK_RUNNING', agent_id: { value: 'a1' }, source: 'SOURCE_MASTER' })), []);
  // Unknown tasks are acknowledged too (here: not ours and ended, so nothing else).
  assert.deepEqual(callTypes(update(s, { id: 'stranger', state: 'TASK_FINISHED', agent_id: { value: 'a2' }, uuid: UUID })), ['ACKNOWLEDGE']);
});

test('duplicate updates are acknowledged again but reported once; health changes are reported; an ended task is forgotten', () => {
  const s = ready();
  run(s, launch('t1'));
  offers(s, [offer('o1')]);
  const running = { id: 't1', state: 'TASK_RUNNING' as const, agent_id: { value: 'a1' }, uuid: UUID };
  assert.deepEqual(statuses(update(s, running)), [['t1', 'TASK_RUNNING', false]]);
  const again = update(s, running);
  assert.deepEqual(statuses(again), []);
  assert.deepEqual(callTypes(again), ['ACKNOWLEDGE']);
  assert.deepEqual(statuses(update(s, { ...running, healthy: false })), [['t1', 'TASK_RUNNING', false]]);
  assert.deepEqual(statuses(update(s, { ...running, state: 'TASK_FINISHED' })), [['t1', 'TASK_FINISHED', true]]);
  assert.equal(s.tasks.has('t1'), false, 'acknowledged on receipt: the master forgets an ended task, and so do we');
});

test("acknowledge 'by-application': news waits for the application, repeats of it too; the rest is acknowledged at once", () => {
  const s = ready({ acknowledge: 'by-application' });
  run(s, launch('t1'));
  offers(s, [offer('o1')]);
  const running = { id: 't1', state: 'TASK_RUNNING' as const, agent_id: { value: 'a1' }, uuid: UUID };
  const first = update(s, running);
  assert.deepEqual(callTypes(first), [], 'not acknowledged on receipt');
  const token = { agentId: 'a1', taskId: 't1', uuid: UUID };
  assert.deepEqual(newsOf(first).map((n) => n.ack), [token]);
  assert.deepEqual(callTypes(update(s, running)), [], 'the agent re-sent it before the application acknowledged: still waiting');
  assert.deepEqual(callsOf(run(s, { type: 'acknowledge', ack: token })), [
    { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a1' }, task_id: { value: 't1' }, uuid: UUID }, framework_id: { value: FID } },
  ]);
  assert.deepEqual(callTypes(update(s, running)), ['ACKNOWLEDGE'], 'a copy after that is old news: acknowledged at once');
  const other = 'q7vDWzR8Qm2Tt4yQm0c9nQ==';
  assert.deepEqual(callTypes(update(s, { id: 'stranger', state: 'TASK_FINISHED', agent_id: { value: 'a2' }, uuid: other })), ['ACKNOWLEDGE'], 'not ours: nothing to wait for');
  const adopted = update(s, { id: 'ours-9', state: 'TASK_FINISHED', agent_id: { value: 'a2' }, uuid: other });
  assert.deepEqual(callTypes(adopted), [], 'an adopted task is news for the application');
  assert.deepEqual(newsOf(adopted).map((n) => n.ack?.taskId), ['ours-9']);
  assert.deepEqual(newsOf(update(s, { ...running, uuid: undefined, state: 'TASK_FAILED' })).map((n) => n.ack), [null], 'a master update has nothing to acknowledge');
  assert.equal(s.tasks.has('t1'), false, 'ended, nothing awaited: forgotten');
});

test("acknowledge 'by-application': an ended task stays (and stays ended) until its last update is acknowledged", () => {
  const s = ready({ acknowledge: 'by-application' });
  run(s, launch('t1'));
  offers(s, [offer('o1')]);
  const finished = { id: 't1', state: 'TASK_FINISHED' as const, agent_id: { value: 'a1' }, uuid: UUID };
  const token = newsOf(update(s, finished))[0]!.ack!;
  assert.equal(s.tasks.get('t1')!.terminal, true);
  const copy = update(s, finished);
  assert.deepEqual([statuses(copy), callTypes(copy)], [[], []], 'a copy while waiting: not news, not acknowledged');
  assert.deepEqual(statuses(update(s, { ...finished, state: 'TASK_RUNNING', uuid: undefined })), [], 'an ended task stays ended');
  assert.deepEqual(callTypes(run(s, { type: 'acknowledge', ack: token })), ['ACKNOWLEDGE']);
  assert.equal(s.tasks.has('t1'), false);
});

test("a task the master says ended while its agent was unreachable waits for the agent's own update", () => {
  const s = withRunning('t1');
  update(s, { id: 't1', state: 'TASK_UNREACHABLE', agent_id: { value: 'a1' }, source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REMOVED' });
  const master = update(s, { id: 't1', state: 'TASK_FAILED', agent_id: { value: 'a1' }, source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REREGISTERED' });
  assert.deepEqual(statuses(master), [], 'no exit status in it: not an outcome');
  assert.equal(s.tasks.get('t1')!.terminal, false);
  const agent = update(s, { id: 't1', state: 'TASK_FAILED', agent_id: { value: 'a1' }, uuid: UUID, message: 'Command exited with status 3' });
  assert.deepEqual(statuses(agent), [['t1', 'TASK_FAILED', true]]);
  assert.equal(newsOf(agent)[0]!.status.message, 'Command exited with status 3');
});

test('partition-aware states: UNREACHABLE, UNKNOWN and KILLING keep the task; the others end it', () => {
  for (const state of ['TASK_UNREACHABLE', 'TASK_UNKNOWN', 'TASK_KILLING', 'TASK_STARTING'] as const) {
    const s = withRunning();
    assert.deepEqual(statuses(update(s, { id: 't1', state, agent_id: { value: 'a1' } })), [['t1', state, false]]);
    assert.equal(s.tasks.get('t1')!.terminal, false);
  }
  for (const state of ['TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_LOST', 'TASK_ERROR', 'TASK_FAILED', 'TASK_KILLED', 'TASK_FINISHED'] as const) {
    const s = withRunning();
    assert.deepEqual(statuses(update(s, { id: 't1', state, agent_id: { value: 'a1' } })), [['t1', state, true]]);
    assert.equal(s.tasks.has('t1'), false);
  }
});

test('an UNREACHABLE task is reconciled after re-subscribing and by the periodic pass; ended ones are not', () => {
  const s = withRunning();
  run(s, launch('t2'));
  offers(s, [offer('o2')]);
  update(s, { id: 't1', state: 'TASK_UNREACHABLE', agent_id: { value: 'a1' } });
  update(s, { id: 't2', state: 'TASK_FAILED', agent_id: { value: 'a1' } });
  const periodic = timer(s, TIMER_IMPLICIT, T0 + 15 * 60_000);
  assert.deepEqual(callsOf(periodic).map((c) => c.reconcile), [{ tasks: [] }, { tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'a1' } }] }]);
  assert.equal(s.reconciliation!.blocksOffers, false);
  assert.deepEqual(only(periodic, 'set-timer').map((t) => [t.name, t.at]), [
    [TIMER_RECONCILE, T0 + 15 * 60_000 + 1000],
    [TIMER_IMPLICIT, T0 + 30 * 60_000],
  ]);
  run(s, { type: 'disconnected', reason: 'eof', now: T0 + 16 * 60_000 });
  const resub = subscribed(s, T0 + 17 * 60_000);
  assert.deepEqual(callsOf(resub)[0]!.reconcile, { tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'a1' } }] });
});

test('a launched but never confirmed task is reconciled after re-subscribing', () => {
  const s = ready();
  run(s, launch('t1'));
  offers(s, [offer('o1')]);
  run(s, { type: 'disconnected', reason: 'eof', now: T0 + 1 });
  const effects = subscribed(s, T0 + 2);
  assert.deepEqual(callsOf(effects)[0], { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'a1' } }] }, framework_id: { value: FID } });
  assert.deepEqual(statuses(update(s, { id: 't1', state: 'TASK_STAGING', source: 'SOURCE_MASTER', reason: 'REASON_RECONCILIATION' })), [['t1', 'TASK_STAGING', false]]);
  assert.equal(s.reconciliation, null);
});

test('implicit reconciliation: adopt unknown tasks that are ours, kill the others', () => {
  const s = ready();
  const fired = timer(s, TIMER_IMPLICIT, T0 + 15 * 60_000);
  assert.deepEqual(callsOf(fired), [{ type: 'RECONCILE', reconcile: { tasks: [] }, framework_id: { value: FID } }]);
  const reconciled = { source: 'SOURCE_MASTER' as const, reason: 'REASON_RECONCILIATION' };
  const adopted = update(s, { id: 'ours-7', state: 'TASK_RUNNING', agent_id: { value: 'a3' }, ...reconciled });
  assert.deepEqual(statuses(adopted), [['ours-7', 'TASK_RUNNING', false]]);
  assert.deepEqual(callTypes(adopted), []);
  assert.equal(s.tasks.get('ours-7')!.agentId, 'a3');
  const killed = update(s, { id: 'alien', state: 'TASK_RUNNING', agent_id: { value: 'a3' }, ...reconciled });
  assert.deepEqual(statuses(killed), []);
  assert.deepEqual(callsOf(killed), [{ type: 'KILL', kill: { task_id: { value: 'alien' }, agent_id: { value: 'a3' } }, framework_id: { value: FID } }]);
  assert.deepEqual(callTypes(update(s, { id: 'alien-done', state: 'TASK_FINISHED', ...reconciled })), []);
  assert.equal(s.tasks.has('alien'), false);
});

test('kill sends the agent and the grace period in nanoseconds', () => {
  const s = withRunning();
  assert.deepEqual(callsOf(run(s, { type: 'kill', taskId: 't1', gracePeriodMs: 5000 })), [
    { type: 'KILL', kill: { task_id: { value: 't1' }, agent_id: { value: 'a1' }, kill_policy: { grace_period: { nanoseconds: 5_000_000_000 } } }, framework_id: { value: FID } },
  ]);
  assert.deepEqual(callsOf(run(s, { type: 'kill', taskId: 't1' }))[0]!.kill, { task_id: { value: 't1' }, agent_id: { value: 'a1' } });
  assert.deepEqual(statuses(update(s, { id: 't1', state: 'TASK_KILLING', agent_id: { value: 'a1' } })), [['t1', 'TASK_KILLING', false]]);
  assert.deepEqual(statuses(update(s, { id: 't1', state: 'TASK_KILLED', agent_id: { value: 'a1' } })), [['t1', 'TASK_KILLED', true]]);
  assert.deepEqual(callTypes(run(s, { type: 'kill', taskId: 't1' })), [], 'nothing to kill any more');
});

test('a kill asked while disconnected is sent after re-subscribing', () => {
  const s = withRunning();
  run(s, { type: 'disconnected', reason: 'eof', now: T0 + 1 });
  assert.deepEqual(callTypes(run(s, { type: 'kill', taskId: 't1', gracePeriodMs: 1000 })), []);
  assert.deepEqual(callTypes(subscribed(s, T0 + 2)), ['RECONCILE', 'KILL', 'SUPPRESS']);
});

test('killing a pending request drops it and reports TASK_KILLED from the framework', () => {
  const s = ready();
  run(s, launch('t1'));
  const effects = run(s, { type: 'kill', taskId: 't1' });
  assert.deepEqual(newsOf(effects), [
    {
      taskId: 't1',
      status: { task_id: { value: 't1' }, state: 'TASK_KILLED', source: 'SOURCE_FRAMEWORK', message: 'killed before launch' },
      terminal: true,
      started: false,
      agentId: null,
      ack: null,
    },
  ]);
  assert.equal(s.pending.size, 0);
  assert.deepEqual(callTypes(offers(s, [offer('o1')])), ['DECLINE']);
});

test('forget stops tracking a task: it is not reconciled or killed any more', () => {
  const s = withRunning();
  run(s, { type: 'forget', taskId: 't1' });
  assert.equal(s.tasks.size, 0);
  assert.deepEqual(callTypes(run(s, { type: 'kill', taskId: 't1' })), []);
  run(s, { type: 'disconnected', reason: 'eof', now: T0 + 1 });
  assert.deepEqual(callTypes(subscribed(s, T0 + 2)), ['SUPPRESS']);
});

test('launch requests reusing a task id are refused', () => {
  const s = withRunning();
  const effects = run(s, launch('t1'));
  assert.equal(s.pending.size, 0);
  assert.equal(only(effects, 'log')[0]!.level, 'error');
});

test("custom messages and the application's timers reach its hooks with a read-only view", () => {
  const seen: string[] = [];
  const s = ready({
    onCustom: (view, message) => [effect<AppEffect>({ type: 'pong', n: message.n, tasks: view.tasks.size }), setTimer('app.cleanup', T0 + 50), setTimer('mesos.mine', T0)],
    onTimer: (view, name, now) => {
      seen.push(`${name}@${now}:${view.frameworkId}`);
      return [cancelTimer('app.other')];
    },
  });
  run(s, launch('t1'));
  offers(s, [offer('o1')]);
  const effects = run(s, { type: 'custom', message: { kind: 'ping', n: 7 } });
  assert.deepEqual(
    effects.filter((e) => e.type !== 'log'),
    [
      { type: 'app', effect: { type: 'pong', n: 7, tasks: 1 } },
      { type: 'set-timer', name: 'app.cleanup', at: T0 + 50 },
    ],
  );
  assert.match(only(effects, 'log')[0]!.message, /"mesos\." are the framework's/);
  assert.deepEqual(timer(s, 'app.cleanup', T0 + 50), [{ type: 'cancel-timer', name: 'app.other' }]);
  assert.deepEqual(seen, [`app.cleanup@${T0 + 50}:${FID}`]);
});

test('TEARDOWN only on request; the dead id is persisted as null', () => {
  const s = withRunning();
  const everything: Effect[] = [];
  everything.push(...update(s, { id: 't1', state: 'TASK_FAILED', agent_id: { value: 'a1' } }));
  everything.push(...run(s, { type: 'disconnected', reason: 'ERROR: Framework failed over', now: T0 + 1 }));
  everything.push(...subscribed(s, T0 + 2));
  everything.push(...ev(s, { type: 'ERROR', error: { message: 'boom' } }));
  everything.push(...timer(s, TIMER_IMPLICIT, T0 + 15 * 60_000 + 2));
  assert.equal(callTypes(everything).includes('TEARDOWN'), false);
  const effects = run(s, { type: 'teardown' });
  assert.deepEqual(callsOf(effects), [{ type: 'TEARDOWN', framework_id: { value: FID } }]);
  assert.deepEqual(only(effects, 'persist-framework-id'), [{ type: 'persist-framework-id', frameworkId: null }]);
  assert.equal(s.connected, false);
  assert.equal(s.frameworkId, null);
  assert.deepEqual(run(s, { type: 'teardown' }), []);
});

test('a teardown asked while disconnected is sent as soon as subscribed', () => {
  const s = withRunning();
  run(s, { type: 'disconnected', reason: 'eof', now: T0 + 1 });
  assert.deepEqual(callTypes(run(s, { type: 'teardown' })), []);
  assert.deepEqual(callTypes(subscribed(s, T0 + 2)), ['TEARDOWN']);
});

test('disconnected: timers cancelled, events from the old stream (offers, updates) ignored, nothing sent', () => {
  const s = withRunning();
  run(s, launch('t2'));
  const effects = run(s, { type: 'disconnected', reason: 'eof', now: T0 + 1 });
  assert.deepEqual(only(effects, 'cancel-timer').map((e) => e.name), [TIMER_RECONCILE, TIMER_IMPLICIT, TIMER_RECHECK]);
  assert.deepEqual(callTypes(effects), []);
  assert.deepEqual(callTypes(offers(s, [offer('o9')])), []);
  assert.deepEqual(callTypes(update(s, { id: 't1', state: 'TASK_FINISHED', uuid: UUID, agent_id: { value: 'a1' } })), []);
  assert.deepEqual(callTypes(timer(s, TIMER_IMPLICIT, T0 + 15 * 60_000)), []);
  assert.deepEqual(callTypes(run(s, launch('t3'))), []);
  assert.equal(s.tasks.get('t1')!.state, 'TASK_RUNNING', 'tasks are kept');
  assert.deepEqual([...s.pending.keys()], ['t2', 't3']);
  // After re-subscribing: reconcile first, and offers wait for it.
  const resub = subscribed(s, T0 + 5);
  assert.deepEqual(callTypes(resub), ['RECONCILE']);
  assert.deepEqual(callTypes(offers(s, [offer('o10')])), ['DECLINE']);
});

test('no call of type UNKNOWN can be built (a real master aborts on it)', () => {
  // @ts-expect-error UNKNOWN is not a CallType
  const unknown: Call = { type: 'UNKNOWN' };
  assert.equal(unknown.type, 'UNKNOWN');
});
