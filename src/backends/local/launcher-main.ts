/**
 * The launcher: a small process the local backend forks once, which starts every run's
 * wrapper and reaps it. Forking is the expensive part of a local run and its cost grows
 * with the parent's memory, so a 50 MB launcher starts wrappers several times faster than
 * the server would, and the server's event loop stays free for the API and the scheduler.
 *
 * Orders come in batches; spawning goes in slices of SLICE_MS, with the reports of each
 * slice sent before the next, so a burst of thousands reports its first starts at once.
 * Wrappers are detached (own session): they outlive this process, and a server that
 * restarts finds them through their run dirs. The launcher ends when the server does (the
 * IPC channel closes).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunCgroups } from './cgroups.js';
import { writeCgroupJoinHook } from './cgroup-join-hook.js';
import { FifoPool } from './fifo-pool.js';
import { LogCopierClient } from './log-copier-client.js';
import { processStartTime } from './process-probe.js';
import { describeSpawnError, spawnWrapped } from './process-launcher.js';
import { LOGS_DONE_PIPE, RunDirs, STDERR_PIPE, STDOUT_PIPE } from './run-dir.js';
import type { LaunchOrder, LauncherOrders, LauncherReport, LauncherReports, LauncherSettings } from './launcher-protocol.js';

/** Spawn for at most this long before reporting and reading new orders. */
const SLICE_MS = 20;
/** Capped runs handed to the log copier in one request. */
const ADOPT_BATCH = 64;

/** A launch whose run dir is ready, and whose FIFOs the copier holds if logs are capped. */
interface Staged {
  order: LaunchOrder;
  logs: 'copier' | 'direct';
}

let dirs: RunDirs | null = null;
/** With isolation: the runs' cgroups, made here before each start. */
let cgroups: RunCgroups | null = null;
/** With a log cap: FIFOs made ahead, and the copier that reads them. */
let capped: { fifos: FifoPool; copier: LogCopierClient } | null = null;
let staging: Promise<void> = Promise.resolve();
let queue: Staged[] = [];
let next = 0;
let reports: LauncherReport[] = [];
let working = false;
let flushScheduled = false;
let closing = false;

function report(item: LauncherReport): void {
  reports.push(item);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function flush(): void {
  flushScheduled = false;
  if (reports.length === 0 || !process.connected) return;
  const batch: LauncherReports = { type: 'reports', reports };
  reports = [];
  // A server that is gone by now makes the send fail (EPIPE), which must not kill the
  // launcher mid-burst: the next server finds these runs from their dirs.
  process.send!(batch, () => {});
}

const failed = (order: LaunchOrder, error: unknown): void => report({ type: 'failed', runId: order.runId, reason: describeSpawnError(error) });

/** The run dir, the job's working dir in it when it runs as another user, and a container run's name. */
function prepare(order: LaunchOrder): string {
  const paths = dirs!.prepare(order.runId);
  if (order.workDirOwner !== null) dirs!.prepareWorkDir(order.runId, order.jobDir, order.workDirOwner);
  if (order.jobEnv !== null) writeFileSync(paths.jobEnv, order.jobEnv, { mode: 0o600 });
  if (order.container !== null) {
    writeFileSync(paths.container, `${order.container.name}\n`);
    writeFileSync(paths.containerEnv, order.container.envFile, { mode: 0o600 });
  }
  return paths.dir;
}

/** The run's cgroups, made; the `cgroup.procs` files the wrapper joins (none where a hook puts the container in). */
function runCgroups(order: LaunchOrder): string[] {
  if (cgroups === null || order.limits === null) return [];
  const procs = cgroups.create(order.runId, order.limits);
  if (order.container?.joinByHook !== true) return procs;
  writeCgroupJoinHook(dirs!.paths(order.runId).hooks, procs);
  return [];
}

/** Capped runs: dirs and FIFOs in place, then the copier takes them; the ones it took go to the spawn queue. */
async function stageCapped(orders: LaunchOrder[]): Promise<void> {
  const { fifos, copier } = capped!;
  const placed: LaunchOrder[] = [];
  for (const order of orders) {
    if (closing) return;
    try {
      const dir = prepare(order);
      const pipes = [STDOUT_PIPE, STDERR_PIPE, LOGS_DONE_PIPE].map((name) => join(dir, name));
      while (!fifos.placeInto(pipes)) await fifos.refilled();
      placed.push(order);
    } catch (error) {
      failed(order, error);
    }
  }
  if (placed.length === 0) return;
  let adoption;
  try {
    adoption = await copier.adopt(placed.map((order) => order.runId));
  } catch (error) {
    for (const order of placed) report({ type: 'failed', runId: order.runId, reason: `cannot copy its logs: ${(error as Error).message}` });
    return;
  }
  for (const order of placed) {
    const problem = adoption.failed.get(order.runId);
    if (adoption.adopted.has(order.runId)) enqueue({ order, logs: 'copier' });
    else report({ type: 'failed', runId: order.runId, reason: `cannot copy its logs: ${problem ?? 'the log copier did not take the run'}` });
  }
}

function enqueue(staged: Staged): void {
  if (closing) return;
  queue.push(staged);
  if (!working) {
    working = true;
    setImmediate(work);
  }
}

function start({ order, logs }: Staged): void {
  let child;
  try {
    const dir = logs === 'direct' ? prepare(order) : dirs!.paths(order.runId).dir;
    const cgroupProcs = runCgroups(order);
    child = spawnWrapped({
      cwd: dir,
      jobDir: order.jobDir,
      stdoutPath: join(dir, 'stdout'),
      stderrPath: join(dir, 'stderr'),
      argv: order.argv,
      env: { ...process.env, ...order.env },
      logs,
      cgroupProcs,
    });
  } catch (error) {
    if (logs === 'copier') capped!.copier.drop([order.runId]);
    failed(order, error);
    return;
  }
  const pid = child.pid;
  if (pid === undefined) {
    child.once('error', (error) => {
      if (logs === 'copier') capped!.copier.drop([order.runId]);
      failed(order, error);
    });
    return;
  }
  child.on('error', () => {
    // Only spawn failures (handled above) are expected here; never let it throw.
  });
  child.once('exit', (code, signal) => report({ type: 'exited', runId: order.runId, code, signal }));
  report({ type: 'started', runId: order.runId, pid, startTime: processStartTime(pid) });
}

function work(): void {
  const sliceEnd = performance.now() + SLICE_MS;
  while (next < queue.length && performance.now() < sliceEnd) start(queue[next++]!);
  flush();
  if (next < queue.length) return void setImmediate(work);
  queue = [];
  next = 0;
  working = false;
}

process.on('message', (message: LauncherSettings | LauncherOrders) => {
  if (message.type === 'settings') {
    dirs = new RunDirs(message.dataDir);
    if (message.cgroups !== null) {
      cgroups = new RunCgroups(message.cgroups.name);
      if (cgroups.mode !== message.cgroups.mode) throw new Error(`the launcher found ${cgroups.mode} where the server found ${message.cgroups.mode}: ${cgroups.why ?? ''}`);
    }
    const startDir = process.cwd();
    // The copier's socket is reached relative to the runs root (log-copier-client.ts).
    process.chdir(dirs.root);
    // Run ids never start with a dot: the pool cannot meet a run dir.
    if (message.logCap.bytes > 0) {
      capped = { fifos: FifoPool.inRunsRoot(dirs.root, message.tools.mkfifo), copier: new LogCopierClient(message.logCap.bytes, message.logCap.marker, startDir) };
    }
    return;
  }
  if (capped === null) {
    for (const order of message.orders) enqueue({ order, logs: 'direct' });
    return;
  }
  for (let i = 0; i < message.orders.length; i += ADOPT_BATCH) {
    const batch = message.orders.slice(i, i + ADOPT_BATCH);
    staging = staging.then(() => stageCapped(batch));
  }
});
// The server is gone: stop. The wrappers run on, and so does the log copier; the next server adopts them.
// Orders not started yet are dropped: the next server finds those runs without a wrapper.
process.on('disconnect', () => {
  queue = [];
  next = 0;
  closing = true;
  capped?.copier.close();
  void (capped?.fifos.close() ?? Promise.resolve()).then(() => process.exit(0));
});
