/**
 * The local agent's capacity (runs wait for room, by priority), run-history retention (old
 * runs and their log dirs go), isolation and container jobs, against a real server with a
 * small capacity.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { api, BIN, eventually, runEnded, sleep, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';
import { containerName } from '../../src/backends/local/container-command.js';
import { containerExists, podmanForTests, TEST_IMAGE } from '../helpers/podman.js';

const execFileAsync = promisify(execFile);

interface RunJson {
  id: string;
  job: string;
  status: string;
  reason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

// Before the server starts: it sets CONTAINERS_CONF, which the server inherits.
const podman = podmanForTests();
const dir = tempDir();
const data = join(dir.path, 'data');
let server: ServerProcess;
before(async () => {
  server = await startServerProcess(data, ['--cpus', '1', '--mem', '1024', '--prune-interval', '1s']);
});
after(async () => {
  await server.stop();
  dir.remove();
});

const create = async (spec: Record<string, unknown>) => assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', spec)).status, 201);
const runNow = async (job: string) => (await api<RunJson>(`${server.url}/api/v1/jobs/${job}/run`, 'POST')).body;
const finished = (id: string) =>
  runEnded<RunJson>(server.url, id, 15_000, `run ${id} to finish`);

test('runs that do not fit wait for capacity, higher priority first', async () => {
  await create({ name: 'big-low', command: 'sleep 1', resources: { cpus: 0.6 }, priority: 0, concurrency: 'allow' });
  await create({ name: 'big-high', command: 'sleep 1', resources: { cpus: 0.6 }, priority: 10, concurrency: 'allow' });
  const first = await runNow('big-low');
  await sleep(200);
  const low = await runNow('big-low');
  const high = await runNow('big-high');
  const agents = await api<{ agents: { used: { cpus: number } }[] }>(`${server.url}/api/v1/agents`);
  assert.equal(agents.body.agents[0]!.used.cpus, 0.6, 'only one 0.6-cpu run fits on 1 cpu');
  const [f, l, h] = [await finished(first.id), await finished(low.id), await finished(high.id)];
  for (const r of [f, l, h]) assert.equal(r.status, 'succeeded');
  assert.ok(Date.parse(h.startedAt!) >= Date.parse(f.finishedAt!), 'the high-priority run waited for room');
  assert.ok(Date.parse(l.startedAt!) >= Date.parse(h.finishedAt!), 'the low-priority run waited for the high-priority one');
});

test('a run that needs more than the agent has fails at once, saying why', async () => {
  await create({ name: 'too-big', command: 'true', resources: { cpus: 2 } });
  const r = await finished((await runNow('too-big')).id);
  assert.equal(r.status, 'failed');
  assert.match(r.reason ?? '', /needs more than agent .* has \(cpus 2 > 1\)/);
});

test('history beyond a job\'s limit is pruned, with its run dirs', async () => {
  await create({ name: 'chatter', schedule: '* * * * * *', command: 'echo hi', history: { keep: 3 }, resources: { cpus: 0.1 } });
  await sleep(6000);
  await api(`${server.url}/api/v1/jobs/chatter/pause`, 'POST');
  const runs = await eventually(
    async () => {
      const page = (await api<{ runs: RunJson[] }>(`${server.url}/api/v1/jobs/chatter/runs?limit=100`)).body.runs;
      return page.length <= 3 && page.every((r) => r.finishedAt) ? page : undefined;
    },
    5000,
    'history to be pruned to 3 runs',
  );
  assert.equal(runs.length, 3);
  // Dot names are the backend's bookkeeping (FIFOs made ahead, the log copier's files), never a run's.
  const dirs = readdirSync(join(data, 'runs')).filter((name) => !name.startsWith('.'));
  for (const r of runs) assert.ok(existsSync(join(data, 'runs', r.id)), `kept run ${r.id} lost its dir`);
  const chatterDirs = dirs.filter((d) => !runs.some((r) => r.id === d));
  // Dirs left are other tests' runs (3 + 1 above); the pruned chatter runs are gone.
  assert.ok(chatterDirs.length <= 4, `${chatterDirs.length} dirs not belonging to kept runs: ${chatterDirs.join(', ')}`);
});

test('a job over its memory limit fails saying so, with what it used; /agents and `moroccron agents` say how runs are isolated', async () => {
  const { agents } = (await api<{ agents: { isolation: { mode: string; why: string | null } | null }[] }>(`${server.url}/api/v1/agents`)).body;
  const isolation = agents[0]!.isolation!;
  const cli = await execFileAsync(process.execPath, [BIN, 'agents'], { env: { ...process.env, MOROCCRON_SERVER: server.url } });
  assert.match(cli.stdout, new RegExp(`ISOLATION[\\s\\S]*${isolation.mode}`));
  if (isolation.mode === 'none') {
    // local-isolation.test.ts fails under CI=true on a host without writable cgroups.
    assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'forky', command: 'true', resources: { pids: 10 } })).status, 400);
    return;
  }
  await create({ name: 'hog', args: [process.execPath, '-e', 'const kept = []; for (let i = 0; i < 50; i++) kept.push(Buffer.alloc(10 * 2 ** 20, 1))'], resources: { mem: 64, pids: 50 } });
  const run = await finished((await runNow('hog')).id);
  assert.equal(run.status, 'failed');
  assert.equal(run.reason, 'memory limit (64 MiB) exceeded');
  const stored = (await api<RunJson & { usage: { cpuSeconds: number; peakMemoryBytes: number } }>(`${server.url}/api/v1/runs/${run.id}`)).body;
  assert.ok(stored.usage.cpuSeconds > 0 && stored.usage.peakMemoryBytes > 0, JSON.stringify(stored.usage));
});

test('a container job runs through podman: its output in the run log, its kill a kill', { skip: podman.skip }, async () => {
  const cluster = (await api<{ isolation: { containers?: { runtime: string | null; version?: string } } }>(`${server.url}/api/v1/cluster`)).body;
  assert.equal(cluster.isolation.containers?.runtime, 'podman');
  const cli = await execFileAsync(process.execPath, [BIN, 'agents'], { env: { ...process.env, MOROCCRON_SERVER: server.url } });
  assert.match(cli.stdout, new RegExp(`podman ${cluster.isolation.containers!.version}`));
  assert.match(server.output(), /"containers":"podman [^"]+".*"msg":"scheduler booted"/, 'the start-up log says what runs containers');

  await create({ name: 'boxed', container: { image: TEST_IMAGE, network: 'none' }, command: 'echo "in $(cat /etc/hostname | wc -c) chars of hostname, in $PWD"', resources: { mem: 64 } });
  const run = await finished((await runNow('boxed')).id);
  assert.equal(run.status, 'succeeded', run.reason ?? '');
  const log = await api<{ data: string }>(`${server.url}/api/v1/runs/${run.id}/logs?stream=stdout`);
  assert.match(log.body.data, /^in \d+ chars of hostname, in \/mnt\/moroccron\/run\n$/);

  await create({ name: 'boxed-sleeper', container: { image: TEST_IMAGE, network: 'none' }, command: 'sleep 300', killGracePeriod: '1s' });
  const sleeper = await runNow('boxed-sleeper');
  await eventually(async () => ((await api<RunJson>(`${server.url}/api/v1/runs/${sleeper.id}`)).body.startedAt ? true : undefined), 15_000, 'the container run to start');
  assert.equal((await api(`${server.url}/api/v1/runs/${sleeper.id}/kill`, 'POST')).status, 202);
  const killed = await finished(sleeper.id);
  assert.equal(killed.status, 'killed');
});

test('a container job\'s timeout is honoured: TERM, then KILL after the grace period; its container goes', { skip: podman.skip }, async () => {
  await create({ name: 'boxed-slow', container: { image: TEST_IMAGE, network: 'none' }, command: 'sleep 300', timeout: '1s', killGracePeriod: '1s' });
  const run = await finished((await runNow('boxed-slow')).id);
  assert.equal(run.status, 'failed');
  assert.match(run.reason ?? '', /^timed out after 1s/);
  await eventually(async () => (containerExists(containerName(data, run.id)) ? undefined : true), 15_000, 'the container to be removed');
});
