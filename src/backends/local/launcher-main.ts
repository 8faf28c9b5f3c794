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
import { join } from 'node:path';
import { FifoPool } from './fifo-pool.js';
import { processStartTime } from './process-probe.js';
import { describeSpawnError, spawnWrapped } from './process-launcher.js';
import { RunDirs, STDERR_PIPE, STDOUT_PIPE } from './run-dir.js';
import type { LaunchOrder, LauncherOrders, LauncherReport, LauncherReports, LauncherSettings } from './launcher-protocol.js';

/** Spawn for at most this long before reporting and reading new orders. */
const SLICE_MS = 20;

let settings: LauncherSettings | null = null;
let dirs: RunDirs | null = null;
let fifos: FifoPool | null = null;
let queue: LaunchOrder[] = [];
let next = 0;
let reports: LauncherReport[] = [];
let working = false;
let flushScheduled = false;

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
  process.send!(batch);
}

function start(order: LaunchOrder): void {
  const { tools, logCap } = settings!;
  let child;
  try {
    const paths = dirs!.prepare(order.runId);
    if (order.workDirOwner !== null) dirs!.prepareWorkDir(order.runId, order.jobDir, order.workDirOwner);
    fifos?.placeInto(join(paths.dir, STDOUT_PIPE), join(paths.dir, STDERR_PIPE));
    child = spawnWrapped({
      cwd: paths.dir,
      jobDir: order.jobDir,
      stdoutPath: paths.stdout,
      stderrPath: paths.stderr,
      argv: order.argv,
      env: { ...process.env, ...order.env },
      tools,
      logCap,
    });
  } catch (error) {
    report({ type: 'failed', runId: order.runId, reason: describeSpawnError(error) });
    return;
  }
  const pid = child.pid;
  if (pid === undefined) {
    child.once('error', (error) => report({ type: 'failed', runId: order.runId, reason: describeSpawnError(error) }));
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
    settings = message;
    dirs = new RunDirs(message.dataDir);
    // Run ids never start with a dot: the pool cannot meet a run dir.
    if (message.logCap.blocks > 0) fifos = new FifoPool(join(dirs.root, '.fifo-pool'), message.tools.mkfifo);
    return;
  }
  queue.push(...message.orders);
  if (!working && settings !== null) {
    working = true;
    setImmediate(work);
  }
});
// The server is gone: stop. The wrappers run on; the next server adopts them.
process.on('disconnect', () => void (fifos?.settled() ?? Promise.resolve()).then(() => process.exit(0)));
