/**
 * The local backend's per-run log cap, against real processes: what reaches the logs, what
 * the job sees (nothing), what survives a TERM and a server restart, and how many processes
 * a run takes. Each test gets its own data dir and kills whatever it left running.
 *
 * Run: node --import tsx --test test/integration/local-backend-logs.test.ts
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Message } from '../../src/core/types.js';
import { groupExists, isAlive } from '../../src/backends/local/process-probe.js';
import { Harness, jobFixtures, logCopiers, sleep } from '../helpers/local-backend-harness.js';
import type { HarnessOptions } from '../helpers/local-backend-harness.js';

// ---------------------------------------------------------------------------------------
// fixtures

const KIB = 1024;
const CAP = 64 * KIB;
const MARKER = '\n[moroccron: output beyond 64 KiB discarded]\n';

const { makeRun, makeSpec } = jobFixtures('chatty');

/** Backends with the cap on; the cleanup also kills what a job left behind after its wrapper went. */
const HARNESS: HarnessOptions = { prefix: 'moroccron-logs-', timeoutMs: 10_000, backend: { maxLogBytes: CAP }, reap: 'group' };

/** What `seq first last` prints. */
function seqOutput(first: number, last: number): string {
  const lines: string[] = [];
  const step = first <= last ? 1 : -1;
  for (let i = first; i !== last + step; i += step) lines.push(`${i}\n`);
  return lines.join('');
}

const SEQ_UP = seqOutput(1, 200_000); // ~1.2 MiB
const SEQ_DOWN = seqOutput(200_000, 1);

/** The processes in process group `pgid`, by command name (from /proc). */
function groupMembers(pgid: number): string[] {
  const names: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' '); // fields[0] is field 3 (state), [2] is field 5 (pgrp)
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') names.push(stat.slice(stat.indexOf('(') + 1, close));
  }
  return names.sort();
}

/** Bytes the file takes on disk (allocated blocks, not its length). */
const diskUse = (path: string): number => statSync(path).blocks * 512;

const outcome = (m: Extract<Message, { type: 'run-exited' }>) => ({ exitCode: m.exitCode, signal: m.signal });

// ---------------------------------------------------------------------------------------
// the cap

test('output over the cap: each log keeps the first 64 KiB and a marker; the job runs on and exits with its own status', async (t) => {
  const h = new Harness(t, HARNESS);
  const backend = h.backend();
  const run = makeRun('r-over');
  // Any failed write (EPIPE, EFBIG) or SIGPIPE/SIGXFSZ would end seq early and show in the exit code.
  backend.launch(run, makeSpec({ command: 'seq 1 200000 || exit 90; seq 200000 -1 1 >&2 || exit 91; echo wrote-all > after; exit 3' }));
  assert.deepEqual(outcome(await h.next(run.id, 'run-exited')), { exitCode: 3, signal: null });
  assert.equal(readFileSync(join(h.runDir(run.id), 'after'), 'utf8'), 'wrote-all\n');
  assert.equal(readFileSync(join(h.runDir(run.id), 'exit'), 'utf8'), '3\n');

  assert.equal(h.log(run.id, 'stdout'), SEQ_UP.slice(0, CAP) + MARKER);
  assert.equal(h.log(run.id, 'stderr'), SEQ_DOWN.slice(0, CAP) + MARKER);
  for (const stream of ['stdout', 'stderr']) {
    const use = diskUse(join(h.runDir(run.id), stream));
    assert.ok(use <= CAP + 8 * KIB, `${stream} takes ${use} bytes on disk`);
  }
  // The API reads the capped log like any other.
  const tail = await backend.readLogs(run, 'stdout', CAP, 1000);
  assert.equal(tail?.data, MARKER);
});

test('output under the cap, or exactly at it, is kept whole and unmarked; one byte more is marked', async (t) => {
  const h = new Harness(t, HARNESS);
  const backend = h.backend();
  const small = makeRun('r-small');
  const exact = makeRun('r-exact');
  const overByOne = makeRun('r-over-by-one');
  backend.launch(small, makeSpec({ command: 'seq 1 1000; printf "no newline at the end" >&2' }));
  backend.launch(exact, makeSpec({ command: `head -c ${CAP} /dev/zero | tr '\\0' a` }));
  backend.launch(overByOne, makeSpec({ command: `head -c ${CAP + 1} /dev/zero | tr '\\0' b` }));
  for (const run of [small, exact, overByOne]) assert.deepEqual(outcome(await h.next(run.id, 'run-exited')), { exitCode: 0, signal: null });

  assert.equal(h.log(small.id, 'stdout'), seqOutput(1, 1000));
  assert.equal(h.log(small.id, 'stderr'), 'no newline at the end');
  assert.equal(h.log(exact.id, 'stdout'), 'a'.repeat(CAP));
  assert.equal(h.log(overByOne.id, 'stdout'), 'b'.repeat(CAP) + MARKER);
  assert.equal(h.log(overByOne.id, 'stderr'), '');
});

test('a job that traps TERM and prints while shutting down keeps that output; the capped part stays capped', async (t) => {
  const h = new Harness(t, HARNESS);
  const backend = h.backend();
  const run = makeRun('r-term-trap');
  backend.launch(
    run,
    makeSpec({ command: 'trap \'echo got TERM; seq 1 200000; echo bye >&2; exit 5\' TERM; echo started; touch ready; while :; do sleep 0.05; done' }),
  );
  await h.fileAppears(run.id, 'ready');
  backend.kill(run, 5_000, 'test');
  assert.deepEqual(outcome(await h.next(run.id, 'run-exited')), { exitCode: 5, signal: null });
  assert.equal(h.log(run.id, 'stdout'), ('started\ngot TERM\n' + SEQ_UP).slice(0, CAP) + MARKER);
  assert.match(h.log(run.id, 'stderr'), /bye\n$/);
});

test('the server dies while a job writes over the cap: the job and its logging go on, a new server re-attaches', async (t) => {
  const h = new Harness(t, HARNESS);
  const first = h.backend();
  const run = makeRun('r-restart');
  // ~1.2 MiB on each stream, written over a second or so.
  first.launch(
    run,
    makeSpec({ command: 'i=0; while [ $i -lt 40 ]; do seq 1 5000 || exit 90; seq 1 5000 >&2 || exit 91; i=$((i+1)); sleep 0.03; done; exit 6' }),
  );
  await h.next(run.id, 'run-started');
  const stdout = join(h.runDir(run.id), 'stdout');
  await h.until('the cap reached', () => existsSync(stdout) && statSync(stdout).size >= CAP);
  await first.close(); // the "server" dies; the job, its copiers and its wrapper must not
  const pid = h.pidOf(run.id);
  assert.ok(isAlive(pid, null), 'the wrapper outlives the server');
  assert.ok(!existsSync(join(h.runDir(run.id), 'exit')), 'the job still runs');

  const before = h.messages.length;
  const second = h.backend();
  second.reattach({ ...run, status: 'running' }, null);
  const later = () => h.messages.slice(before);
  await h.until('re-attached', () => later().find((m) => m.type === 'run-started'));
  const exited = await h.until('run-exited', () => later().find((m): m is Extract<Message, { type: 'run-exited' }> => m.type === 'run-exited'));
  assert.deepEqual(outcome(exited), { exitCode: 6, signal: null });
  const expected = seqOutput(1, 5000).repeat(40).slice(0, CAP) + MARKER;
  assert.equal(h.log(run.id, 'stdout'), expected);
  assert.equal(h.log(run.id, 'stderr'), expected);
});

/** A job that prints `seq 1 5000` 40 times on each stream (~1.1 MiB each), a little at a time. */
const SLOW_CHATTY = 'i=0; while [ $i -lt 40 ]; do seq 1 5000 || exit 90; seq 1 5000 >&2 || exit 91; i=$((i+1)); sleep 0.03; done; exit 6';
const SLOW_CHATTY_OUTPUT = seqOutput(1, 5000).repeat(40);

test('the log copier is KILLed mid-run: the job waits on its full pipe instead of dying, a new copier takes over, nothing is lost or doubled', async (t) => {
  const h = new Harness(t, { ...HARNESS, backend: { maxLogBytes: 4 * 1024 * KIB } });
  const backend = h.backend();
  const run = makeRun('r-copier-killed');
  backend.launch(run, makeSpec({ command: SLOW_CHATTY }));
  await h.next(run.id, 'run-started');
  const stdout = join(h.runDir(run.id), 'stdout');
  await h.until('output flowing', () => existsSync(stdout) && statSync(stdout).size >= 100 * KIB);
  const [first] = logCopiers(h.dataDir);
  process.kill(first!.pid, 'SIGKILL');
  await h.until('a new copier', () => logCopiers(h.dataDir).some((copier) => copier.pid !== first!.pid));
  assert.deepEqual(outcome(await h.next(run.id, 'run-exited')), { exitCode: 6, signal: null });
  assert.equal(h.log(run.id, 'stdout'), SLOW_CHATTY_OUTPUT);
  assert.equal(h.log(run.id, 'stderr'), SLOW_CHATTY_OUTPUT);
});

test('the server and the log copier both die mid-run: the next server starts a copier, which takes the run over', async (t) => {
  const h = new Harness(t, { ...HARNESS, backend: { maxLogBytes: 4 * 1024 * KIB } });
  const first = h.backend();
  const run = makeRun('r-both-died');
  first.launch(run, makeSpec({ command: SLOW_CHATTY }));
  await h.next(run.id, 'run-started');
  const stdout = join(h.runDir(run.id), 'stdout');
  await h.until('output flowing', () => existsSync(stdout) && statSync(stdout).size >= 100 * KIB);
  await first.close();
  for (const copier of logCopiers(h.dataDir)) process.kill(copier.pid, 'SIGKILL');
  await sleep(300);
  assert.ok(!existsSync(join(h.runDir(run.id), 'exit')), 'the job waits on its full pipe (a 300 ms pause at most would be over by now otherwise)');

  const before = h.messages.length;
  const second = h.backend();
  second.reattach({ ...run, status: 'running' }, null);
  const exited = await h.until('run-exited', () => h.messages.slice(before).find((m): m is Extract<Message, { type: 'run-exited' }> => m.type === 'run-exited'));
  assert.deepEqual(outcome(exited), { exitCode: 6, signal: null });
  assert.equal(h.log(run.id, 'stdout'), SLOW_CHATTY_OUTPUT);
  assert.equal(h.log(run.id, 'stderr'), SLOW_CHATTY_OUTPUT);
  assert.equal(logCopiers(h.dataDir).length, 1);
});

/** Ask the data dir's log copier, on its socket, to take `runId` (its FIFOs must be in place), as a launcher does; its answer. */
async function askCopierToTake(dataDir: string, runId: string): Promise<unknown> {
  const socket = connect(join(dataDir, 'runs', '.log-copier', 'socket'));
  socket.write(`${JSON.stringify({ type: 'adopt', seq: 1, capBytes: CAP, marker: MARKER.trim(), runIds: [runId] })}\n`);
  const [line] = (await once(createInterface({ input: socket }), 'line')) as [string];
  socket.destroy();
  return JSON.parse(line);
}

test('a run staged for a launcher that died before starting it, then launched again, runs: the copier lets go of the FIFOs that were replaced', async (t) => {
  const h = new Harness(t, HARNESS);
  const backend = h.backend();
  // Any capped run starts the copier.
  const first = makeRun('r-starts-copier');
  backend.launch(first, makeSpec({ command: 'true' }));
  await h.next(first.id, 'run-exited');
  // What a launcher leaves when it dies between staging a run and starting its wrapper:
  // the run dir with its FIFOs, held by the copier, and no wrapper.
  const run = makeRun('r-staged-then-orphaned');
  mkdirSync(h.runDir(run.id), { mode: 0o700 });
  execFileSync('mkfifo', ['-m', '600', ...['.stdout.pipe', '.stderr.pipe', '.logs.pipe'].map((name) => join(h.runDir(run.id), name))]);
  assert.deepEqual(await askCopierToTake(h.dataDir, run.id), { type: 'adopted', seq: 1, runIds: [run.id], failed: [] });
  // The next server finds no wrapper for it and launches it again, into fresh FIFOs.
  backend.launch(run, makeSpec({ command: 'echo out; echo err >&2; exit 3' }));
  assert.deepEqual(outcome(await h.next(run.id, 'run-exited')), { exitCode: 3, signal: null });
  assert.equal(h.log(run.id, 'stdout'), 'out\n');
  assert.equal(h.log(run.id, 'stderr'), 'err\n');
  // Asked again about FIFOs it already reads, the copier keeps its copy (and says it has the run).
  const again = makeRun('r-asked-twice');
  backend.launch(again, makeSpec({ command: 'sleep 0.5; echo once' }));
  await h.next(again.id, 'run-started');
  assert.deepEqual(await askCopierToTake(h.dataDir, again.id), { type: 'adopted', seq: 1, runIds: [again.id], failed: [] });
  assert.deepEqual(outcome(await h.next(again.id, 'run-exited')), { exitCode: 0, signal: null });
  assert.equal(h.log(again.id, 'stdout'), 'once\n');
});

test('a job killed by a signal is reported as that signal; KILL after the grace period still ends everything', async (t) => {
  const h = new Harness(t, HARNESS);
  const backend = h.backend();
  const usr1 = makeRun('r-usr1');
  const ignoresTerm = makeRun('r-ignoresTerm');
  backend.launch(usr1, makeSpec({ command: 'seq 1 200000; kill -USR1 $$' }));
  backend.launch(ignoresTerm, makeSpec({ command: "trap '' TERM; seq 1 200000; touch ready; sleep 30" }));
  assert.deepEqual(outcome(await h.next(usr1.id, 'run-exited')), { exitCode: null, signal: 'SIGUSR1' });
  assert.equal(readFileSync(join(h.runDir(usr1.id), 'exit'), 'utf8'), '138\n');
  assert.equal(h.log(usr1.id, 'stdout'), SEQ_UP.slice(0, CAP) + MARKER);

  await h.fileAppears(ignoresTerm.id, 'ready');
  const pid = h.pidOf(ignoresTerm.id);
  backend.kill(ignoresTerm, 300, 'timeout');
  assert.deepEqual(outcome(await h.next(ignoresTerm.id, 'run-exited')), { exitCode: null, signal: 'SIGKILL' });
  await h.until('the whole group gone', () => !groupExists(pid));
  // The log copier is no member of the group: it finishes the log once it sees the wrapper gone.
  await h.until('the log marked', () => h.log(ignoresTerm.id, 'stdout').endsWith(MARKER));
  assert.equal(h.log(ignoresTerm.id, 'stdout'), SEQ_UP.slice(0, CAP) + MARKER);
});

test('processes per run: the wrapper and the job, with a cap or without; one log copier for all capped runs', async (t) => {
  const h = new Harness(t, HARNESS);
  const capped = h.backend();
  const unlimited = h.backend({ maxLogBytes: 0 });
  const a = makeRun('r-count-capped');
  const b = makeRun('r-count-unlimited');
  capped.launch(a, makeSpec({ args: ['sleep', '30'] }));
  unlimited.launch(b, makeSpec({ args: ['sleep', '30'] }));
  await h.next(a.id, 'run-started');
  await h.next(b.id, 'run-started');
  await h.until('capped run settled', () => groupMembers(h.pidOf(a.id)).join() === 'sh,sleep');
  await h.until('unlimited run settled', () => groupMembers(h.pidOf(b.id)).join() === 'sh,sleep');
  await sleep(200);
  assert.deepEqual(groupMembers(h.pidOf(a.id)), ['sh', 'sleep']);
  assert.deepEqual(groupMembers(h.pidOf(b.id)), ['sh', 'sleep']);
  const copier = logCopiers(h.dataDir);
  assert.equal(copier.length, 1, 'one log copier');
  assert.notEqual(copier[0]!.pgid, h.pidOf(a.id), 'in a session of its own, out of reach of a kill of the run');
  assert.equal(existsSync(join(h.runDir(b.id), '.stdout.pipe')), false, 'no FIFOs without a cap');
  capped.kill(a, 0, 'done');
  unlimited.kill(b, 0, 'done');
  await h.next(a.id, 'run-exited');
  await h.next(b.id, 'run-exited');
});

test('cap 0: logs are unlimited', async (t) => {
  const h = new Harness(t, HARNESS);
  const backend = h.backend({ maxLogBytes: 0 });
  const run = makeRun('r-unlimited');
  backend.launch(run, makeSpec({ command: 'seq 1 200000; seq 200000 -1 1 >&2; exit 2' }));
  assert.deepEqual(outcome(await h.next(run.id, 'run-exited')), { exitCode: 2, signal: null });
  assert.equal(h.log(run.id, 'stdout'), SEQ_UP);
  assert.equal(h.log(run.id, 'stderr'), SEQ_DOWN);
});

test("a run ends once the job's output is closed: a child left holding it keeps the run going, one that let go does not", async (t) => {
  const h = new Harness(t, HARNESS);
  const backend = h.backend();
  const holding = makeRun('r-holding');
  const detached = makeRun('r-let-go');
  backend.launch(holding, makeSpec({ command: '(sleep 0.6; echo late) & echo early' }));
  backend.launch(detached, makeSpec({ command: 'sleep 30 > /dev/null 2>&1 & echo $! > bg.pid; echo early' }));
  const t0 = Date.now();
  assert.deepEqual(outcome(await h.next(detached.id, 'run-exited')), { exitCode: 0, signal: null });
  assert.deepEqual(outcome(await h.next(holding.id, 'run-exited')), { exitCode: 0, signal: null });
  assert.ok(Date.now() - t0 >= 500, 'waited for the child holding stdout');
  assert.equal(h.log(holding.id, 'stdout'), 'early\nlate\n');
  assert.equal(h.log(detached.id, 'stdout'), 'early\n');
  const leftover = Number(readFileSync(join(h.runDir(detached.id), 'bg.pid'), 'utf8'));
  assert.ok(isAlive(leftover, null), 'the child that let go runs on (the cleanup kills its group)');
});

test("a wrapper KILLed while a leftover child holds the job's output reports the job's own status", async (t) => {
  const h = new Harness(t, HARNESS);
  const backend = h.backend();
  const run = makeRun('r-killed-draining');
  backend.launch(run, makeSpec({ command: "(trap '' TERM; echo child; exec sleep 30) & touch ready; exit 4" }));
  await h.fileAppears(run.id, 'exit');
  await h.fileAppears(run.id, 'ready');
  const pid = h.pidOf(run.id);
  assert.ok(isAlive(pid, null), 'the wrapper waits for the output to be closed');
  backend.kill(run, 300, 'test');
  // The wrapper died of the KILL, but it had recorded the job's exit: the same answer a
  // restarted server would read from the run dir.
  assert.deepEqual(outcome(await h.next(run.id, 'run-exited')), { exitCode: 4, signal: null });
  assert.equal(h.log(run.id, 'stdout'), 'child\n');
  await h.until('the group gone', () => !groupExists(pid));
});

// ---------------------------------------------------------------------------------------
// configuration

test('the cap is exact to the byte; a bad value is refused', async (t) => {
  const h = new Harness(t, HARNESS);
  const backend = h.backend({ maxLogBytes: 1000 });
  const run = makeRun('r-odd-cap');
  backend.launch(run, makeSpec({ command: 'seq 1 1000' }));
  await h.next(run.id, 'run-exited');
  assert.equal(h.log(run.id, 'stdout'), seqOutput(1, 1000).slice(0, 1000) + '\n[moroccron: output beyond 1000 bytes discarded]\n');

  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => h.backend({ maxLogBytes: bad }), RangeError, String(bad));
  }
});
