/**
 * moroccron on Mesos, end to end with real processes over HTTP: `moroccron serve
 * --backend mesos` against `moroccron mesos-sim --agents 3` (and, for the master
 * failover, a sim in this process so the test can restart its master).
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import { HttpReceiver } from '../helpers/notice-receivers.js';
import { BIN, api, eventually, runEnded, sleep, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const exec = promisify(execFile);

interface RunJson {
  id: string;
  job: string;
  status: string;
  trigger: string;
  scheduledAt: string;
  agent: string | null;
  reason: string | null;
  finishedAt: string | null;
}

const dir = tempDir();
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  dir.remove();
});

/** `moroccron mesos-sim` as its own process; resolves with its URL and its output so far. */
async function startSimProcess(): Promise<{ url: string; output: () => string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'mesos-sim', '--port', '0', '--agents', '3', '--cpus', '4', '--mem', '8192'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  cleanups.push(async () => {
    child.kill('SIGTERM');
  });
  const url = await eventually(async () => /mesos-sim master on (http:\/\/\S+)/.exec(out)?.[1], 15_000, 'mesos-sim to start');
  return { url, output: () => out, child };
}

async function serveMesos(data: string, master: string): Promise<ServerProcess> {
  const server = await startServerProcess(data, ['--backend', 'mesos', '--mesos-master', master]);
  cleanups.push(() => server.stop());
  return server;
}

const runsOf = async (url: string, job: string): Promise<RunJson[]> => (await api<{ runs: RunJson[] }>(`${url}/api/v1/jobs/${job}/runs?limit=1000`)).body.runs;

function assertOncePerOccurrence(runs: RunJson[], what: string): void {
  const keys = runs.filter((r) => r.trigger === 'schedule').map((r) => `${r.scheduledAt} ${r.agent ?? ''}`);
  assert.equal(new Set(keys).size, keys.length, `${what}: an occurrence ran twice`);
}

test('jobs run on the sim\'s agents: every-agent covers all 3, many tasks per ACCEPT, logs, kill, blacklist', async () => {
  const sim = await startSimProcess();
  const server = await serveMesos(join(dir.path, 'a'), sim.url);
  const create = async (spec: Record<string, unknown>) => assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', spec)).status, 201);
  await create({ name: 'fleet', schedule: '*/2 * * * * *', command: 'echo on $MOROCCRON_RUN_ID', placement: 'every-agent', resources: { cpus: 0.1, mem: 32 }, concurrency: 'allow' });
  await create({ name: 'burst', schedule: '* * * * * *', command: 'echo burst', resources: { cpus: 0.1, mem: 32 }, concurrency: 'allow' });
  for (let i = 0; i < 6; i++) await create({ name: `many-${i}`, schedule: '*/3 * * * * *', command: 'true', resources: { cpus: 0.1, mem: 16 } });

  const fleet = await eventually(
    async () => {
      const runs = (await runsOf(server.url, 'fleet')).filter((r) => r.status === 'succeeded');
      const bySecond = new Map<string, Set<string>>();
      for (const r of runs) bySecond.set(r.scheduledAt, (bySecond.get(r.scheduledAt) ?? new Set()).add(r.agent!));
      return [...bySecond.values()].filter((agents) => agents.size === 3).length >= 2 ? runs : undefined;
    },
    20_000,
    'two occurrences of the every-agent job on all 3 agents',
  );
  assert.equal(new Set(fleet.map((r) => r.agent)).size, 3);
  assertOncePerOccurrence(fleet, 'fleet');

  const burst = (await runsOf(server.url, 'burst')).filter((r) => r.status === 'succeeded');
  assert.ok(burst.length >= 3 && burst.every((r) => r.agent), 'runs succeed with their agent set');
  const accepts = [...sim.output().matchAll(/ACCEPT on \S+: (\d+) task\(s\) launched/g)].map((m) => Number(m[1]));
  assert.ok(Math.max(...accepts) >= 3, `no ACCEPT launched several tasks: ${accepts.join(',')}`);

  const logs = await api<{ data: string }>(`${server.url}/api/v1/runs/${fleet[0]!.id}/logs`);
  assert.equal(logs.body.data, `on ${fleet[0]!.id}\n`, 'logs come from the agent sandbox');

  await create({ name: 'sleepy', command: 'sleep 60', resources: { cpus: 0.1, mem: 16 }, killGracePeriod: '1s' });
  const started = (await api<RunJson>(`${server.url}/api/v1/jobs/sleepy/run`, 'POST')).body;
  await eventually(async () => ((await api<RunJson>(`${server.url}/api/v1/runs/${started.id}`)).body.status === 'running' ? true : undefined), 10_000, 'sleepy to run');
  assert.equal((await api(`${server.url}/api/v1/runs/${started.id}/kill`, 'POST')).status, 202);
  const killed = await runEnded<RunJson>(server.url, started.id, 10_000, 'the kill to land');
  assert.equal(killed.status, 'killed');

  // Blacklisting an agent takes it out of the every-agent fan-out.
  const banned = fleet[0]!.agent!;
  const env = { ...process.env, MOROCCRON_SERVER: server.url };
  await exec(process.execPath, [BIN, 'blacklist', banned, '--reason', 'test'], { env });
  const agents = await exec(process.execPath, [BIN, 'agents', '--json'], { env });
  assert.ok((JSON.parse(agents.stdout) as { agents: { id: string; blacklisted: boolean }[] }).agents.some((a) => a.id === banned && a.blacklisted));
  // What enforces a task's resources is each agent's --isolation, read from its own /flags.
  const isolated = await eventually(async () => {
    const { body } = await api<{ agents: { isolation: { mode: string; isolators?: string[]; containerizers?: string[] } | null }[] }>(`${server.url}/api/v1/agents`);
    return body.agents.every((a) => a.isolation !== null) ? body.agents : undefined;
  }, 40_000, "the agents' /flags to be read");
  assert.deepEqual(isolated[0]!.isolation, { mode: 'mesos', why: null, isolators: ['posix/cpu', 'posix/mem'], containerizers: ['mesos'] });
  assert.match((await exec(process.execPath, [BIN, 'agents'], { env })).stdout, /posix\/cpu,posix\/mem \(mesos\)/);
  const since = new Date(Date.now() + 2500).toISOString();
  await sleep(6000);
  const later = (await runsOf(server.url, 'fleet')).filter((r) => r.scheduledAt > since);
  assert.ok(later.length >= 2, 'the fleet job kept running');
  assert.ok(later.every((r) => r.agent !== banned), 'a run landed on the blacklisted agent');
  await exec(process.execPath, [BIN, 'unblacklist', banned], { env });
});

test('SIGKILL of the scheduler mid-launch: same framework, one active framework on the master, nothing lost or doubled', async () => {
  const sim = await startSimProcess();
  const data = join(dir.path, 'b');
  let server = await serveMesos(data, sim.url);
  const spec = { name: 'steady', schedule: '* * * * * *', command: 'echo steady', resources: { cpus: 0.1, mem: 16 }, concurrency: 'allow', misfire: { policy: 'run-all', window: '1m' } };
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', spec)).status, 201);
  const frameworkId = await eventually(async () => (await api<{ frameworkId: string | null }>(`${server.url}/api/v1/cluster`)).body.frameworkId ?? undefined, 10_000, 'a framework ID');
  await sleep(3200);
  await server.kill();
  await sleep(1500);
  server = await serveMesos(data, sim.url);
  const url = server.url;
  await sleep(4000);
  assert.equal((await api<{ frameworkId: string }>(`${url}/api/v1/cluster`)).body.frameworkId, frameworkId);
  const state = (await (await fetch(`${sim.url}/master/state`)).json()) as { frameworks: { id: string; active: boolean }[] };
  assert.deepEqual(
    state.frameworks.filter((f) => f.active).map((f) => f.id),
    [frameworkId],
    'exactly one active framework, ours',
  );
  assert.equal((await api(`${url}/api/v1/jobs/steady/pause`, 'POST')).status, 200);
  const runs = await eventually(
    async () => {
      const all = await runsOf(url, 'steady');
      return all.every((r) => r.finishedAt) ? all : undefined;
    },
    15_000,
    'all runs to finish',
  );
  assertOncePerOccurrence(runs, 'steady');
  const times = runs.map((r) => Date.parse(r.scheduledAt)).sort((a, b) => a - b);
  assert.equal(times.length, (times[times.length - 1]! - times[0]!) / 1000 + 1, 'a second without its run');
  for (const r of runs) assert.equal(r.status, 'succeeded', `${r.scheduledAt}: ${r.status} ${r.reason}`);
});

test('the master fails over: new streams, offers gone, tasks known only by reconciliation; the framework recovers', async () => {
  const sim: MesosSim = await startMesosSim({ agents: 3, heartbeatIntervalSeconds: 1 });
  cleanups.push(() => sim.close());
  const server = await serveMesos(join(dir.path, 'c'), sim.url);
  const spec = { name: 'through-failover', schedule: '* * * * * *', command: 'sleep 1.5; echo done', resources: { cpus: 0.1, mem: 16 }, concurrency: 'allow' };
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', spec)).status, 201);
  await sleep(3000);
  const before = (await api<{ frameworkId: string }>(`${server.url}/api/v1/cluster`)).body.frameworkId;
  await sim.restartMaster();
  const restartedAt = new Date().toISOString();
  await sleep(6000);
  const runs = await runsOf(server.url, 'through-failover');
  assertOncePerOccurrence(runs, 'through-failover');
  const afterFailover = runs.filter((r) => r.scheduledAt > restartedAt && r.status === 'succeeded');
  assert.ok(afterFailover.length >= 2, `only ${afterFailover.length} runs succeeded after the master restart`);
  const spanning = runs.filter((r) => r.scheduledAt < restartedAt && r.finishedAt);
  assert.ok(spanning.length > 0 && spanning.every((r) => r.status === 'succeeded'), 'runs in flight during the failover finished as succeeded');
  assert.equal((await api<{ frameworkId: string }>(`${server.url}/api/v1/cluster`)).body.frameworkId, before);
});

test('TEARDOWN happens only on explicit request naming the framework, and ends its tasks', async () => {
  const sim: MesosSim = await startMesosSim({ agents: 1, heartbeatIntervalSeconds: 1 });
  cleanups.push(() => sim.close());
  const server = await serveMesos(join(dir.path, 'd'), sim.url);
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'long', command: 'sleep 60', resources: { cpus: 0.1, mem: 16 } })).status, 201);
  const run = (await api<RunJson>(`${server.url}/api/v1/jobs/long/run`, 'POST')).body;
  await eventually(async () => ((await api<RunJson>(`${server.url}/api/v1/runs/${run.id}`)).body.status === 'running' ? true : undefined), 10_000, 'the run to start');
  const { frameworkId } = (await api<{ frameworkId: string }>(`${server.url}/api/v1/cluster`)).body;
  assert.equal((await api(`${server.url}/api/v1/cluster/teardown?frameworkId=wrong`, 'POST')).status, 409);
  assert.equal((await api(`${server.url}/api/v1/cluster/teardown?frameworkId=${frameworkId}`, 'POST')).status, 202);
  const ended = await eventually(
    async () => {
      const state = sim.state() as { frameworks: { id: string }[]; completed_frameworks: { id: string }[] };
      return state.completed_frameworks.some((f) => f.id === frameworkId) && !state.frameworks.some((f) => f.id === frameworkId) ? true : undefined;
    },
    10_000,
    'the master to remove the framework',
  );
  assert.ok(ended);
  const finished = await runEnded<RunJson>(server.url, run.id, 20_000, 'the run to end with its framework');
  assert.notEqual(finished.status, 'succeeded');
});

test('a run asked for while its only eligible agent is blacklisted starts once the blacklist is lifted', async () => {
  const sim: MesosSim = await startMesosSim({ agents: 2, heartbeatIntervalSeconds: 1, attributes: (i) => ({ rack: `r${i}` }) });
  cleanups.push(() => sim.close());
  const server = await serveMesos(join(dir.path, 'e'), sim.url);
  const only = (sim.state() as { slaves: { id: string; attributes: { rack: string } }[] }).slaves.find((s) => s.attributes.rack === 'r1')!.id;
  assert.equal((await api(`${server.url}/api/v1/agents/${only}/blacklist`, 'PUT', { reason: 'maintenance' })).status, 200);
  const spec = { name: 'pinned', command: 'echo here', constraints: [['rack', 'EQUALS', 'r1']], resources: { cpus: 0.1, mem: 16 } };
  assert.equal((await api(`${server.url}/api/v1/jobs`, 'POST', spec)).status, 201);
  const run = (await api<RunJson>(`${server.url}/api/v1/jobs/pinned/run`, 'POST')).body;
  // Its agent's offers are declined with a long filter meanwhile: nothing can place it.
  await sleep(3000);
  assert.equal((await api<RunJson>(`${server.url}/api/v1/runs/${run.id}`)).body.status, 'launching');
  assert.equal((await api(`${server.url}/api/v1/agents/${only}/blacklist`, 'DELETE')).status, 200);
  const done = await runEnded<RunJson>(server.url, run.id, 15_000, 'the run to start and finish once its agent is allowed again');
  assert.equal(done.status, 'succeeded');
  assert.equal(done.agent, only);
});

test('workflows on Mesos: the failure notice names the agent and the sandbox stderr; the child waits, then runs on an agent after its parent succeeds', async () => {
  const webhook = await HttpReceiver.start();
  cleanups.push(() => webhook.stop());
  const sim: MesosSim = await startMesosSim({ agents: 2, heartbeatIntervalSeconds: 1 });
  cleanups.push(() => sim.close());
  const server = await startServerProcess(join(dir.path, 'w'), ['--backend', 'mesos', '--mesos-master', sim.url, '--ui-url', 'https://cron.example.com']);
  cleanups.push(() => server.stop());
  const resources = { cpus: 0.1, mem: 16 };
  assert.equal((await api(`${server.url}/api/v1/owners/ops`, 'PUT', { webhook: { url: `${webhook.url}/hook` } })).status, 201);
  assert.equal((await api(`${server.url}/api/v1/jobs/extract`, 'PUT', { command: 'echo "bad header row" >&2; exit 3', owners: ['ops'], resources })).status, 201);
  assert.equal((await api(`${server.url}/api/v1/jobs/load`, 'PUT', { command: 'echo loaded', after: ['extract'], resources })).status, 201);

  const failed = (await api<RunJson>(`${server.url}/api/v1/jobs/extract/run`, 'POST')).body;
  const notice = await eventually(async () => webhook.requests[0]?.json as { kind: string; run: { id: string; exitCode: number; agent: string }; waiting: string[]; stderrTail: string[] | null; link: string } | undefined, 20_000, 'the failure notice');
  assert.equal(notice.kind, 'failure');
  assert.equal(notice.run.id, failed.id);
  assert.equal(notice.run.exitCode, 3);
  assert.ok((sim.state() as { slaves: { id: string }[] }).slaves.some((s) => s.id === notice.run.agent), `the agent ${notice.run.agent} is one of the sim's`);
  assert.deepEqual(notice.stderrTail, ['bad header row'], 'the stderr tail is read from the sandbox');
  assert.deepEqual(notice.waiting, ['load']);
  assert.equal(notice.link, `https://cron.example.com/runs/${failed.id}`);
  await sleep(1500);
  assert.equal((await runsOf(server.url, 'load')).length, 0, 'the child waits');

  assert.equal((await api(`${server.url}/api/v1/jobs/extract`, 'PUT', { command: 'echo fine', owners: ['ops'], resources })).status, 200);
  const good = (await api<RunJson>(`${server.url}/api/v1/jobs/extract/run`, 'POST')).body;
  const child = await eventually(async () => (await runsOf(server.url, 'load')).find((r) => r.finishedAt), 20_000, 'the child to run');
  assert.equal(child.status, 'succeeded');
  assert.equal(child.trigger, 'dependency');
  assert.deepEqual((child as RunJson & { causes: string[] }).causes, [good.id]);
  assert.ok(child.agent, 'the child ran on an agent');
});
