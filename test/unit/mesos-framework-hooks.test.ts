/**
 * The framework reducer with the application's hooks: reactions applied in place, master
 * errors, the framework's blacklist, GPU declaration, and tasks the master does not know.
 *
 * Run: node --import tsx --test test/unit/mesos-framework-hooks.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TIMER_RECHECK, effect, forget, frameworkInfo, kill, launch as launchReaction, subscribeCall } from '../../src/mesos/framework/index.js';
import {
  FID,
  T0,
  UUID,
  callTypes,
  callsOf,
  launch,
  launchedOf,
  newsOf,
  offer,
  offers,
  only,
  ready,
  request,
  run,
  setup,
  statuses,
  subscribed,
  timer,
  update,
  withRunning,
  type AppEffect,
} from '../helpers/framework-harness.js';

const reconciled = { source: 'SOURCE_MASTER' as const, reason: 'REASON_RECONCILIATION' };

test('reactions apply within the same update, in order: a relaunch after a failure is pending at once', () => {
  const s = withRunning('t1', {
    onTaskStatus: (_view, news) => [effect<AppEffect>({ type: 'news', news }), ...(news.terminal ? [launchReaction(request('t2'))] : [])],
  });
  const effects = update(s, { id: 't1', state: 'TASK_FAILED', agent_id: { value: 'a1' }, uuid: UUID });
  assert.deepEqual(statuses(effects), [['t1', 'TASK_FAILED', true]]);
  assert.deepEqual([...s.pending.keys()], ['t2']);
  assert.deepEqual(callTypes(effects), ['ACKNOWLEDGE', 'REVIVE'], 'acknowledged on receipt; the new demand revives offers in the same update');
});

test('a kill reaction from onTaskLaunched follows the ACCEPT that launched the task', () => {
  const s = ready({ onTaskLaunched: (_view, launched) => (launched.taskId === 't1' ? [kill(launched.taskId, 2000)] : []) });
  run(s, launch('t1'));
  const effects = offers(s, [offer('o1')]);
  assert.deepEqual(callTypes(effects), ['ACCEPT', 'KILL', 'SUPPRESS']);
  assert.deepEqual(callsOf(effects)[1]!.kill, { task_id: { value: 't1' }, agent_id: { value: 'a1' }, kill_policy: { grace_period: { nanoseconds: 2e9 } } });
});

test('the framework tracks whether a task may have run: STARTING, RUNNING, KILLING or UNREACHABLE', () => {
  const s = ready();
  run(s, launch('t1'));
  offers(s, [offer('o1')]);
  assert.deepEqual(newsOf(update(s, { id: 't1', state: 'TASK_STAGING', ...reconciled })).map((n) => [n.started, n.agentId]), [[false, 'a1']]);
  assert.deepEqual(newsOf(update(s, { id: 't1', state: 'TASK_STARTING', agent_id: { value: 'a1' } })).map((n) => n.started), [true]);
  assert.deepEqual(newsOf(update(s, { id: 't1', state: 'TASK_LOST', agent_id: { value: 'a1' } })).map((n) => n.started), [true], 'a loss after starting');
  const restored = setup({}, { tasks: [{ taskId: 'r1', agentId: 'a1', state: 'TASK_RUNNING', started: true }, { taskId: 'r2' }] });
  assert.deepEqual([...restored.tasks.values()].map((t) => t.started), [true, false]);
});

test('onSubscribed runs on each new subscription; onAgentSeen on the first offer of an agent, before packing', () => {
  let subscriptions = 0;
  const s = setup({
    onSubscribed: () => {
      subscriptions += 1;
      return [];
    },
    // A request pinned to each agent as it appears is placed in that very offer.
    onAgentSeen: (_view, first) => [launchReaction(request(`t-${first.agent_id.value}`, { agentId: first.agent_id.value }))],
  });
  subscribed(s);
  run(s, { type: 'connected', frameworkId: FID, now: T0 });
  assert.equal(subscriptions, 1, 'the same subscription reported twice counts once');
  assert.deepEqual(launchedOf(offers(s, [offer('o1', 'a1'), offer('o2', 'a2')])).map((l) => [l.taskId, l.agentId]), [['t-a1', 'a1'], ['t-a2', 'a2']]);
  assert.deepEqual(launchedOf(offers(s, [offer('o3', 'a1')])), [], 'a1 was seen before');
  run(s, { type: 'disconnected', reason: 'eof', now: T0 + 1 });
  subscribed(s, T0 + 2);
  assert.equal(subscriptions, 2);
});

test("'by-application' without an onTaskStatus hook: nobody would acknowledge, so it is done on receipt", () => {
  const s = withRunning('t1', { acknowledge: 'by-application', onTaskStatus: undefined });
  assert.deepEqual(callTypes(update(s, { id: 't1', state: 'TASK_FINISHED', agent_id: { value: 'a1' }, uuid: UUID })), ['ACKNOWLEDGE']);
});

test('master errors: "failed over" stops the runner; "removed" clears and persists the id, then a new framework subscribes', () => {
  const s = withRunning();
  const failedOver = run(s, { type: 'master-error', message: 'Framework failed over', fatal: false, now: T0 + 1 });
  assert.deepEqual(only(failedOver, 'stop'), [{ type: 'stop', reason: `Mesos: Framework failed over: another scheduler subscribed as framework ${FID}` }]);

  const removed = ready({}, { frameworkId: FID });
  run(removed, { type: 'disconnected', reason: 'eof', now: T0 + 1 });
  const effects = run(removed, { type: 'master-error', message: 'Framework has been removed', fatal: false, now: T0 + 2 });
  assert.deepEqual(only(effects, 'persist-framework-id'), [{ type: 'persist-framework-id', frameworkId: null }]);
  assert.equal(only(effects, 'log')[0]!.level, 'error');
  assert.equal(removed.frameworkId, null);
  assert.equal(subscribeCall(removed).framework_id, undefined, 'the next SUBSCRIBE asks for a new id');
  assert.deepEqual(only(subscribed(removed, T0 + 3, 'fw-0002'), 'persist-framework-id'), [{ type: 'persist-framework-id', frameworkId: 'fw-0002' }]);

  assert.deepEqual(only(run(setup(), { type: 'master-error', message: 'SUBSCRIBE refused with 400: bad role', fatal: true, now: T0 }), 'stop'), [
    { type: 'stop', reason: 'Mesos: SUBSCRIBE refused with 400: bad role' },
  ]);
  const passing = run(setup(), { type: 'master-error', message: 'connect ECONNREFUSED', fatal: false, now: T0 });
  assert.deepEqual([only(passing, 'stop'), only(passing, 'log').map((l) => l.level)], [[], ['warn']]);
});

test("the blacklist: nothing is placed there whatever the request says; its offers are declined; lifting it revives", () => {
  const s = ready({}, { blacklist: ['a1'] });
  run(s, launch('t1'));
  const declined = offers(s, [offer('o1', 'a1')]);
  assert.deepEqual(callsOf(declined), [{ type: 'DECLINE', decline: { offer_ids: [{ value: 'o1' }], filters: { refuse_seconds: 3600 } }, framework_id: { value: FID } }]);
  assert.deepEqual([...s.pending.keys()], ['t1'], 'still waiting: its only agent is blacklisted');
  assert.deepEqual(callTypes(run(s, { type: 'blacklist', agents: ['a1'] })), [], 'the same list again changes nothing');
  assert.deepEqual(callTypes(run(s, { type: 'blacklist', agents: [] })), ['REVIVE'], 'lifted while a request waits: the hour-long filter must go');
  assert.deepEqual(launchedOf(offers(s, [offer('o2', 'a1')])).map((l) => l.taskId), ['t1']);
  // A change with nothing pending needs no REVIVE; a request pinned to the agent is held back too.
  assert.deepEqual(callTypes(run(s, { type: 'blacklist', agents: ['a2'] })), []);
  run(s, launch('t2', { agentId: 'a2' }));
  assert.deepEqual(launchedOf(offers(s, [offer('o3', 'a2')])), []);
});

test('GPU_RESOURCES: declared by UPDATE_FRAMEWORK when a request asks for gpus, and in every later SUBSCRIBE', () => {
  const s = ready();
  assert.equal(frameworkInfo(s).capabilities!.some((c) => c.type === 'GPU_RESOURCES'), false);
  const effects = run(s, launch('t1', { resources: { cpus: 1, mem: 128, disk: 0, gpus: 1, ports: 0 } }));
  assert.deepEqual(callTypes(effects), ['UPDATE_FRAMEWORK', 'REVIVE']);
  const updateCall = callsOf(effects)[0]!;
  assert.deepEqual(updateCall.framework_id, { value: FID });
  assert.deepEqual(updateCall.update_framework!.framework_info.id, { value: FID }, 'the master wants both ids equal');
  assert.ok(updateCall.update_framework!.framework_info.capabilities!.some((c) => c.type === 'GPU_RESOURCES'));
  assert.deepEqual(updateCall.update_framework!.suppressed_roles, ['cron'], 'UPDATE_FRAMEWORK replaces the suppressed set: say what it is');
  assert.deepEqual(launchedOf(offers(s, [offer('o1', 'a1', 4, { gpus: 2 })])).map((l) => l.taskId), ['t1']);
  assert.deepEqual(callTypes(run(s, launch('t2', { resources: { cpus: 1, mem: 128, disk: 0, gpus: 1, ports: 0 } }))), ['REVIVE'], 'declared once');
  assert.ok(subscribeCall(s).subscribe!.framework_info.capabilities!.some((c) => c.type === 'GPU_RESOURCES'));

  const offline = setup();
  assert.deepEqual(callTypes(run(offline, launch('t1', { resources: { cpus: 1, mem: 1, disk: 0, gpus: 1, ports: 0 } }))), [], 'nothing sent while disconnected');
  assert.ok(subscribeCall(offline).subscribe!.framework_info.capabilities!.some((c) => c.type === 'GPU_RESOURCES'));
  const declared = ready({ gpuResources: true });
  assert.deepEqual(callTypes(run(declared, launch('t1', { resources: { cpus: 1, mem: 1, disk: 0, gpus: 1, ports: 0 } }))), ['REVIVE'], 'declared from the start');
});

test('TASK_UNKNOWN keeps the task and asks again, until another state comes; a later terminal update is news', () => {
  const s = withRunning('t1', { reconcile: { maxDelayMs: 4000 } });
  const unknown = { id: 't1', state: 'TASK_UNKNOWN' as const, agent_id: { value: 'a1' }, ...reconciled, message: 'Reconciliation: Task is unknown' };
  const first = update(s, unknown, T0 + 100);
  assert.deepEqual(statuses(first), [['t1', 'TASK_UNKNOWN', false]]);
  assert.deepEqual(newsOf(first)[0]!.started, true);
  assert.deepEqual(only(first, 'set-timer'), [{ type: 'set-timer', name: TIMER_RECHECK, at: T0 + 1100 }]);
  const fired = timer(s, TIMER_RECHECK, T0 + 1100);
  assert.deepEqual(callsOf(fired).map((c) => c.reconcile), [{ tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'a1' } }] }]);
  const again = update(s, unknown, T0 + 1101);
  assert.deepEqual([statuses(again), only(again, 'set-timer')], [[], []], 'the same answer again: not news, and the schedule stands');
  assert.deepEqual(s.rechecks.get('t1'), { delayMs: 2000, at: T0 + 3100 });
  // The agent re-registers: the master reports the task; then the agent's own final update.
  const back = update(s, { id: 't1', state: 'TASK_RUNNING', agent_id: { value: 'a1' }, source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REREGISTERED' });
  assert.deepEqual(only(back, 'cancel-timer'), [{ type: 'cancel-timer', name: TIMER_RECHECK }]);
  assert.deepEqual(callTypes(back), [], 'not being killed: nothing to re-send');
  assert.deepEqual(statuses(update(s, { id: 't1', state: 'TASK_FINISHED', agent_id: { value: 'a1' }, uuid: UUID })), [['t1', 'TASK_FINISHED', true]]);
});

test('rechecks back off per round: 1 s, then 2 s, 4 s, capped', () => {
  const s = withRunning('t1', { reconcile: { maxDelayMs: 4000 } });
  update(s, { id: 't1', state: 'TASK_UNKNOWN', agent_id: { value: 'a1' }, ...reconciled }, T0 + 100);
  const fireTimes: number[] = [];
  let at = s.rechecks.get('t1')!.at;
  for (let i = 0; i < 5; i++) {
    fireTimes.push(at - T0 - 100);
    const fired = timer(s, TIMER_RECHECK, at);
    assert.deepEqual(callTypes(fired), ['RECONCILE']);
    at = only(fired, 'set-timer')[0]!.at;
  }
  assert.deepEqual(fireTimes, [1000, 3000, 7000, 11_000, 15_000]);
  assert.deepEqual(callTypes(timer(s, TIMER_RECHECK, at - 1)), [], 'not due yet');
});

test('the application forgetting an unknown task ends its rechecks; a disconnect pauses them until the next subscription', () => {
  const s = withRunning('t1');
  update(s, { id: 't1', state: 'TASK_UNKNOWN', agent_id: { value: 'a1' }, ...reconciled });
  run(s, { type: 'disconnected', reason: 'eof', now: T0 + 10 });
  assert.deepEqual(callTypes(timer(s, TIMER_RECHECK, T0 + 2000)), [], 'nothing sent while disconnected');
  const resub = subscribed(s, T0 + 3000);
  assert.ok(only(resub, 'set-timer').some((t) => t.name === TIMER_RECHECK), 'armed again after subscribing');
  const dropped = run(s, { type: 'forget', taskId: 't1', now: T0 + 3001 });
  assert.equal(s.rechecks.size, 0);
  assert.ok(only(dropped, 'cancel-timer').some((t) => t.name === TIMER_RECHECK));

  const givingUp = withRunning('t1', { onTaskStatus: (_view, news) => (news.status.state === 'TASK_UNKNOWN' ? [forget(news.taskId)] : []) });
  update(givingUp, { id: 't1', state: 'TASK_UNKNOWN', agent_id: { value: 'a1' }, ...reconciled });
  assert.deepEqual([givingUp.tasks.size, givingUp.rechecks.size], [0, 0], 'a hook may forget it at once');
});

test('a task being killed that comes back in sight (after UNKNOWN or UNREACHABLE) gets its KILL again', () => {
  for (const gone of ['TASK_UNKNOWN', 'TASK_UNREACHABLE'] as const) {
    const s = withRunning();
    update(s, { id: 't1', state: gone, agent_id: { value: 'a1' }, ...reconciled });
    assert.deepEqual(callTypes(run(s, { type: 'kill', taskId: 't1', gracePeriodMs: 1000 })), ['KILL']);
    // The master, not knowing the task, answers the KILL with TASK_UNKNOWN and drops it.
    assert.deepEqual(callTypes(update(s, { id: 't1', state: 'TASK_UNKNOWN', agent_id: { value: 'a1' }, ...reconciled })), []);
    const back = update(s, { id: 't1', state: 'TASK_RUNNING', agent_id: { value: 'a1' }, source: 'SOURCE_MASTER', reason: 'REASON_AGENT_REREGISTERED' });
    assert.deepEqual(callsOf(back), [
      { type: 'KILL', kill: { task_id: { value: 't1' }, agent_id: { value: 'a1' }, kill_policy: { grace_period: { nanoseconds: 1e9 } } }, framework_id: { value: FID } },
    ]);
    assert.deepEqual(callTypes(update(s, { id: 't1', state: 'TASK_RUNNING', agent_id: { value: 'a1' }, uuid: UUID })), ['ACKNOWLEDGE'], 'once, not on every update');
  }
});
