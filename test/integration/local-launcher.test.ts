/**
 * The local backend's launcher process: the wrappers' parent, which the server forks once.
 * Killed, it is started again and the runs it had are found through their run dirs; a kill
 * that comes before the start is carried out once the start is reported; a burst of starts
 * is reported as it goes, not at its end. Real processes, no mocks.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Harness, jobFixtures, sleep } from '../helpers/local-backend-harness.js';

const { makeRun, makeSpec } = jobFixtures('launched');

const parentOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);

test('the launcher is the wrappers’ parent; killed, it is started again and its runs are adopted from their run dirs', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const running = makeRun('r-running');
  const finishing = makeRun('r-finishing');
  backend.launch(running, makeSpec({ command: 'touch ready; while [ ! -e go ]; do sleep 0.02; done; exit 7' }));
  backend.launch(finishing, makeSpec({ command: 'touch ready; while [ ! -e go ]; do sleep 0.02; done; exit 3' }));
  await h.next(running.id, 'run-started');
  await h.next(finishing.id, 'run-started');
  await h.fileAppears(running.id, 'ready');
  await h.fileAppears(finishing.id, 'ready');
  const launcher = backend.launcherPid!;
  assert.equal(parentOf(h.pidOf(running.id)), launcher, 'the launcher started the wrapper');

  process.kill(launcher, 'SIGKILL');
  await h.until('a new launcher', () => backend.launcherPid !== undefined && backend.launcherPid !== launcher);
  // One run ends while nobody is its parent's listener: its exit file says how.
  await sleep(200);
  h.messages.length = 0;
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${h.runDir(finishing.id)}/go`, '');
  assert.equal((await h.next(finishing.id, 'run-exited')).exitCode, 3, 'read from the exit file of an adopted run');
  writeFileSync(`${h.runDir(running.id)}/go`, '');
  assert.equal((await h.next(running.id, 'run-exited')).exitCode, 7);

  // The new launcher starts runs as the old one did.
  const after = makeRun('r-after');
  backend.launch(after, makeSpec({ command: 'exit 0' }));
  assert.equal((await h.next(after.id, 'run-exited')).exitCode, 0);
});

test('a kill ordered before the launcher reported the start is carried out after it', async (t) => {
  const h = new Harness(t);
  const backend = h.backend();
  const run = makeRun('r-early-kill');
  backend.launch(run, makeSpec({ command: 'sleep 30' }));
  backend.kill(run, 5_000, 'changed my mind');
  await h.next(run.id, 'run-started');
  const exited = await h.next(run.id, 'run-exited', 3_000);
  assert.deepEqual({ exitCode: exited.exitCode, signal: exited.signal }, { exitCode: null, signal: 'SIGTERM' });
});

test('a burst of 300 starts is reported as it goes, and every run ends with its own status', async (t) => {
  const h = new Harness(t, { timeoutMs: 60_000 });
  const backend = h.backend();
  const runs = Array.from({ length: 300 }, (_, i) => makeRun(`r-burst-${i}`));
  for (const [i, run] of runs.entries()) backend.launch(run, makeSpec({ command: `exit ${i % 7}` }));
  await h.until('the first start', () => h.messages.some((m) => m.type === 'run-started'));
  const startedAtFirst = h.messages.filter((m) => m.type === 'run-started').length;
  assert.ok(startedAtFirst < runs.length, `starts are reported in slices (${startedAtFirst} of ${runs.length} at first)`);
  await h.until('every run to end', () => h.messages.filter((m) => m.type === 'run-exited').length === runs.length);
  for (const [i, run] of runs.entries()) {
    const exited = h.messages.find((m) => m.type === 'run-exited' && m.runId === run.id);
    assert.equal(exited?.type === 'run-exited' ? exited.exitCode : undefined, i % 7, run.id);
  }
});
