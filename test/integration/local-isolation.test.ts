/**
 * The local backend's isolation, against the kernel's real cgroups (v1 or v2, whichever
 * this host has): memory, CPU and task limits, what a run used, and a kill that reaches
 * processes which left the run's process group. Without writable cgroups the tests are
 * skipped, except under CI=true, where that is a failure.
 *
 * Run: node --import tsx --test test/integration/local-isolation.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Message } from '../../src/core/types.js';
import { RunCgroups, cgroupName } from '../../src/backends/local/cgroups.js';
import { isAlive } from '../../src/backends/local/process-probe.js';
import { Harness, jobFixtures, sleep } from '../helpers/local-backend-harness.js';

const probe = new RunCgroups(`moroccron-probe-${process.pid}`);
probe.close();
if (probe.mode === 'none' && process.env.CI === 'true') throw new Error(`CI=true and no writable cgroups: ${probe.why}`);
const skip = probe.mode === 'none' ? `no writable cgroups here: ${probe.why}` : false;

const { makeRun, makeSpec } = jobFixtures('isolated');
const exitOf = (h: Harness, runId: string) => h.next(runId, 'run-exited') as Promise<Extract<Message, { type: 'run-exited' }>>;
const resources = (cpus: number, mem: number, pids?: number) => ({ cpus, mem, disk: 0, gpus: 0, ...(pids !== undefined ? { pids } : {}) });

test('a run over its memory limit is killed for it, and says so; its neighbour runs on', { skip }, async (t) => {
  const h = new Harness(t, { prefix: 'moroccron-isolation-', timeoutMs: 20_000 });
  const backend = h.backend();
  assert.equal(backend.agents()[0]!.isolation?.mode, probe.mode);
  const hog = makeRun('r-hog');
  const neighbour = makeRun('r-neighbour');
  backend.launch(neighbour, makeSpec({ command: 'sleep 1.5; echo still here', resources: resources(0.1, 64) }));
  // 500 MiB, every page touched, against a limit of 64.
  backend.launch(hog, makeSpec({ args: [process.execPath, '-e', 'const kept = []; for (let i = 0; i < 50; i++) kept.push(Buffer.alloc(10 * 2 ** 20, 1)); console.log("allocated")'], resources: resources(0.5, 64) }));
  const hogExit = await exitOf(h, hog.id);
  assert.equal(hogExit.memoryLimitMiB, 64);
  assert.equal(hogExit.signal, 'SIGKILL');
  assert.ok(hogExit.usage!.peakMemoryBytes! <= 64 * 2 ** 20 + 2 ** 20, `peak ${hogExit.usage!.peakMemoryBytes}`);
  assert.doesNotMatch(h.log(hog.id, 'stdout'), /allocated/);

  const neighbourExit = await exitOf(h, neighbour.id);
  assert.equal(neighbourExit.exitCode, 0);
  assert.equal(neighbourExit.memoryLimitMiB, undefined);
  assert.equal(h.log(neighbour.id, 'stdout'), 'still here\n');
});

test('cpus 0.2: a busy loop gets about a fifth of a core, as the run\'s CPU time shows', { skip }, async (t) => {
  const h = new Harness(t, { prefix: 'moroccron-isolation-', timeoutMs: 20_000 });
  const backend = h.backend();
  const busy = makeRun('r-busy');
  backend.launch(busy, makeSpec({ command: 'touch started; while :; do :; done', resources: resources(0.2, 64) }));
  await h.fileAppears(busy.id, 'started');
  const began = Date.now();
  await sleep(3_000);
  backend.kill(busy, 0, 'enough');
  const exit = await exitOf(h, busy.id);
  const share = exit.usage!.cpuSeconds / ((Date.now() - began) / 1000);
  // Loosely: the quota is 20%; without it the loop would take a whole core.
  assert.ok(share > 0.05 && share < 0.4, `the loop used ${(share * 100).toFixed(0)}% of a core`);
});

test('a kill reaches what left the process group (setsid), and the run\'s cgroup is gone after it', { skip }, async (t) => {
  const h = new Harness(t, { prefix: 'moroccron-isolation-', timeoutMs: 20_000, reap: 'group' });
  const backend = h.backend();
  const run = makeRun('r-escapes');
  backend.launch(run, makeSpec({ command: "setsid sh -c 'echo $$ > escaped.pid; exec sleep 300' < /dev/null > /dev/null 2>&1 & touch started; sleep 300", resources: resources(0.1, 64) }));
  await h.fileAppears(run.id, 'started');
  await h.fileAppears(run.id, 'escaped.pid');
  const escaped = Number(readFileSync(join(h.runDir(run.id), 'escaped.pid'), 'utf8'));
  assert.ok(isAlive(escaped, null));
  backend.kill(run, 200, 'timed out after 1s');
  await exitOf(h, run.id);
  await h.until('the escaped child killed too', () => !isAlive(escaped, null));
  const cgroups = new RunCgroups(cgroupName(h.dataDir));
  await h.until('the run cgroup removed', () => !cgroups.runIds().includes(run.id));
});

test('resources.pids caps the tasks a run may have; a run records what it used', { skip }, async (t) => {
  const h = new Harness(t, { prefix: 'moroccron-isolation-', timeoutMs: 20_000 });
  const backend = h.backend({ pidsLimit: 64 });
  const forky = makeRun('r-forky');
  backend.launch(forky, makeSpec({ command: 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 1 & echo started $i; done; wait', resources: resources(0.1, 64, 8) }));
  const forkyExit = await exitOf(h, forky.id);
  // The shell cannot fork past 8 tasks (itself and the wrapper among them) and gives up.
  assert.notEqual(forkyExit.exitCode, 0);
  assert.match(h.log(forky.id, 'stderr'), /fork/i);
  const started = h.log(forky.id, 'stdout').split('\n').filter(Boolean).length;
  assert.ok(started >= 1 && started < 8, `${started} started`);

  const plain = makeRun('r-plain');
  backend.launch(plain, makeSpec({ command: 'cat /proc/self/cgroup; echo pids: $(cat /sys/fs/cgroup/pids/$(grep pids /proc/self/cgroup | cut -d: -f3)/pids.max 2>/dev/null || cat /sys/fs/cgroup$(grep ^0:: /proc/self/cgroup | cut -d: -f3)/pids.max)', resources: resources(0.1, 64) }));
  const plainExit = await exitOf(h, plain.id);
  assert.equal(plainExit.exitCode, 0);
  assert.match(h.log(plain.id, 'stdout'), /pids: 64\n/, 'the server\'s --pids-limit where the job gives none');
  assert.ok(plainExit.usage!.cpuSeconds > 0);
  assert.ok(plainExit.usage!.peakMemoryBytes === null || plainExit.usage!.peakMemoryBytes > 0);
});

test('isolation none: resources are only counted, and the host says so', async (t) => {
  const h = new Harness(t, { prefix: 'moroccron-isolation-' });
  const backend = h.backend({ isolation: 'none' });
  const { mode, why } = backend.agents()[0]!.isolation!;
  assert.deepEqual({ mode, why }, { mode: 'none', why: 'isolation turned off (--isolation none)' });
  const run = makeRun('r-counted');
  backend.launch(run, makeSpec({ command: 'cat /proc/self/cgroup', resources: resources(0.1, 64) }));
  const exit = await exitOf(h, run.id);
  assert.equal(exit.usage, undefined);
  assert.doesNotMatch(h.log(run.id, 'stdout'), /moroccron-/);
  assert.equal(existsSync(join(h.runDir(run.id), 'stdout')), true);
});
