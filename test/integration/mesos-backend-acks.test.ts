/**
 * The Mesos backend acknowledges a status update only once the run state it carries is in
 * the store. A scheduler that dies in between gets the update again on re-subscribing, so
 * how a run ended is never lost (and the run never relaunched). Against the in-process sim.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MesosBackend, type MesosBackendOptions } from '../../src/backends/mesos/mesos-backend.js';
import { testMesosBackend } from '../helpers/mesos-backend.js';
import type { Message, Run } from '../../src/core/types.js';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { eventually } from '../helpers/server-process.js';
import { run, spec } from '../helpers/store-contract.js';

let sim: MesosSim;
before(async () => {
  sim = await startMesosSim({ agents: 1, logger: () => {} });
});
after(async () => {
  await sim.close();
});

interface FrameworkJson {
  id: string;
  active: boolean;
  tasks: { id: string; state: string }[];
  completed_tasks: { id: string; state: string }[];
}
const frameworks = () => (sim.state() as { frameworks: FrameworkJson[] }).frameworks;

function backend(over: Partial<MesosBackendOptions> & Pick<MesosBackendOptions, 'postDurably' | 'frameworkId'>): MesosBackend {
  return testMesosBackend(sim.url, 'acks-test', {
    onFatal: (error) => assert.fail(error),
    reconcile: { initialDelayMs: 200, maxDelayMs: 1000 },
    ...over,
  });
}

/** Stores the framework ID the backend posts; every other message as `others` says. */
function storing(onFrameworkId: (id: string | null) => void, others: (m: Message) => Promise<boolean>): (m: Message) => Promise<boolean> {
  return (m) => {
    if (m.type !== 'framework-id') return others(m);
    onFrameworkId(m.frameworkId);
    return Promise.resolve(true);
  };
}

test('a terminal update not yet stored stays unacknowledged, and the next scheduler gets it', async () => {
  let frameworkId: string | null = null;
  const seen: Message[] = [];
  const job = spec('acked', { command: 'exit 3', resources: { cpus: 0.1, mem: 32 } });
  const task: Run = run('acked', { status: 'launching' });
  // The first scheduler hears the run end but dies before its store write commits.
  const first = backend({
    frameworkId: null,
    postDurably: storing(
      (id) => (frameworkId = id),
      (m) => {
        seen.push(m);
        return m.type === 'run-exited' ? new Promise<boolean>(() => {}) : Promise.resolve(true);
      },
    ),
  });
  first.launch(task, job);
  const exited = await eventually(async () => seen.find((m) => m.type === 'run-exited'), 20_000, 'the first scheduler to hear the run end');
  assert.equal((exited as Extract<Message, { type: 'run-exited' }>).exitCode, 3);
  const ours = () => frameworks().find((f) => f.id === frameworkId)!;
  assert.deepEqual(ours().tasks.map((t) => t.state), ['TASK_FAILED'], 'terminal but unacknowledged: the master still holds it');
  await first.close();

  const again: Message[] = [];
  const second = backend({
    frameworkId,
    activeRuns: [{ ...task, status: 'running' }],
    postDurably: storing(
      () => {},
      async (m) => {
        again.push(m);
        return true;
      },
    ),
  });
  try {
    const redelivered = await eventually(async () => again.find((m) => m.type === 'run-exited' || m.type === 'run-lost'), 20_000, 'the update to come again');
    assert.equal(redelivered.type, 'run-exited', 'recorded as it ended, not as lost');
    assert.equal((redelivered as Extract<Message, { type: 'run-exited' }>).exitCode, 3);
    await eventually(async () => (ours().tasks.length === 0 && ours().completed_tasks.length === 1 ? true : undefined), 10_000, 'the stored update to be acknowledged');
  } finally {
    await second.close();
  }
});
