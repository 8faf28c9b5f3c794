/**
 * A network partition on Mesos, end to end: `moroccron serve --backend mesos
 * --unreachable-timeout 3s` against the in-process sim. A run whose agent is cut off is
 * lost after 3 s and retried on the other agent; when the partition heals, its task is
 * killed, so the cut-off copy never finishes alongside the retry.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { api, eventually, runEnded, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

interface RunJson {
  id: string;
  status: string;
  attempt: number;
  agent: string | null;
  reason: string | null;
  finishedAt: string | null;
}

const dir = tempDir();
let sim: MesosSim;
let server: ServerProcess;
before(async () => {
  sim = await startMesosSim({ agents: 2, heartbeatIntervalSeconds: 1, logger: () => {} });
  server = await startServerProcess(join(dir.path, 'data'), ['--backend', 'mesos', '--mesos-master', sim.url, '--unreachable-timeout', '3s']);
});
after(async () => {
  await server?.stop();
  await sim?.close();
  dir.remove();
});

test('lost after the unreachable timeout, retried elsewhere, and killed when its agent returns', async () => {
  const ledger = join(dir.path, 'ledger');
  const created = await api(`${server.url}/api/v1/jobs`, 'POST', {
    name: 'cut-off',
    command: `echo "start $MOROCCRON_RUN_ID" >> ${ledger}; sleep 8; echo "end $MOROCCRON_RUN_ID" >> ${ledger}`,
    resources: { cpus: 0.1, mem: 16 },
    retries: { max: 1, backoff: '1s', jitter: 0 },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const first = (await api<RunJson>(`${server.url}/api/v1/jobs/cut-off/run`, 'POST')).body;
  const running = await eventually(async () => {
    const r = (await api<RunJson>(`${server.url}/api/v1/runs/${first.id}`)).body;
    return r.status === 'running' ? r : undefined;
  }, 15_000, 'the run to start');

  sim.partitionAgent(running.agent!);
  const lost = await runEnded<RunJson>(server.url, first.id, 15_000, 'the run to be given up');
  assert.equal(lost.status, 'lost');
  assert.match(lost.reason ?? '', new RegExp(`^agent ${running.agent} unreachable since .*, over 3s$`));
  await eventually(async () => {
    const runs = (await api<{ runs: RunJson[] }>(`${server.url}/api/v1/jobs/cut-off/runs`)).body.runs;
    return runs.some((x) => x.attempt === 2 && x.status === 'running') ? true : undefined;
  }, 15_000, 'the retry to start');
  sim.healAgent(running.agent!);

  const retry = await eventually(async () => {
    const runs = (await api<{ runs: RunJson[] }>(`${server.url}/api/v1/jobs/cut-off/runs`)).body.runs;
    const r = runs.find((x) => x.attempt === 2);
    return r?.finishedAt ? r : undefined;
  }, 30_000, 'the retry to finish');
  assert.equal(retry.status, 'succeeded');
  assert.notEqual(retry.agent, running.agent, 'the retry ran on the agent that could be reached');

  const lines = readFileSync(ledger, 'utf8').trim().split('\n');
  assert.deepEqual(lines.sort(), [`end ${retry.id}`, `start ${first.id}`, `start ${retry.id}`].sort(), 'the cut-off copy was killed before it finished');
  type Fw = { name: string; tasks: unknown[]; completed_tasks: { id: string; state: string }[] };
  const fw = (sim.state() as { frameworks: Fw[] }).frameworks.find((f) => f.name === 'moroccron')!;
  const ended = fw.completed_tasks.find((t) => t.id.endsWith(first.id));
  assert.equal(ended?.state, 'TASK_KILLED');
});
