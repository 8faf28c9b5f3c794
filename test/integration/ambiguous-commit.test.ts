/**
 * The exactly-once hole of an ambiguous commit, end to end through the real leader runtime
 * (startLeading: loop, interpreter, wake-up timer) on each of the four real stores.
 *
 * A job runs every second. The write carrying one occurrence's claim (or the write that
 * finishes its run) fails: 'after-commit' commits and then throws as if the answer was
 * lost, 'before-commit' throws without reaching the store. The loop retries the same ops;
 * the store takes the replayed claim as the same run's own. The occurrence must run
 * exactly once (one launch, one run in the store, ending succeeded), promptly, and the
 * occurrences around it must not notice.
 *
 * The backend is a small in-test fake (it launches nothing; it reports each launch as
 * started and then exited 0): the store and the loop are what is under test.
 * PostgreSQL, etcd and ZooKeeper are real throwaway servers; under CI=true a missing one
 * fails the run instead of skipping.
 *
 * Run: CI=true node --import tsx --test test/integration/ambiguous-commit.test.ts
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { pino } from 'pino';
import type { AgentReport, Backend, LogChunk } from '../../src/backends/types.js';
import { scheduleKey } from '../../src/core/context.js';
import { validateJobSpec } from '../../src/core/job-spec.js';
import { systemActor } from '../../src/core/access-control.js';
import type { JobSpec, Millis, Run, StoreOp } from '../../src/core/types.js';
import { EventBus } from '../../src/server/events.js';
import { startLeading, type BackendContext, type LeaderRuntime } from '../../src/server/leader-runtime.js';
import { Metrics } from '../../src/server/metrics.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store, WriteResult } from '../../src/store/types.js';
import { etcdUnavailable, startEtcd } from '../helpers/etcd.js';
import { FaultyStore, type WriteFault } from '../helpers/faulty-store.js';
import { postgresUnavailable, startPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/server-process.js';
import { startZooKeeper, zooKeeperUnavailable } from '../helpers/zookeeper.js';

const JOB = 'every-second';
/** The occurrence hit by the fault is this far (at least) after the job is created. */
const LEAD_MS = 2_500;
/** Occurrences after the faulty one that must each run exactly once too. */
const FOLLOWING = 5;
/** A loose bound: launched this soon after its scheduled time despite the failed write. */
const PROMPT_MS = 2_000;

// ---------------------------------------------------------------------------
// An in-test backend: records launches, reports each as started, then exited 0.

interface Launch {
  run: Run;
  /** Wall-clock time of the launch call. */
  at: Millis;
}

const AGENT: AgentReport = {
  id: 'fake-agent',
  resources: { cpus: 64, mem: 65_536, disk: 1_000_000, gpus: 0 },
  attributes: { hostname: 'fake-agent' },
  used: null,
};

class RecordingBackend implements Backend {
  readonly kind = 'local' as const;
  readonly launches: Launch[] = [];
  /** Anything but launches (kills, reattaches): none are expected. */
  readonly other: string[] = [];
  private ctx: BackendContext | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  open(ctx: BackendContext): this {
    this.ctx = ctx;
    return this;
  }

  agents(): AgentReport[] {
    return [AGENT];
  }

  launch(run: Run, _spec: JobSpec): void {
    this.launches.push({ run: { ...run }, at: Date.now() });
    this.later(10, (now) => ({ type: 'run-started', now, runId: run.id, agent: AGENT.id, taskId: null }));
    this.later(60, (now) => ({ type: 'run-exited', now, runId: run.id, exitCode: 0, signal: null }));
  }

  kill(run: Run, _gracePeriodMs: Millis, reason: string): void {
    this.other.push(`kill ${run.id}: ${reason}`);
  }

  reattach(run: Run): void {
    this.other.push(`reattach ${run.id}`);
  }

  readLogs(): Promise<LogChunk | null> {
    return Promise.resolve(null);
  }

  forget(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.ctx = null;
    return Promise.resolve();
  }

  private later(ms: number, message: (now: Millis) => Parameters<BackendContext['post']>[0]): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const ctx = this.ctx;
      if (ctx) ctx.post(message(ctx.clock()));
    }, ms);
    this.timers.add(timer);
  }
}

// ---------------------------------------------------------------------------

/** A FaultyStore that also keeps the ops of every write() call, to show what was retried. */
class RecordingFaultyStore extends FaultyStore {
  readonly calls: StoreOp[][] = [];

  override write(epoch: number, ops: StoreOp[]): Promise<WriteResult> {
    this.calls.push(structuredClone(ops));
    return super.write(epoch, ops);
  }
}

function everySecond(): JobSpec {
  // concurrency: allow, so that a slow exit on a loaded machine cannot turn an occurrence into a skip.
  const result = validateJobSpec({ name: JOB, schedule: '* * * * * *', command: 'true', misfire: { policy: 'run-all' }, concurrency: 'allow' });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

const iso = (t: Millis) => new Date(t).toISOString();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function allRuns(store: Store): Promise<Run[]> {
  const runs: Run[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ job: JOB, limit: 500, ...(cursor ? { cursor } : {}) });
    runs.push(...page.runs);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return runs;
}

type Target = 'claim' | 'finish';

/** Which write the fault is aimed at: the claim of the occurrence at `at`, or the write that records its run succeeded. */
function aimAt(target: Target, at: Millis): (ops: StoreOp[]) => boolean {
  const key = scheduleKey(at);
  return target === 'claim'
    ? (ops) => ops.some((op) => op.op === 'claim-run' && op.run.job === JOB && op.run.key === key)
    : (ops) => ops.some((op) => op.op === 'update-run' && op.run.job === JOB && op.run.key === key && op.run.status === 'succeeded');
}

async function scenario(t: TestContext, url: string, fault: WriteFault, target: Target): Promise<void> {
  const store = new RecordingFaultyStore(await openStore(url));
  const backend = new RecordingBackend();
  let runtime: LeaderRuntime | null = null;
  t.after(async () => {
    await runtime?.stop();
    await store.close();
  });

  // As src/app/start-server.ts does: a new term of leadership, then the scheduler on it.
  const epoch = await store.beginEpoch('ambiguous-commit-test', Date.now());
  runtime = await startLeading(
    { openBackend: async (ctx) => backend.open(ctx) },
    {
      store,
      epoch,
      events: new EventBus(),
      metrics: new Metrics(() => null, () => 0),
      logger: pino({ level: 'silent' }),
      clock: Date.now,
    },
  );

  // Aim before the job exists, so no timing decides whether the fault meets its write.
  const faultyAt = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
  store.failWriteWhere(fault, aimAt(target, faultyAt));

  const put = await runtime.loop.command({ kind: 'put-jobs', specs: [everySecond()] }, systemActor('test'));
  assert.ok(put.ok && put.kind === 'put-jobs', JSON.stringify(put));
  const createdAt = put.value[0]!.job.createdAt;
  const firstAt = Math.floor(createdAt / 1000) * 1000 + 1000;
  const lastAt = faultyAt + FOLLOWING * 1000;
  assert.ok(firstAt <= faultyAt, `the job was created (${iso(createdAt)}) before the faulty occurrence (${iso(faultyAt)})`);

  await waitUntil(async () => {
    const last = (await allRuns(store)).find((r) => r.key === scheduleKey(lastAt));
    return last?.status === 'succeeded';
  }, `the run of ${iso(lastAt)} to succeed`);
  assert.deepEqual(runtime.loop.health(), { ok: true }, 'the loop is healthy again');
  await runtime.stop();

  // The fault was really spent on the write aimed at, and that write was retried as it was.
  assert.equal(store.pendingFaults, 0, 'the fault was spent');
  assert.equal(store.writes.faults, 1);
  assert.equal(store.lostResults.length, fault === 'after-commit' ? 1 : 0);
  const aimed = store.calls.filter(aimAt(target, faultyAt));
  assert.equal(aimed.length, 2, 'the aimed write: the failed call and one retry');
  assert.deepEqual(aimed[1], aimed[0], 'the retry carries the same ops');

  const runs = await allRuns(store);
  const keys = runs.map((r) => r.key);
  assert.equal(new Set(keys).size, keys.length, `no key is held twice: ${keys.join(' ')}`);
  const launchedKeys = backend.launches.map((l) => l.run.key);
  assert.equal(new Set(launchedKeys).size, launchedKeys.length, `no occurrence launched twice: ${launchedKeys.join(' ')}`);
  assert.deepEqual(backend.other, [], 'no kills or reattaches');

  // Every second from the job's first occurrence to the last one checked: exactly one run, once launched, succeeded.
  for (let at = firstAt; at <= lastAt; at += 1000) {
    const key = scheduleKey(at);
    const stored = runs.filter((r) => r.key === key);
    assert.equal(stored.length, 1, `one run in the store for ${key}`);
    const run = stored[0]!;
    assert.equal(run.status, 'succeeded', `the run of ${key} succeeded: ${JSON.stringify(run)}`);
    assert.equal(run.exitCode, 0);
    assert.equal(run.trigger, 'schedule');
    assert.equal(run.scheduledAt, at);
    const launched = backend.launches.filter((l) => l.run.key === key);
    assert.equal(launched.length, 1, `one launch for ${key}`);
    assert.equal(launched[0]!.run.id, run.id, `the launched run is the stored one for ${key}`);
  }

  if (target === 'claim' && fault === 'after-commit') {
    const faultyRun = runs.find((r) => r.key === scheduleKey(faultyAt))!;
    assert.deepEqual(store.lostResults[0]!.accepted.includes(faultyRun.id), true, 'the lost answer had accepted the claim: it was committed');
  }
  const launch = backend.launches.find((l) => l.run.key === scheduleKey(faultyAt))!;
  const delay = launch.at - faultyAt;
  assert.ok(delay < PROMPT_MS, `the faulty occurrence was launched ${delay} ms after its time (bound ${PROMPT_MS} ms)`);
  t.diagnostic(`${fault} on the ${target} write of ${iso(faultyAt)}: launched ${delay} ms after its time`);
}

// ---------------------------------------------------------------------------

interface StoreKind {
  name: string;
  /** Why this store cannot be tested here (throws under CI=true), or null. */
  unavailable: string | null;
  /** Starts the server; returns a fresh store URL maker and a stop. */
  start: () => Promise<{ freshUrl: () => string; stop: () => Promise<void> }>;
}

let n = 0;
const STORES: StoreKind[] = [
  {
    name: 'SQLite file',
    unavailable: null,
    start: async () => {
      const dir = tempDir('moroccron-ambiguous-');
      return { freshUrl: () => `sqlite:${join(dir.path, `store-${++n}`, 'moroccron.db')}`, stop: async () => dir.remove() };
    },
  },
  {
    name: 'PostgreSQL',
    unavailable: postgresUnavailable(),
    start: async () => {
      const pg = await startPostgres();
      return { freshUrl: () => `${pg.url}?schema=ambiguous_${++n}`, stop: () => pg.stop() };
    },
  },
  {
    name: 'etcd',
    unavailable: etcdUnavailable(),
    start: async () => {
      const etcd = await startEtcd();
      return { freshUrl: () => `etcd://${etcd.hostPort}/moroccron-ambiguous/${++n}`, stop: () => etcd.stop() };
    },
  },
  {
    name: 'ZooKeeper',
    unavailable: zooKeeperUnavailable(),
    start: async () => {
      const zk = await startZooKeeper();
      return { freshUrl: () => `zk://${zk.connectString}/moroccron-ambiguous/store-${++n}`, stop: () => zk.stop() };
    },
  },
];

const CASES: { fault: WriteFault; target: Target; title: string }[] = [
  { fault: 'after-commit', target: 'claim', title: "the claim's write commits but its answer is lost" },
  { fault: 'before-commit', target: 'claim', title: "the claim's write fails before reaching the store" },
  { fault: 'after-commit', target: 'finish', title: 'the write that finishes the run commits but its answer is lost' },
  { fault: 'before-commit', target: 'finish', title: 'the write that finishes the run fails before reaching the store' },
];

for (const kind of STORES) {
  // The cases of one store run side by side, each on a store of its own (its own epoch).
  describe(`ambiguous commit on ${kind.name}`, { skip: kind.unavailable ?? false, concurrency: true }, () => {
    let server: Awaited<ReturnType<StoreKind['start']>> | null = null;
    before(async () => {
      server = await kind.start();
    });
    after(async () => {
      await server?.stop();
    });
    for (const c of CASES) {
      test(`${c.title}: the occurrence runs exactly once, promptly, and the next ${FOLLOWING} are unaffected`, { timeout: 120_000 }, (t) =>
        scenario(t, server!.freshUrl(), c.fault, c.target),
      );
    }
  });
}
