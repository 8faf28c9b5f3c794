/**
 * The log copier: one small process per data dir that copies every capped run's output
 * into its logs (run-log-copy.ts). It replaces two `tee` processes per run, which cost
 * more CPU than the rest of a run's bookkeeping together.
 *
 * It runs detached in the runs root (its one argument; it makes it its cwd), so it outlives the launcher and the server,
 * as the wrappers do: a server that restarts finds it on its socket and goes on. It keeps a
 * journal of the runs it copies (copier-journal.ts); a copier that starts after one died
 * takes the runs still open there over (the wrappers keep a read end of their FIFOs, so meanwhile a job's
 * output waits in the pipe instead of killing it with SIGPIPE). With no run to copy and
 * nobody connected for IDLE_EXIT_MS it exits.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CopierJournal } from './copier-journal.js';
import { COPIER_DIR, COPIER_ERROR_LOG, COPIER_JOURNAL, COPIER_SOCKET, type CopierReply, type CopierRequest, type LiveEntry } from './log-copier-protocol.js';
import { RunLogCopy } from './run-log-copy.js';
import { isSafeRunId } from './run-dir.js';

const IDLE_EXIT_MS = 10_000;
const SWEEP_MS = 1_000;

process.chdir(process.argv[2] ?? '.');
const root = resolve('.');
const copies = new Map<string, RunLogCopy>();
let clients = 0;
let idleTimer: NodeJS.Timeout | null = null;
let journal: CopierJournal;

function logError(what: string, error: unknown): void {
  try {
    appendFileSync(COPIER_ERROR_LOG, `${new Date().toISOString()} ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  } catch {
    // Nowhere to say it.
  }
}

process.on('uncaughtException', (error) => {
  logError('the log copier stopped', error);
  process.exit(1);
});

function finished(copy: RunLogCopy): void {
  if (copies.get(copy.runId) !== copy) return;
  copies.delete(copy.runId);
  journal.finished(copy.runId, stillOpen);
  idleCheck();
}

const stillOpen = (): Map<string, LiveEntry> => new Map([...copies.values()].map((copy) => [copy.runId, copy.entry]));

/**
 * Copy the run's logs; false if they are being copied already. A copy of FIFOs that were
 * replaced since (the run is being launched again: its first launch never started a
 * wrapper) is let go, and the new ones are taken. Throws if its FIFOs cannot be opened.
 */
function take(runId: string, entry: LiveEntry, readopted: boolean): boolean {
  if (!isSafeRunId(runId) || runId.startsWith('.')) throw new Error(`invalid run id ${JSON.stringify(runId)}`);
  const current = copies.get(runId);
  if (current !== undefined) {
    if (current.readsCurrentFifos()) return false;
    current.abandon();
    copies.delete(runId);
  }
  const copy = new RunLogCopy(runId, join(root, runId), entry, Date.now(), finished);
  copy.open(readopted);
  copies.set(runId, copy);
  return true;
}

function handle(request: CopierRequest, reply: (message: CopierReply) => void): void {
  if (request.type === 'drop') {
    for (const runId of request.runIds) copies.get(runId)?.stop();
    return;
  }
  const adopted: string[] = [];
  const taken: string[] = [];
  const failed: { runId: string; reason: string }[] = [];
  const entry: LiveEntry = { capBytes: request.capBytes, marker: request.marker };
  for (const runId of request.runIds) {
    try {
      if (take(runId, entry, false)) taken.push(runId);
      adopted.push(runId);
    } catch (error) {
      failed.push({ runId, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  // In the journal before the answer: the wrappers start on it.
  journal.took(taken, entry);
  reply({ type: 'adopted', seq: request.seq, runIds: adopted, failed });
}

function serve(socket: Socket): void {
  clients++;
  idleCheck();
  const reply = (message: CopierReply): void => void socket.write(`${JSON.stringify(message)}\n`);
  const lines = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on('line', (line) => {
    try {
      handle(JSON.parse(line) as CopierRequest, reply);
    } catch (error) {
      logError('a request it could not read', error);
    }
  });
  // readline passes the socket's errors on: a launcher that died shows as the close below.
  lines.on('error', () => {});
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    clients--;
    idleCheck();
  });
}

function idleCheck(): void {
  if (idleTimer !== null) clearTimeout(idleTimer);
  idleTimer = null;
  if (clients === 0 && copies.size === 0) idleTimer = setTimeout(() => process.exit(0), IDLE_EXIT_MS);
}

/** Take over the runs a copier before this one had not finished. */
function takeOver(): void {
  const opened = CopierJournal.open(COPIER_JOURNAL);
  journal = opened.journal;
  for (const [runId, entry] of opened.open) {
    try {
      take(runId, entry, true);
    } catch (error) {
      logError(`could not take over the logs of run ${runId}`, error);
      journal.finished(runId, stillOpen);
    }
  }
}

/** Listen on the socket; if another copier answers there, leave it the work. */
function listen(): void {
  const server = createServer(serve);
  server.once('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    const probe = connect(COPIER_SOCKET);
    probe.once('connect', () => process.exit(0));
    probe.once('error', () => {
      // A socket file left by a copier that died.
      rmSync(COPIER_SOCKET, { force: true });
      listen();
    });
  });
  server.listen(COPIER_SOCKET, () => {
    takeOver();
    idleCheck();
    setInterval(() => {
      const now = Date.now();
      for (const copy of copies.values()) copy.sweep(now);
    }, SWEEP_MS).unref();
  });
}

mkdirSync(COPIER_DIR, { recursive: true, mode: 0o700 });
listen();
