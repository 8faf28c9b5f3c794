/**
 * A master restart with an in-memory registry, end to end (what a real Mesos 1.12 master
 * did, docs/mesos.md#master-failover): the new master knows no agent, so it answers reconciliation with
 * TASK_UNKNOWN until the agents re-register. A run whose task keeps running must not be
 * given up early (nor retried alongside itself); past the unreachable timeout it is lost
 * and retried, and its task is killed when its agent comes back.
 *
 * Run (after npm run build): node --import tsx --test test/e2e/mesos-master-restart.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { api, eventually, runEnded, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface RunJson {
  id: string;
  status: string;
  attempt: number;
  reason: string | null;
  finishedAt: string | null;
}

const dir = tempDir();
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  dir.remove();
});

async function setup(name: string, unreachableTimeout: string): Promise<{ sim: MesosSim; server: ServerProcess; ledger: string }> {
  const sim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 1, allocationIntervalMs: 200, logger: () => {} });
  cleanups.push(() => sim.close());
  const server = await startServerProcess(join(dir.path, name), ['--backend', 'mesos', '--mesos-master', sim.url, '--unreachable-timeout', unreachableTimeout]);
  cleanups.push(() => server.stop());
  const ledger = join(dir.path, `${name}-ledger`);
  const created = await api(`${server.url}/api/v1/jobs`, 'POST', {
    name,
    command: `echo "start $MOROCCRON_RUN_ID" >> ${ledger}; sleep 5; echo "end $MOROCCRON_RUN_ID" >> ${ledger}`,
    resources: { cpus: 0.1, mem: 16 },
    retries: { max: 1, backoff: '1s', jitter: 0 },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { sim, server, ledger };
}

async function startRun(server: ServerProcess, job: string): Promise<RunJson> {
  const run = (await api<RunJson>(`${server.url}/api/v1/jobs/${job}/run`, 'POST')).body;
  return eventually(async () => {
    const r = (await api<RunJson>(`${server.url}/api/v1/runs/${run.id}`)).body;
    return r.status === 'running' ? r : undefined;
  }, 15_000, 'the run to start');
}

const runsOf = async (server: ServerProcess, job: string): Promise<RunJson[]> => (await api<{ runs: RunJson[] }>(`${server.url}/api/v1/jobs/${job}/runs`)).body.runs;

test('TASK_UNKNOWN while the agent is away: the run carries on and ends as it did, once', async () => {
  const { sim, server, ledger } = await setup('kept', '30s');
  const first = await startRun(server, 'kept');
  await sim.restartMaster({ registry: 'in-memory', agentReregisterDelayMs: 2500 });
  const ended = await runEnded<RunJson>(server.url, first.id, 20_000, 'the run to end');
  assert.equal(ended.status, 'succeeded', `${ended.status}: ${ended.reason}`);
  assert.deepEqual((await runsOf(server, 'kept')).map((r) => r.attempt), [1], 'no retry started alongside it');
  assert.deepEqual(readFileSync(ledger, 'utf8').trim().split('\n'), [`start ${first.id}`, `end ${first.id}`]);
});

test('TASK_UNKNOWN past the unreachable timeout: lost and retried, and the first copy killed when its agent returns', async () => {
  const { sim, server, ledger } = await setup('given-up', '1s');
  const first = await startRun(server, 'given-up');
  await sim.restartMaster({ registry: 'in-memory', agentReregisterDelayMs: 3000 });
  const lost = await runEnded<RunJson>(server.url, first.id, 15_000, 'the run to be given up');
  assert.equal(lost.status, 'lost');
  const retry = await eventually(async () => {
    const r = (await runsOf(server, 'given-up')).find((x) => x.attempt === 2);
    return r?.finishedAt ? r : undefined;
  }, 30_000, 'the retry to run once the agent is back');
  assert.equal(retry.status, 'succeeded');
  const lines = readFileSync(ledger, 'utf8').trim().split('\n');
  assert.deepEqual(lines.sort(), [`end ${retry.id}`, `start ${first.id}`, `start ${retry.id}`].sort(), 'the first copy was killed before it finished');
});
