/**
 * The Mesos backend keeps its framework ID through the scheduler (a `framework-id` message
 * posted durably). When the master says the framework has been removed, the ID is cleared
 * before anything else; if that write fails, the backend stops through onFatal with the
 * reason, and no promise is left to reject unhandled. Against the in-process sim.
 *
 * Run: node --import tsx --test test/integration/mesos-backend-framework-id.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MesosBackend, type MesosBackendOptions } from '../../src/backends/mesos/mesos-backend.js';
import { testMesosBackend } from '../helpers/mesos-backend.js';
import type { Message } from '../../src/core/types.js';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { eventually, sleep } from '../helpers/server-process.js';

let sim: MesosSim;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
before(async () => {
  process.on('unhandledRejection', onUnhandled);
  sim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 1, logger: () => {} });
});
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  await sim.close();
});

interface SimState {
  frameworks: { id: string; active: boolean }[];
  completed_frameworks: { id: string }[];
}
const simState = () => sim.state() as SimState;

function backend(over: Partial<MesosBackendOptions> & Pick<MesosBackendOptions, 'postDurably' | 'frameworkId' | 'onFatal'>): MesosBackend {
  return testMesosBackend(sim.url, 'framework-id-test', over);
}

/** A framework the master has removed (torn down): re-subscribing with its ID gets "Framework has been removed". */
async function removedFramework(): Promise<string> {
  const stored: (string | null)[] = [];
  const first = backend({
    frameworkId: null,
    onFatal: (error) => assert.fail(error),
    postDurably: async (m) => {
      if (m.type === 'framework-id') stored.push(m.frameworkId);
      return true;
    },
  });
  const id = await eventually(async () => stored[0] ?? undefined, 10_000, 'the first subscription');
  first.teardown();
  await eventually(async () => (simState().completed_frameworks.some((f) => f.id === id) ? true : undefined), 10_000, 'the teardown');
  await first.close();
  assert.equal(stored[1], null, 'the torn-down id was cleared');
  return id;
}

test('"Framework has been removed": the ID is cleared through the scheduler, then a new framework subscribes', async () => {
  const removed = await removedFramework();
  const posted: (string | null)[] = [];
  const again = backend({
    frameworkId: removed,
    onFatal: (error) => assert.fail(error),
    postDurably: async (m: Message) => {
      if (m.type === 'framework-id') posted.push(m.frameworkId);
      return true;
    },
  });
  try {
    const fresh = await eventually(async () => posted.find((id): id is string => id !== null), 10_000, 'a new framework');
    assert.deepEqual(posted.slice(0, 2), [null, fresh], 'cleared before the new one is stored');
    assert.notEqual(fresh, removed);
    assert.ok(simState().frameworks.some((f) => f.id === fresh && f.active));
  } finally {
    await again.close();
  }
});

test('clearing the removed ID fails (the store rejects): onFatal hears why; nothing rejects unhandled', async () => {
  const removed = await removedFramework();
  const fatal: Error[] = [];
  const failing = backend({
    frameworkId: removed,
    onFatal: (error) => fatal.push(error),
    postDurably: (m) => (m.type === 'framework-id' ? Promise.reject(new Error('store write failed: disk full')) : Promise.resolve(true)),
  });
  try {
    const error = await eventually(async () => fatal[0], 10_000, 'onFatal');
    assert.equal(error.message, 'could not store that the Mesos framework ID is no longer valid: store write failed: disk full');
    await sleep(1500);
    assert.equal(fatal.length, 1);
    assert.deepEqual(unhandled, []);
    assert.equal(simState().frameworks.filter((f) => f.active).length, 0, 'stopped: no new framework subscribed under an ID it could not keep');
  } finally {
    await failing.close();
  }
});

test('the scheduler stops before storing a new ID (postDurably answers false): onFatal, and no call is made under it', async () => {
  const fatal: Error[] = [];
  const stopping = backend({
    frameworkId: null,
    onFatal: (error) => fatal.push(error),
    postDurably: async (m) => m.type !== 'framework-id',
  });
  try {
    const error = await eventually(async () => fatal[0], 10_000, 'onFatal');
    assert.match(error.message, /^could not store the Mesos framework ID \S+: the scheduler stopped before storing it$/);
    assert.deepEqual(unhandled, []);
  } finally {
    await stopping.close();
  }
});
