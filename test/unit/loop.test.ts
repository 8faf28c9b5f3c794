/**
 * The Loop itself, with a fake EffectRunner and no store: a batch's store ops are written
 * first and everything else (launches, replies, timers, durable-post answers) only after
 * the write committed; a failed write is retried with the same ops until it commits; a
 * fenced write or stop() ends the loop without carrying out the batch.
 *
 * Real timers (the retry backoff starts at 100 ms); waits are on promises the fake
 * settles, with a timeout so a broken loop fails instead of hanging.
 *
 * Run: node --import tsx --test test/unit/loop.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateJobSpec } from '../../src/core/job-spec.js';
import { initialState } from '../../src/core/state.js';
import { NO_PROGRESS, type CommandResult, type Effect, type Message, type Millis, type StoreOp, type StoredJob } from '../../src/core/types.js';
import { Loop, type EffectRunner, type LoopStats } from '../../src/server/loop.js';
import { FencedError, type WriteResult } from '../../src/store/types.js';
import { systemActor } from '../../src/core/access-control.js';

const TEST_ACTOR = systemActor('test');

const START = Date.parse('2026-01-01T00:00:00.000Z');
/** How long a wait for something the loop should do may take before the test fails. */
const WAIT_MS = 5_000;

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Fails (instead of hanging the test) when `promise` does not settle within WAIT_MS. */
async function within<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Only to show that something does NOT happen: give the loop time it would need to do it. */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether a promise has settled, as seen after pending callbacks had their turn. */
function settledFlag<T>(promise: Promise<T>): () => boolean {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return () => settled;
}

const claimsOf = (ops: StoreOp[]) => ops.flatMap((op) => (op.op === 'claim-run' ? [op.run] : []));

const acceptAll = (ops: StoreOp[]): WriteResult => ({
  accepted: claimsOf(ops).map((r) => r.id),
  refused: [],
  removedRunIds: [],
  evictedRunIds: [],
});

type Answer = (ops: StoreOp[]) => Promise<WriteResult> | WriteResult;

type CarriedEffect = Exclude<Effect, { type: 'store' } | { type: 'reply' }>;

/**
 * Records every call in one timeline. Writes are answered by the scripted answers in
 * order (then by accepting every claim); `gate()` makes a write wait until released.
 */
class FakeRunner implements EffectRunner {
  readonly timeline: string[] = [];
  readonly writes: StoreOp[][] = [];
  readonly carried: CarriedEffect[] = [];
  readonly forgotten: string[][] = [];
  readonly failures: { error: Error; attempt: number; retryInMs: number }[] = [];
  readonly recoveries: number[] = [];
  private readonly script: Answer[] = [];
  private readonly waiters: { check: () => boolean; resolve: () => void }[] = [];

  /** Answer the next unanswered write this way. */
  answer(...answers: Answer[]): this {
    this.script.push(...answers);
    return this;
  }

  /** Make the next unanswered write wait for release(); resolves `called` when it is made. */
  gate(result: (ops: StoreOp[]) => WriteResult = acceptAll): { called: Promise<StoreOp[]>; release: () => void; fail: (e: Error) => void } {
    const called = deferred<StoreOp[]>();
    const open = deferred<WriteResult>();
    this.script.push((ops) => {
      called.resolve(ops);
      return open.promise.then(() => result(ops));
    });
    return { called: called.promise, release: () => open.resolve(undefined as unknown as WriteResult), fail: (e) => open.reject(e) };
  }

  /** Resolves once `check` holds (checked now and after every recorded call). */
  until(check: () => boolean, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    const d = deferred();
    this.waiters.push({ check, resolve: d.resolve });
    return within(d.promise, what);
  }

  note(entry: string): void {
    this.timeline.push(entry);
    for (const w of [...this.waiters]) {
      if (w.check()) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  async write(ops: StoreOp[]): Promise<WriteResult> {
    this.writes.push(ops);
    const n = this.writes.length;
    this.note(`write#${n}:${ops.map((o) => o.op).join(',')}`);
    const answer = this.script.shift() ?? acceptAll;
    try {
      const result = await answer(ops);
      this.note(`committed#${n}`);
      return result;
    } catch (error) {
      this.note(`write-failed#${n}`);
      throw error;
    }
  }

  carryOut(effect: CarriedEffect): void {
    this.carried.push(effect);
    this.note(`carry:${effect.type}${effect.type === 'launch' ? `:${effect.run.id}` : ''}`);
  }

  forgetRuns(runIds: string[]): void {
    this.forgotten.push(runIds);
    this.note(`forget:${runIds.join(',')}`);
  }

  writeFailed(error: Error, attempt: number, retryInMs: number): void {
    this.failures.push({ error, attempt, retryInMs });
    this.note(`writeFailed:${attempt}`);
  }

  writeRecovered(attempts: number): void {
    this.recoveries.push(attempts);
    this.note(`writeRecovered:${attempts}`);
  }

  indexOf(entry: string | RegExp): number {
    return this.timeline.findIndex((e) => (typeof entry === 'string' ? e === entry : entry.test(e)));
  }
}

function jobSpec(name: string) {
  // A yearly schedule: no occurrence comes due while a test runs; runs come from run-job.
  const result = validateJobSpec({ name, schedule: '0 0 1 1 *', command: 'true', concurrency: 'allow' });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

const storedJob = (name: string): StoredJob => ({ spec: jobSpec(name), cursor: START, createdAt: START, updatedAt: START, progress: NO_PROGRESS });

function boot(now: Millis, jobs: StoredJob[] = [storedJob('j')]): Message {
  // A Mesos-style backend: no capacity of the scheduler's own, every due run goes to the backend.
  return { type: 'boot', now, jobs, activeRuns: [], backend: 'mesos', capacity: null, agents: [], blacklist: [], frameworkId: null, owners: [], notices: [], idPrefix: 't' };
}

function setup() {
  let now = START;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const runner = new FakeRunner();
  const batches: number[] = [];
  const stats: LoopStats = { observeBatch: (_seconds, messages) => void batches.push(messages) };
  const fatal = deferred<Error>();
  const fatalCalls: Error[] = [];
  // No time budget: on a loaded machine a slow update() would split the batches these tests pin down.
  const loop = new Loop(
    initialState(),
    runner,
    clock.now,
    stats,
    (error) => {
      fatalCalls.push(error);
      fatal.resolve(error);
    },
    Number.POSITIVE_INFINITY,
  );
  return { loop, runner, clock, batches, fatal: fatal.promise, fatalCalls };
}

const frameworkId = (now: Millis, id: string): Message => ({ type: 'framework-id', now, frameworkId: id });

const STOPPING: CommandResult = { ok: false, status: 409, code: 'stopping', message: 'the scheduler is stopping' };

test('a batch writes its store ops first; timers, launches and replies only after the write committed', async () => {
  const { loop, runner, clock } = setup();
  const first = runner.gate();
  const second = runner.gate();

  // One batch: boot (which asks for a timer) and a manual run (a claim and a reply).
  loop.post(boot(clock.now()));
  const reply = loop.command({ kind: 'run-job', name: 'j' }, TEST_ACTOR);
  const replied = settledFlag(reply);
  void reply.then(() => runner.note('reply:run-job'));

  const ops = await within(first.called, 'the first write');
  assert.deepEqual(ops.map((o) => o.op), ['claim-run', 'put-audit'], 'the claim and the audit entry of the command that made it');
  await pause(20);
  assert.deepEqual(runner.timeline, ['write#1:claim-run,put-audit'], 'while the write is in flight nothing else is carried out');
  assert.equal(replied(), false, 'the command is not answered before its claim is durable');

  first.release();
  const result = await within(reply, 'the reply to run-job');
  assert.equal(result.ok, true);
  const runId = result.ok && result.kind === 'run-job' ? result.value.id : '';
  assert.ok(runId);

  // The claim's answer comes back as a `claimed` message: the run is launched after its own write.
  const updates = await within(second.called, 'the write that marks the run launching');
  assert.deepEqual(updates.map((o) => (o.op === 'update-run' ? `${o.op}:${o.run.status}` : o.op)), ['update-run:launching']);
  await pause(20);
  assert.equal(runner.indexOf(`carry:launch:${runId}`), -1, 'no launch while the launching state is being written');
  second.release();
  await runner.until(() => runner.indexOf(`carry:launch:${runId}`) >= 0, 'the launch');

  const t = runner.timeline;
  const committed1 = runner.indexOf('committed#1');
  const write2 = runner.indexOf('write#2:update-run');
  const committed2 = runner.indexOf('committed#2');
  assert.equal(committed1, 1, `the first write commits before anything else happens: ${t.join(' ')}`);
  const firstBatch = t.slice(committed1 + 1, write2);
  assert.ok(firstBatch.includes('carry:set-timer'), `boot's timer belongs to the first batch: ${t.join(' ')}`);
  assert.ok(firstBatch.includes('reply:run-job'), `the reply belongs to the first batch: ${t.join(' ')}`);
  const launch = runner.indexOf(`carry:launch:${runId}`);
  assert.ok(committed2 < launch, `launched only after the launching state committed: ${t.join(' ')}`);
  assert.deepEqual(
    t.slice(committed2 + 1).filter((e) => !e.startsWith('carry:')),
    [],
    'after the last write only effects are carried out',
  );
  assert.equal(runner.writes.length, 2);
  assert.deepEqual(loop.health(), { ok: true });
  loop.stop();
});

test('a fenced write stops the loop: nothing of the batch is carried out, commands get 409 stopping, durable posts false, onFatal gets the error', async () => {
  const { loop, runner, clock, fatal, fatalCalls } = setup();
  const fence = new FencedError(3, 4);
  const gate = runner.gate();

  loop.post(boot(clock.now()));
  const command = loop.command({ kind: 'run-job', name: 'j' }, TEST_ACTOR);
  const durable = loop.postDurably(frameworkId(clock.now(), 'f-1'));
  await within(gate.called, 'the write');
  // Posted while the doomed write is in flight: they wait in the queue, and must be answered too.
  const queuedCommand = loop.command({ kind: 'pause-job', name: 'j' }, TEST_ACTOR);
  const queuedDurable = loop.postDurably(frameworkId(clock.now(), 'f-2'));
  gate.fail(fence);

  assert.equal(await within(fatal, 'onFatal'), fence);
  assert.deepEqual(await within(command, 'the answer to the command in the fenced batch'), STOPPING);
  assert.deepEqual(await within(queuedCommand, 'the answer to the command queued behind it'), STOPPING);
  assert.equal(await within(durable, 'postDurably of the fenced batch'), false);
  assert.equal(await within(queuedDurable, 'postDurably queued behind it'), false);

  // Messages posted now are dropped, and nothing is ever carried out or written again.
  loop.post({ type: 'tick', now: clock.now() });
  assert.equal(await loop.postDurably(frameworkId(clock.now(), 'f-3')), false);
  assert.deepEqual(await within(loop.command({ kind: 'run-job', name: 'j' }, TEST_ACTOR), 'a command after the fence'), STOPPING);
  await pause(150);
  assert.deepEqual(runner.carried, [], 'no effect of the fenced batch (nor any later one) was carried out');
  assert.equal(runner.writes.length, 1, 'a fenced write is not retried');
  assert.deepEqual(runner.failures, [], 'a fence is not an ordinary write failure');
  assert.equal(fatalCalls.length, 1);
  assert.equal(loop.depth, 0);
});

test('a failed write is retried with the same ops until it commits; the batch waits, health reports it, later messages are handled after', async () => {
  const { loop, runner, clock } = setup();
  runner.answer(
    () => {
      throw new Error('disk full');
    },
    () => {
      throw new Error('disk still full');
    },
  );

  loop.post(boot(clock.now()));
  const command = loop.command({ kind: 'run-job', name: 'j' }, TEST_ACTOR);
  const durable = loop.postDurably(frameworkId(clock.now(), 'f-1'));
  const commandDone = settledFlag(command);
  const durableDone = settledFlag(durable);
  const failedAt = clock.now();

  await runner.until(() => runner.failures.length === 1, 'the first failure');
  clock.advance(1000);
  assert.deepEqual(loop.health(), { ok: false, since: failedAt, error: 'disk full' });
  // Meanwhile more work arrives: it waits in the queue.
  const later = loop.command({ kind: 'pause-job', name: 'j' }, TEST_ACTOR);
  const laterDurable = loop.postDurably(frameworkId(clock.now(), 'f-2'));

  await runner.until(() => runner.failures.length === 2, 'the second failure');
  assert.deepEqual(loop.health(), { ok: false, since: failedAt, error: 'disk still full' }, 'since the first failure, with the latest error');
  assert.deepEqual(runner.carried, [], 'nothing of the batch is carried out while its write fails');
  assert.equal(commandDone(), false);
  assert.equal(durableDone(), false);

  await runner.until(() => runner.recoveries.length === 1, 'the recovery');
  assert.deepEqual(loop.health(), { ok: true });
  const [first, second, third] = runner.writes;
  assert.ok(first && second && third);
  assert.deepEqual(first.map((o) => o.op), ['claim-run', 'put-audit', 'put-meta']);
  assert.deepEqual(second, first, 'the retry writes the same ops');
  assert.deepEqual(third, first, 'the retry writes the same ops');
  assert.deepEqual(
    runner.failures.map((f) => [f.error.message, f.attempt, f.retryInMs]),
    [
      ['disk full', 1, 100],
      ['disk still full', 2, 200],
    ],
  );
  assert.deepEqual(runner.recoveries, [3]);

  const result = await within(command, 'the reply to run-job');
  assert.equal(result.ok, true);
  assert.equal(await within(durable, 'postDurably'), true);
  const paused = await within(later, 'the reply to the command posted during the failures');
  assert.equal(paused.ok, true);
  assert.equal(paused.ok && paused.kind === 'pause-job' && paused.value.job.spec.paused, true);
  assert.equal(await within(laterDurable, 'postDurably posted during the failures'), true);

  const t = runner.timeline;
  const recovered = runner.indexOf('committed#3');
  assert.deepEqual(
    t.slice(0, recovered + 1).filter((e) => e.startsWith('carry:') || e.startsWith('forget:')),
    [],
    `nothing carried out before the write committed: ${t.join(' ')}`,
  );
  // The messages posted meanwhile went into a later write, after the retried batch.
  const putJob = runner.writes.findIndex((ops) => ops.some((o) => o.op === 'put-job' && o.job.spec.paused));
  assert.ok(putJob >= 3, 'the pause is written after the retried batch');
  assert.ok(runner.writes[putJob]!.some((o) => o.op === 'put-meta' && o.value === 'f-2'));
  assert.equal(runner.failures.length, 2, 'no more failures');
  loop.stop();
});

test('stop() during the retry wait ends the retrying; the batch is dropped, not carried out', async () => {
  const { loop, runner, clock, fatalCalls } = setup();
  runner.answer(() => {
    throw new Error('store unreachable');
  });
  loop.post(boot(clock.now()));
  const command = loop.command({ kind: 'run-job', name: 'j' }, TEST_ACTOR);
  const durable = loop.postDurably(frameworkId(clock.now(), 'f-1'));
  await runner.until(() => runner.failures.length === 1, 'the failure');
  assert.equal(runner.failures[0]!.retryInMs, 100);

  loop.stop();
  assert.deepEqual(await within(command, 'the command'), STOPPING);
  assert.equal(await within(durable, 'postDurably'), false);
  // Well past the 100 ms the retry would have waited.
  await pause(300);
  assert.equal(runner.writes.length, 1, 'not retried after stop()');
  assert.deepEqual(runner.carried, [], 'nothing of the batch carried out');
  assert.deepEqual(runner.recoveries, []);
  assert.deepEqual(fatalCalls, [], 'a stop is not a failure');
  loop.post({ type: 'tick', now: clock.now() });
  assert.equal(loop.depth, 0, 'a stopped loop takes no messages');
});

test('stop() while a write is in flight: the batch is not carried out even when the write then commits', async () => {
  const { loop, runner, clock } = setup();
  const gate = runner.gate();
  loop.post(boot(clock.now()));
  const command = loop.command({ kind: 'run-job', name: 'j' }, TEST_ACTOR);
  await within(gate.called, 'the write');
  loop.stop();
  assert.deepEqual(await within(command, 'the command'), STOPPING);
  gate.release();
  await runner.until(() => runner.indexOf('committed#1') >= 0, 'the commit');
  await pause(50);
  assert.deepEqual(runner.carried, [], 'no launch, timer or other effect after stop()');
  assert.equal(runner.writes.length, 1, 'no `claimed` follow-up is handled after stop()');
});

test('postDurably resolves true only after the write of its batch committed (and at once for a batch without writes)', async () => {
  const { loop, runner, clock } = setup();
  loop.post(boot(clock.now(), []));
  const gate = runner.gate();
  const durable = loop.postDurably(frameworkId(clock.now(), 'f-1'));
  void durable.then(() => runner.note('durable'));
  const done = settledFlag(durable);
  const ops = await within(gate.called, 'the write');
  assert.deepEqual(ops, [{ op: 'put-meta', key: 'mesos.frameworkId', value: 'f-1' }]);
  await pause(20);
  assert.equal(done(), false, 'not durable while the write is in flight');
  gate.release();
  assert.equal(await within(durable, 'postDurably'), true);
  assert.ok(runner.indexOf('committed#1') < runner.indexOf('durable'));

  // A message whose batch writes nothing is as durable as it gets once handled.
  assert.equal(await within(loop.postDurably({ type: 'agents', now: clock.now(), agents: ['a1'] }), 'postDurably without writes'), true);
  assert.equal(runner.writes.length, 1);
  loop.stop();
  assert.equal(await loop.postDurably(frameworkId(clock.now(), 'f-2')), false, 'after stop(): false at once');
});

test('claims the store accepted or refused come back as a `claimed` message: the accepted run launches, the refused one is dropped', async () => {
  const { loop, runner, clock, batches } = setup();
  runner.answer((ops) => {
    const [mine, theirs] = claimsOf(ops);
    assert.ok(mine && theirs, 'both claims are in one write');
    return { accepted: [mine.id], refused: [theirs.id], removedRunIds: [], evictedRunIds: [] };
  });
  loop.post(boot(clock.now()));
  const a = loop.command({ kind: 'run-job', name: 'j' }, TEST_ACTOR);
  const b = loop.command({ kind: 'run-job', name: 'j' }, TEST_ACTOR);
  const [ra, rb] = await within(Promise.all([a, b]), 'the replies');
  assert.ok(ra.ok && ra.kind === 'run-job' && rb.ok && rb.kind === 'run-job');
  const [accepted, refused] = [ra.value.id, rb.value.id];

  await runner.until(() => runner.indexOf(`carry:launch:${accepted}`) >= 0, 'the launch of the accepted run');
  assert.deepEqual(batches.slice(0, 2), [3, 1], 'boot and both commands in one batch, then the `claimed` message');
  assert.deepEqual(
    runner.writes[1]!.map((o) => (o.op === 'update-run' ? `${o.run.id}:${o.run.status}` : o.op)),
    [`${accepted}:launching`],
  );
  assert.deepEqual(
    runner.carried.filter((e) => e.type === 'launch').map((e) => e.run.id),
    [accepted],
    'only the accepted run is launched',
  );
  const warning = runner.carried.find((e) => e.type === 'log' && e.level === 'warn' && /refused/.test(e.message));
  assert.ok(warning && warning.type === 'log' && warning.fields?.runId === refused, 'the refused claim is reported');
  assert.equal(loop.state.runs.has(refused), false, 'the refused run is forgotten');
  assert.equal(loop.state.runs.get(accepted)?.status, 'launching');

  // A write without claims is followed by no `claimed` message.
  const before = batches.length;
  assert.equal(await within(loop.postDurably(frameworkId(clock.now(), 'f-1')), 'a write without claims'), true);
  await pause(20);
  assert.deepEqual(batches.slice(before), [1], 'just the one batch');
  loop.stop();
});

test('runs the write removed or evicted go to forgetRuns, after the write and only when there are some', async () => {
  const { loop, runner, clock } = setup();
  loop.post(boot(clock.now(), []));
  runner.answer(() => ({ accepted: [], refused: [], removedRunIds: ['r-1', 'r-2'], evictedRunIds: ['e-1'] }));
  assert.equal(await within(loop.postDurably(frameworkId(clock.now(), 'f-1')), 'the first write'), true);
  assert.deepEqual(runner.forgotten, [['r-1', 'r-2', 'e-1']]);
  assert.ok(runner.indexOf('committed#1') < runner.indexOf('forget:r-1,r-2,e-1'));

  assert.equal(await within(loop.postDurably(frameworkId(clock.now(), 'f-2')), 'the second write'), true);
  assert.equal(runner.writes.length, 2);
  assert.deepEqual(runner.forgotten, [['r-1', 'r-2', 'e-1']], 'nothing to forget: not called');
  loop.stop();
});
