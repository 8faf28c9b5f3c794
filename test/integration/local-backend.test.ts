/**
 * The local backend against real processes (no mocks). Each test gets its own data dir
 * and kills whatever it left running.
 *
 * Run: node --import tsx --test test/integration/local-backend.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAlive, signalGroup } from '../../src/backends/local/process-probe.js';
import { readPidFile } from '../../src/backends/local/run-dir.js';
import { Harness, jobFixtures, sleep, until } from '../helpers/local-backend-harness.js';

// ---------------------------------------------------------------------------------------
// fixtures

const SCHEDULED_AT = Date.UTC(2024, 0, 2, 3, 4, 5);

const { makeRun, makeSpec } = jobFixtures('nightly', { scheduledAt: SCHEDULED_AT, claimedAt: SCHEDULED_AT, attempt: 2 });

// ---------------------------------------------------------------------------------------
// launching

/** A run-exited message without what the run used (measured only where cgroups are; local-isolation.test.ts checks it). */
const withoutUsage = <M extends object>(message: M): Omit<M, 'usage'> => {
  const { usage: _usage, ...rest } = message as M & { usage?: unknown };
  return rest;
};

test('a command succeeds: run-started, run-exited 0, env and cwd, logs readable', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const run = makeRun('r-ok');
  backend.launch(
    run,
    makeSpec({
      command: 'while [ ! -e go ]; do sleep 0.02; done; printf "%s|%s|%s|%s|%s\\n" "$MOROCCRON_RUN_ID" "$MOROCCRON_JOB" "$MOROCCRON_SCHEDULED_AT" "$MOROCCRON_ATTEMPT" "$FOO"; pwd; test -n "$PATH" && echo path-ok; echo oops >&2',
      env: { FOO: 'bar baz' },
    }),
  );
  assert.equal(h.messages.length, 0, 'messages are posted asynchronously');
  const started = await h.next(run.id, 'run-started');
  assert.deepEqual(started, { type: 'run-started', now: 1_000, runId: run.id, agent: 'test-agent', taskId: null });
  h.clock = 2_000;
  writeFileSync(join(h.runDir(run.id), 'go'), '');
  const exited = await h.next(run.id, 'run-exited');
  assert.deepEqual(withoutUsage(exited), { type: 'run-exited', now: 2_000, runId: run.id, exitCode: 0, signal: null });
  assert.equal(exited.usage === undefined, backend.agents()[0]!.isolation?.mode === 'none', 'what it used, where cgroups measure it');
  assert.deepEqual(h.of(run.id).map((m) => m.type), ['run-started', 'run-exited']);

  const stdout = await backend.readLogs(run, 'stdout', 0, 1 << 20);
  assert.ok(stdout);
  assert.equal(stdout.data, `r-ok|nightly|2024-01-02T03:04:05.000Z|2|bar baz\n${h.runDir(run.id)}\npath-ok\n`);
  assert.equal(stdout.offset, 0);
  assert.equal(stdout.nextOffset, Buffer.byteLength(stdout.data));
  assert.equal(stdout.size, stdout.nextOffset);
  const stderr = await backend.readLogs(run, 'stderr', 0, 100);
  assert.equal(stderr?.data, 'oops\n');

  // The wrapper's bookkeeping.
  const pid = readPidFile(join(h.runDir(run.id), 'pid'));
  assert.ok(pid && pid.pid > 1 && pid.startTime !== null);
  assert.equal(readFileSync(join(h.runDir(run.id), 'exit'), 'utf8'), '0\n');
});

test('readLogs pages by bytes and never splits a multi-byte character', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const run = makeRun('r-utf8');
  const text = 'aé€😀b\n'; // 1 + 2 + 3 + 4 + 1 + 1 bytes
  backend.launch(run, makeSpec({ args: ['printf', '%s', text] }));
  assert.equal((await h.next(run.id, 'run-exited')).exitCode, 0);
  const size = Buffer.byteLength(text);

  // Limit 2: "a" (é held back), "é", "€" is 3 bytes > limit: returned whole, then 😀 likewise.
  const pages: { data: string; offset: number; nextOffset: number }[] = [];
  let offset = 0;
  while (offset < size) {
    const chunk = await backend.readLogs(run, 'stdout', offset, 2);
    assert.ok(chunk);
    assert.equal(chunk.size, size);
    assert.ok(chunk.nextOffset > offset, 'progress');
    pages.push({ data: chunk.data, offset: chunk.offset, nextOffset: chunk.nextOffset });
    offset = chunk.nextOffset;
  }
  assert.deepEqual(pages, [
    { data: 'a', offset: 0, nextOffset: 1 },
    { data: 'é', offset: 1, nextOffset: 3 },
    { data: '€', offset: 3, nextOffset: 6 },
    { data: '😀', offset: 6, nextOffset: 10 },
    { data: 'b\n', offset: 10, nextOffset: 12 },
  ]);
  assert.equal(pages.map((p) => p.data).join(''), text);

  // A cut inside a character with room for more: the partial character is held back.
  const cut = await backend.readLogs(run, 'stdout', 1, 4); // é + first 2 bytes of €
  assert.deepEqual(cut, { data: 'é', offset: 1, nextOffset: 3, size });
  // Offsets are clamped; limit 0 reads nothing.
  assert.deepEqual(await backend.readLogs(run, 'stdout', 999, 10), { data: '', offset: size, nextOffset: size, size });
  assert.deepEqual(await backend.readLogs(run, 'stdout', -5, 1), { data: 'a', offset: 0, nextOffset: 1, size });
  assert.deepEqual(await backend.readLogs(run, 'stdout', 0, 0), { data: '', offset: 0, nextOffset: 0, size });
  // An empty stream and an unknown run.
  assert.deepEqual(await backend.readLogs(run, 'stderr', 0, 10), { data: '', offset: 0, nextOffset: 0, size: 0 });
  assert.equal(await backend.readLogs(makeRun('r-unknown'), 'stdout', 0, 10), null);
});

test('args run without a shell', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const run = makeRun('r-args');
  // printf is also a sh builtin; either way nothing is expanded or split.
  backend.launch(run, makeSpec({ args: ['printf', '%s|%s|%s', 'a  b', '$HOME', '*;exit 9'] }));
  assert.equal((await h.next(run.id, 'run-exited')).exitCode, 0);
  assert.equal((await backend.readLogs(run, 'stdout', 0, 100))?.data, 'a  b|$HOME|*;exit 9');
});

test('a non-zero exit code is reported as such', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const run = makeRun('r-fail');
  backend.launch(run, makeSpec({ command: 'echo failing; exit 3' }));
  assert.deepEqual(withoutUsage(await h.next(run.id, 'run-exited')), { type: 'run-exited', now: 1_000, runId: run.id, exitCode: 3, signal: null });
  assert.equal(readFileSync(join(h.runDir(run.id), 'exit'), 'utf8'), '3\n');
});

test('a missing program is run-exited 127 (not launch-failed), with the reason in stderr', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const viaArgs = makeRun('r-missing-args');
  const viaCommand = makeRun('r-missing-cmd');
  backend.launch(viaArgs, makeSpec({ args: ['moroccron-no-such-program', '--flag'] }));
  backend.launch(viaCommand, makeSpec({ command: 'moroccron-no-such-program --flag' }));
  for (const run of [viaArgs, viaCommand]) {
    const exited = await h.next(run.id, 'run-exited');
    assert.equal(exited.exitCode, 127);
    assert.equal(exited.signal, null);
    assert.match((await backend.readLogs(run, 'stderr', 0, 1000))?.data ?? '', /moroccron-no-such-program: not found/);
    assert.equal(h.of(run.id)[0]?.type, 'run-started');
    assert.ok(!h.of(run.id).some((m) => m.type === 'launch-failed'));
  }
});

test('a container job is launch-failed where no container runtime is used', async (t) => {
  const h = new Harness(t);
  const backend = h.backend({ containerRuntime: 'none' });
  assert.deepEqual(backend.agents()[0]!.isolation?.containers, { runtime: null, why: 'containers turned off (--container-runtime none)' });
  const run = makeRun('r-container');
  backend.launch(run, makeSpec({ container: { type: 'mesos', image: 'busybox:1', forcePull: false, network: 'host', volumes: [] }, command: 'true' }));
  const failed = await h.next(run.id, 'launch-failed');
  assert.match(failed.reason, /container/);
  assert.equal(failed.now, 1_000);
  await sleep(100);
  assert.deepEqual(h.of(run.id).map((m) => m.type), ['launch-failed']);
  assert.equal(existsSync(h.runDir(run.id)), false);
});

test('a command line too long to start (E2BIG), or with a NUL byte, is launch-failed with the reason', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const cases = [
    { run: makeRun('r-long-command'), spec: makeSpec({ command: `echo ${'x'.repeat(200 * 1024)}` }) }, // one string > 128 KiB
    { run: makeRun('r-long-args'), spec: makeSpec({ args: ['echo', ...Array.from({ length: 40 }, () => 'y'.repeat(100 * 1024))] }) }, // 4 MB in all
    { run: makeRun('r-long-env'), spec: makeSpec({ command: 'true', env: { BIG: 'z'.repeat(200 * 1024) } }) },
  ];
  for (const { run, spec } of cases) backend.launch(run, spec);
  for (const { run } of cases) {
    const failed = await h.next(run.id, 'launch-failed');
    assert.match(failed.reason, /too long for the system \(E2BIG/, run.id);
    await sleep(50);
    assert.deepEqual(h.of(run.id).map((m) => m.type), ['launch-failed'], run.id);
  }
  const nul = makeRun('r-nul');
  backend.launch(nul, makeSpec({ args: ['echo', 'a\0b'] }));
  assert.match((await h.next(nul.id, 'launch-failed')).reason, /contains a NUL byte/);
});

// ---------------------------------------------------------------------------------------
// killing

test('kill: a plain job dies on TERM', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const run = makeRun('r-term');
  backend.launch(run, makeSpec({ command: 'touch ready; sleep 30' }));
  await h.next(run.id, 'run-started');
  await h.fileAppears(run.id, 'ready');
  const t0 = Date.now();
  backend.kill(run, 5_000, 'test');
  const exited = await h.next(run.id, 'run-exited', 3_000);
  assert.ok(Date.now() - t0 < 3_000, 'did not wait for the grace period');
  assert.deepEqual({ exitCode: exited.exitCode, signal: exited.signal }, { exitCode: null, signal: 'SIGTERM' });
  // The wrapper survived the TERM and recorded sh's 128+15.
  assert.equal(readFileSync(join(h.runDir(run.id), 'exit'), 'utf8'), '143\n');
  // Killing a finished run is a no-op.
  const count = h.messages.length;
  backend.kill(run, 0, 'again');
  await sleep(100);
  assert.equal(h.messages.length, count);
});

test('kill: a job that ignores TERM is KILLed after the grace period', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const run = makeRun('r-term-ignorer');
  backend.launch(run, makeSpec({ command: "trap '' TERM; touch ready; sleep 30" }));
  await h.fileAppears(run.id, 'ready');
  const t0 = Date.now();
  backend.kill(run, 400, 'timeout');
  await sleep(200);
  assert.ok(!h.of(run.id).some((m) => m.type === 'run-exited'), 'still alive during the grace period');
  const exited = await h.next(run.id, 'run-exited', 3_000);
  assert.ok(Date.now() - t0 >= 400);
  assert.deepEqual({ exitCode: exited.exitCode, signal: exited.signal }, { exitCode: null, signal: 'SIGKILL' });
  assert.equal(existsSync(join(h.runDir(run.id), 'killed')), true);
});

test("kill: the job's children die too (whole process group)", async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const run = makeRun('r-group');
  backend.launch(run, makeSpec({ command: 'sleep 30 & echo $! > bg.pid; sleep 30 & echo $! > bg2.pid; touch ready; wait' }));
  await h.fileAppears(run.id, 'ready');
  const children = ['bg.pid', 'bg2.pid'].map((f) => Number(readFileSync(join(h.runDir(run.id), f), 'utf8')));
  for (const pid of children) assert.ok(isAlive(pid, null), `child ${pid} runs`);
  backend.kill(run, 5_000, 'test');
  const exited = await h.next(run.id, 'run-exited', 3_000);
  assert.equal(exited.signal, 'SIGTERM');
  for (const pid of children) await until(`child ${pid} to die`, () => !isAlive(pid, null), 2_000);
});

// ---------------------------------------------------------------------------------------
// restarts

test('reattach adopts a process that outlived the server and reports its exit code', async (t) => {
  const h = new Harness(t);
  const first = h.backend();
  const run = makeRun('r-adopt');
  first.launch(run, makeSpec({ command: 'touch ready; sleep 1; exit 4' }));
  await h.next(run.id, 'run-started');
  await h.fileAppears(run.id, 'ready');
  await first.close(); // the "server" dies; the process must not
  const pid = h.pidOf(run.id);
  assert.ok(isAlive(pid, null));
  const before = h.messages.length;

  const second = h.backend();
  h.clock = 5_000;
  second.reattach({ ...run, status: 'running' }, null);
  const adopted = await until('second run-started', () => h.messages.slice(before).find((m) => m.type === 'run-started'));
  assert.deepEqual(adopted, { type: 'run-started', now: 5_000, runId: run.id, agent: 'test-agent', taskId: null });
  const exited = await until('run-exited', () => h.messages.slice(before).find((m) => m.type === 'run-exited'), 5_000);
  assert.deepEqual(withoutUsage(exited), { type: 'run-exited', now: 5_000, runId: run.id, exitCode: 4, signal: null });
  // The closed first backend reported nothing about the exit.
  assert.equal(h.of(run.id).filter((m) => m.type === 'run-exited').length, 1);
});

test('kill works on an adopted process (not our child)', async (t) => {
  const h = new Harness(t);
  const first = h.backend();
  const run = makeRun('r-adopt-kill');
  first.launch(run, makeSpec({ command: "trap '' TERM; touch ready; sleep 30" }));
  await h.fileAppears(run.id, 'ready');
  await first.close();
  const before = h.messages.length;
  const second = h.backend();
  second.reattach(run, null);
  await until('adopted', () => h.messages.slice(before).find((m) => m.type === 'run-started'));
  second.kill(run, 300, 'test');
  const exited = await until('run-exited', () => h.messages.slice(before).find((m) => m.type === 'run-exited'), 3_000);
  assert.deepEqual(withoutUsage(exited), { type: 'run-exited', now: 1_000, runId: run.id, exitCode: null, signal: 'SIGKILL' });
});

test('reattach: a run that finished while the server was down reports the code from its exit file', async (t) => {
  const h = new Harness(t);
  const first = h.backend();
  const ok = makeRun('r-down-exit');
  const termed = makeRun('r-down-term');
  first.launch(ok, makeSpec({ command: 'sleep 0.3; exit 5' }));
  first.launch(termed, makeSpec({ command: 'touch ready; sleep 30' }));
  await h.next(ok.id, 'run-started');
  await h.fileAppears(termed.id, 'ready');
  await first.close();
  // While "down": one exits by itself, the other is TERMed by someone else (exit 143).
  signalGroup(h.pidOf(termed.id), 'SIGTERM');
  await h.fileAppears(ok.id, 'exit');
  await h.fileAppears(termed.id, 'exit');
  await until('wrappers gone', () => !isAlive(h.pidOf(ok.id), null) && !isAlive(h.pidOf(termed.id), null));
  assert.ok(!h.messages.some((m) => m.type === 'run-exited'), 'the closed backend posted nothing');

  const second = h.backend();
  second.reattach(ok, null);
  second.reattach(termed, null);
  const a = await h.next(ok.id, 'run-exited');
  const b = await h.next(termed.id, 'run-exited');
  assert.deepEqual({ exitCode: a.exitCode, signal: a.signal }, { exitCode: 5, signal: null });
  assert.deepEqual({ exitCode: b.exitCode, signal: b.signal }, { exitCode: null, signal: 'SIGTERM' });
  assert.deepEqual(h.of(ok.id).map((m) => m.type), ['run-started', 'run-exited']);
});

test('reattach: a process SIGKILLed while the server was down (no exit file) is run-lost', async (t) => {
  const h = new Harness(t);
  const first = h.backend();
  const run = makeRun('r-lost');
  first.launch(run, makeSpec({ command: 'touch ready; sleep 30' }));
  await h.fileAppears(run.id, 'ready');
  await first.close();
  const pid = h.pidOf(run.id);
  signalGroup(pid, 'SIGKILL');
  await until('process gone', () => !isAlive(pid, null));
  const second = h.backend();
  second.reattach(run, null);
  const lost = await h.next(run.id, 'run-lost');
  assert.match(lost.reason, /vanished while the scheduler was down/);
  assert.equal(existsSync(join(h.runDir(run.id), 'exit')), false);
});

test('reattach: a pid file naming a re-used pid (other start time) is not adopted', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const run = makeRun('r-reused');
  mkdirSync(h.runDir(run.id), { recursive: true });
  // Our own pid is certainly alive, but with another start time it is not the run's process.
  writeFileSync(join(h.runDir(run.id), 'pid'), `${process.pid} 1\n`);
  backend.reattach(run, null);
  const lost = await h.next(run.id, 'run-lost');
  assert.match(lost.reason, /vanished/);
});

test('reattach: no run dir, or a dir without a pid file, is run-not-started', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const noDir = makeRun('r-never');
  const noPid = makeRun('r-no-pid');
  mkdirSync(h.runDir(noPid.id), { recursive: true });
  writeFileSync(join(h.runDir(noPid.id), 'stdout'), '');
  const t0 = Date.now();
  backend.reattach(noDir, null);
  backend.reattach(noPid, null);
  assert.deepEqual(await h.next(noDir.id, 'run-not-started'), { type: 'run-not-started', now: 1_000, runId: noDir.id });
  assert.ok(Date.now() - t0 < 500, 'no dir: answered at once');
  await h.next(noPid.id, 'run-not-started', 3_000);
  assert.ok(Date.now() - t0 >= 900, 'a dir without pid: waited for a starting wrapper first');
});

// ---------------------------------------------------------------------------------------
// housekeeping

test('forget removes run dirs; agents() describes this host', async (t) => {
  const h = new Harness(t);
  const backend = h.backend({ resources: { cpus: 3 }, attributes: { rack: 'r1', zone: 'eu-1' } });
  const run = makeRun('r-forget');
  backend.launch(run, makeSpec({ command: 'echo hi' }));
  await h.next(run.id, 'run-exited');
  assert.ok(existsSync(h.runDir(run.id)));
  await backend.forget([run.id, 'r-not-there', '../escape']);
  assert.equal(existsSync(h.runDir(run.id)), false);
  assert.equal(await backend.readLogs(run, 'stdout', 0, 10), null);

  const agents = backend.agents();
  assert.equal(agents.length, 1);
  const agent = agents[0]!;
  assert.equal(agent.id, 'test-agent');
  assert.equal(agent.resources.cpus, 3);
  assert.ok(agent.resources.mem > 0);
  assert.ok(agent.resources.disk >= 0);
  assert.equal(agent.resources.gpus, 0);
  assert.deepEqual(agent.attributes, { hostname: hostname(), rack: 'r1', zone: 'eu-1' });
  assert.equal(agent.used, null, 'the scheduler accounts for local capacity itself');
  // The report is a copy.
  agent.attributes.rack = 'changed';
  assert.equal(backend.agents()[0]!.attributes.rack, 'r1');
  // A configured hostname wins, as Mesos' --hostname does; no attributes: just the hostname.
  assert.deepEqual(h.backend({ attributes: { hostname: 'batch-1' } }).agents()[0]!.attributes, { hostname: 'batch-1' });
  assert.deepEqual(h.backend().agents()[0]!.attributes, { hostname: hostname() });
});
