/**
 * The pure parts of the scheduler client: Call JSON (docs/mesos.md#json), master addresses and
 * redirects (#redirects, #master-detection), backoff (#reconnect).
 *
 * Run: node --import tsx --test test/integration/mesos-client-calls.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FrameworkInfo, TaskInfo } from '../../src/mesos/types.js';
import {
  DEFAULT_BACKOFF,
  UrlListMasterDetector,
  backoffDelay,
  calls,
  normalizeMasterUrl,
  parseMasterList,
  resolveRedirect,
  withFrameworkId,
} from '../../src/mesos/client/index.js';

const INFO: FrameworkInfo = { user: 'cron', name: 'moroccron', roles: ['cron'], checkpoint: true, failover_timeout: 604800 };

test('subscribe: a new framework has no id anywhere; a re-subscribe has it at the top and in framework_info', () => {
  assert.deepEqual(calls.subscribe(INFO), { type: 'SUBSCRIBE', subscribe: { framework_info: INFO } });
  assert.deepEqual(calls.subscribe(INFO, { frameworkId: 'F-1', suppressedRoles: ['cron'] }), {
    type: 'SUBSCRIBE',
    framework_id: { value: 'F-1' },
    subscribe: { framework_info: { ...INFO, id: { value: 'F-1' } }, suppressed_roles: ['cron'] },
  });
  // An id inside the info is used for both places; the option wins over it.
  assert.deepEqual(calls.subscribe({ ...INFO, id: { value: 'F-old' } }).framework_id, { value: 'F-old' });
  const both = calls.subscribe({ ...INFO, id: { value: 'F-old' } }, { frameworkId: { value: 'F-new' } });
  assert.deepEqual([both.framework_id, both.subscribe?.framework_info.id], [{ value: 'F-new' }, { value: 'F-new' }]);
  assert.deepEqual(calls.subscribe(INFO, { suppressedRoles: [] }).subscribe, { framework_info: INFO });
});

test('updateFramework and withFrameworkId keep the two ids equal', () => {
  const call = withFrameworkId(calls.updateFramework(INFO, { suppressedRoles: ['cron'] }), 'F-2');
  assert.deepEqual(call, {
    type: 'UPDATE_FRAMEWORK',
    framework_id: { value: 'F-2' },
    update_framework: { framework_info: { ...INFO, id: { value: 'F-2' } }, suppressed_roles: ['cron'] },
  });
  assert.deepEqual(withFrameworkId(calls.teardown(), 'F-2'), { type: 'TEARDOWN', framework_id: { value: 'F-2' } });
  assert.equal(INFO.id, undefined, 'inputs are not mutated');
});

test('offer calls', () => {
  const task: TaskInfo = {
    name: 'job',
    task_id: { value: 't1' },
    agent_id: { value: 'S0' },
    resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }],
    command: { shell: true, value: './run.sh' },
  };
  assert.deepEqual(calls.accept(['O1', { value: 'O2' }], [calls.launch([task])], { refuse_seconds: 5 }), {
    type: 'ACCEPT',
    accept: {
      offer_ids: [{ value: 'O1' }, { value: 'O2' }],
      operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }],
      filters: { refuse_seconds: 5 },
    },
  });
  assert.deepEqual(calls.decline(['O3'], { refuse_seconds: 3600 }), {
    type: 'DECLINE',
    decline: { offer_ids: [{ value: 'O3' }], filters: { refuse_seconds: 3600 } },
  });
  assert.deepEqual(calls.decline(['O3']), { type: 'DECLINE', decline: { offer_ids: [{ value: 'O3' }] } });
  // `roles` (plural, docs/mesos.md#json); none means all roles.
  assert.deepEqual(calls.revive(['cron']), { type: 'REVIVE', revive: { roles: ['cron'] } });
  assert.deepEqual(calls.revive(), { type: 'REVIVE', revive: {} });
  assert.deepEqual(calls.suppress(['cron']), { type: 'SUPPRESS', suppress: { roles: ['cron'] } });
  assert.deepEqual(calls.suppress(), { type: 'SUPPRESS', suppress: {} });
});

test('task calls', () => {
  assert.deepEqual(calls.kill('t1'), { type: 'KILL', kill: { task_id: { value: 't1' } } });
  assert.deepEqual(calls.kill('t1', 'S0', 5000), {
    type: 'KILL',
    kill: { task_id: { value: 't1' }, agent_id: { value: 'S0' }, kill_policy: { grace_period: { nanoseconds: 5_000_000_000 } } },
  });
  assert.deepEqual(calls.acknowledge('S0', 't1', 'PyuMHppNTm+LIXxdDp+hIw=='), {
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: { value: 'S0' }, task_id: { value: 't1' }, uuid: 'PyuMHppNTm+LIXxdDp+hIw==' },
  });
  assert.deepEqual(calls.reconcile([{ taskId: 't1', agentId: 'S0' }, { taskId: 't2' }]), {
    type: 'RECONCILE',
    reconcile: { tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'S0' } }, { task_id: { value: 't2' } }] },
  });
  assert.deepEqual(calls.reconcile([]), { type: 'RECONCILE', reconcile: { tasks: [] } });
  assert.deepEqual(calls.shutdown('E1', 'S0'), { type: 'SHUTDOWN', shutdown: { executor_id: { value: 'E1' }, agent_id: { value: 'S0' } } });
  assert.deepEqual(calls.message('S0', 'E1', 'aGk='), {
    type: 'MESSAGE',
    message: { agent_id: { value: 'S0' }, executor_id: { value: 'E1' }, data: 'aGk=' },
  });
});

test('master lists: schemes optional, trailing slashes dropped, duplicates merged; a zk:// address is not a list entry', () => {
  assert.deepEqual(parseMasterList('http://h1:5050, h2:5050/,https://h3:5050/mesos/,h1:5050'), [
    'http://h1:5050',
    'http://h2:5050',
    'https://h3:5050/mesos',
  ]);
  assert.equal(normalizeMasterUrl('10.0.0.1:5050'), 'http://10.0.0.1:5050');
  assert.throws(() => parseMasterList(' , '), /no master addresses/);
  assert.throws(() => parseMasterList('zk://h1:2181/mesos'), /ZooKeeper detector/);
  assert.throws(() => parseMasterList('http://h1:5050,zk://h1:2181/mesos'), /ZooKeeper detector/);
  assert.throws(() => parseMasterList('ftp://h1'), /http or https/);
  const detector = new UrlListMasterDetector(['h1:5050', 'http://h2:5050']);
  assert.deepEqual(detector.candidates(), ['http://h1:5050', 'http://h2:5050']);
});

test('redirects: scheme-relative Locations take the current scheme; a bare host keeps the path', () => {
  assert.equal(
    resolveRedirect('//m2.example:5050/master/api/v1/scheduler', 'https://m1.example:5050/api/v1/scheduler'),
    'https://m2.example:5050/master/api/v1/scheduler',
  );
  assert.equal(resolveRedirect('//m2:5050', 'http://m1:5050/api/v1/scheduler'), 'http://m2:5050/api/v1/scheduler');
  assert.equal(resolveRedirect('http://m3:5050/api/v1/scheduler', 'https://m1:5050/api/v1/scheduler'), 'http://m3:5050/api/v1/scheduler');
});

test('backoff: full jitter under base × factor^attempt, capped', () => {
  assert.deepEqual(DEFAULT_BACKOFF, { baseMs: 250, factor: 2, maxMs: 15_000 });
  const ceilings = [0, 1, 2, 5, 6, 7, 60, 2000].map((n) => backoffDelay(n, DEFAULT_BACKOFF, () => 1));
  assert.deepEqual(ceilings, [250, 500, 1000, 8000, 15_000, 15_000, 15_000, 15_000]);
  assert.equal(backoffDelay(3, DEFAULT_BACKOFF, () => 0), 0);
  assert.equal(backoffDelay(3, DEFAULT_BACKOFF, () => 0.5), 1000);
});
