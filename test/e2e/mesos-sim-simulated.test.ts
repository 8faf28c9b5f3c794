/**
 * `moroccron mesos-sim --task-mode simulated` as its own process, with a real `moroccron serve
 * --backend mesos` against it: runs go through offers, ACCEPTs, status updates and
 * acknowledgements to their end, no command is run, logs and kills work; bad flags are one line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../helpers/cli-process.js';
import { BIN, api, eventually, runEnded, startServerProcess, tempDir } from '../helpers/server-process.js';

interface RunJson {
  id: string;
  status: string;
  exitCode: number | null;
  agent: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

const dir = tempDir();
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  dir.remove();
});

test('mesos-sim flags: --task-mode and --task-duration refused in one line naming the flag', async () => {
  const cases: [string[], RegExp][] = [
    [['--task-duration', '1s'], /^moroccron: --task-duration needs --task-mode simulated/],
    [['--task-mode', 'pretend'], /^moroccron: --task-mode must be process or simulated, not "pretend"/],
    [['--task-mode', 'simulated', '--task-duration', 'soon'], /^moroccron: --task-duration must be a duration/],
    [['--task-mode', 'simulated', '--task-duration', '-5s'], /^moroccron: --task-duration must be a duration/],
    [['--task-mode', 'simulated', '--switch-user'], /^moroccron: --switch-user does not go with --task-mode simulated/],
    [['--allocation-interval', '0'], /^moroccron: --allocation-interval must be a duration of at least 1 ms/],
  ];
  for (const [flags, message] of cases) {
    const result = await runCli(['mesos-sim', '--port', '0', ...flags], { killAfterMs: 10_000 });
    assert.equal(result.code, 2, `${flags.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  }
});

test('serve on simulated tasks: a run succeeds without its command running, its log says so, a kill lands', async () => {
  const args = [BIN, 'mesos-sim', '--port', '0', '--agents', '2', '--task-mode', 'simulated', '--task-duration', '5s', '--allocation-interval', '200ms'];
  const sim = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let simOutput = '';
  sim.stdout!.on('data', (d: Buffer) => (simOutput += d.toString()));
  cleanups.push(async () => void sim.kill('SIGTERM'));
  const master = await eventually(async () => /mesos-sim master on (http:\/\/\S+) with 2 agents, simulated tasks of 5000 ms/.exec(simOutput)?.[1], 15_000, 'mesos-sim to start');
  const server = await startServerProcess(join(dir.path, 'data'), ['--backend', 'mesos', '--mesos-master', master]);
  cleanups.push(() => server.stop());

  const marker = join(dir.path, 'ran');
  const put = await api(`${server.url}/api/v1/jobs`, 'POST', [
    { name: 'would-fail', command: `touch ${marker}; exit 3`, resources: { cpus: 0.1, mem: 16 } },
    { name: 'to-kill', command: 'sleep 60', resources: { cpus: 0.1, mem: 16 }, killGracePeriod: '1s' },
  ]);
  assert.equal(put.status, 201, JSON.stringify(put.body));

  const started = (await api<RunJson>(`${server.url}/api/v1/jobs/would-fail/run`, 'POST')).body;
  const ended = await runEnded<RunJson>(server.url, started.id, 20_000, 'the simulated run to end');
  assert.deepEqual([ended.status, ended.exitCode], ['succeeded', 0]);
  assert.ok(ended.agent && ended.startedAt);
  assert.ok(Date.parse(ended.finishedAt!) - Date.parse(ended.startedAt!) >= 4000, 'it ran for about the task duration');
  assert.equal(existsSync(marker), false, 'the command was not run');
  const logs = await api<{ data: string }>(`${server.url}/api/v1/runs/${started.id}/logs`);
  assert.match(logs.body.data, /^Simulated task moroccron\.would-fail\.\S+: its command was not run \(mesos-sim --task-mode simulated\)\n$/);

  const victim = (await api<RunJson>(`${server.url}/api/v1/jobs/to-kill/run`, 'POST')).body;
  await eventually(async () => ((await api<RunJson>(`${server.url}/api/v1/runs/${victim.id}`)).body.status === 'running' ? true : undefined), 10_000, 'the run to be running');
  assert.equal((await api(`${server.url}/api/v1/runs/${victim.id}/kill`, 'POST')).status, 202);
  const killed = await runEnded<RunJson>(server.url, victim.id, 10_000, 'the kill to land');
  assert.equal(killed.status, 'killed');

  const metrics = (await (await fetch(`${master}/metrics/snapshot`)).json()) as Record<string, number>;
  assert.equal(metrics['sim/acknowledged/task_running'], 2, 'moroccron acknowledged both RUNNING updates');
  assert.equal(metrics['sim/acknowledged/task_finished'], 1);
  assert.equal(metrics['sim/acknowledged/task_killed'], 1);
});
