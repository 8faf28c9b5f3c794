/**
 * The launcher's end of the log copier (log-copier-main.ts): it connects to the copier of
 * its runs root, starting one when none answers, and asks it to take runs before their
 * wrappers start. Should the copier die, a new one is started, takes over the runs the old
 * one held, and the requests still unanswered are sent again (taking a run is idempotent).
 *
 * The process's cwd must be the runs root: the socket is reached by a relative path.
 * `startDir` is where the process was started.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { COPIER_SOCKET, type CopierReply, type CopierRequest } from './log-copier-protocol.js';

const MAIN = fileURLToPath(new URL(`./log-copier-main${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

/** How long a copier that was just started gets to answer on its socket. */
const START_WAIT_MS = 10_000;
const RETRY_MS = 25;
/** Copiers started for one request before it fails. */
const MAX_STARTS = 3;

export interface Adoption {
  adopted: Set<string>;
  failed: Map<string, string>;
}

interface Pending {
  request: Extract<CopierRequest, { type: 'adopt' }>;
  resolve: (adoption: Adoption) => void;
  reject: (error: Error) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class LogCopierClient {
  private socket: Socket | null = null;
  private connecting: Promise<Socket> | null = null;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private starts = 0;
  private closed = false;

  /** Connects at once (starting a copier if none answers), so one that has runs to take over gets going. */
  constructor(
    private readonly capBytes: number,
    private readonly marker: string,
    private readonly startDir: string,
  ) {
    this.connection().catch(() => {
      // Said by the requests that need it.
    });
  }

  /** Ask the copier to take these runs (their FIFOs are in place); which it took, which not and why. */
  adopt(runIds: string[]): Promise<Adoption> {
    const request: Pending['request'] = { type: 'adopt', seq: ++this.seq, capBytes: this.capBytes, marker: this.marker, runIds };
    return new Promise<Adoption>((resolve, reject) => {
      this.pending.set(request.seq, { request, resolve, reject });
      void this.send(request);
    });
  }

  /** These runs' wrappers did not start: the copier stops waiting for them. */
  drop(runIds: string[]): void {
    if (runIds.length > 0) void this.send({ type: 'drop', runIds });
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  private async send(request: CopierRequest): Promise<void> {
    let socket: Socket;
    try {
      socket = await this.connection();
    } catch (error) {
      if (request.type === 'adopt') this.fail(request.seq, error as Error);
      return;
    }
    socket.write(`${JSON.stringify(request)}\n`);
  }

  private fail(seq: number, error: Error): void {
    const pending = this.pending.get(seq);
    if (pending === undefined) return;
    this.pending.delete(seq);
    pending.reject(error);
  }

  private connection(): Promise<Socket> {
    if (this.socket !== null) return Promise.resolve(this.socket);
    this.connecting ??= this.connectOrStart().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connectOrStart(): Promise<Socket> {
    const existing = await tryConnect();
    if (existing !== null) return this.attach(existing);
    if (++this.starts > MAX_STARTS) throw new Error(`the log copier did not stay up (started ${MAX_STARTS} times; see .log-copier/errors in the runs dir)`);
    // Started from where the launcher was started (node resolves `--import` flags from there); it moves to the runs root itself.
    const child = spawn(process.execPath, [...process.execArgv, MAIN, process.cwd()], { detached: true, stdio: 'ignore', cwd: this.startDir });
    child.on('error', () => {});
    child.unref();
    const deadline = Date.now() + START_WAIT_MS;
    while (Date.now() < deadline) {
      await sleep(RETRY_MS);
      const socket = await tryConnect();
      if (socket !== null) return this.attach(socket);
    }
    throw new Error(`the log copier did not answer within ${START_WAIT_MS / 1000} s of its start`);
  }

  private attach(socket: Socket): Socket {
    this.socket = socket;
    const lines = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => this.replied(JSON.parse(line) as CopierReply));
    // readline passes the socket's errors on; a copier that died shows as the close below.
    lines.on('error', () => {});
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closed) return;
      // The copier died: a new one takes over its runs at once; what it was not asked yet, or did not answer, is asked again.
      this.connection().catch(() => {});
      for (const { request } of this.pending.values()) void this.send(request);
    });
    // Requests made while connecting went through send(), which writes once connected.
    return socket;
  }

  private replied(reply: CopierReply): void {
    const pending = this.pending.get(reply.seq);
    if (pending === undefined) return;
    this.pending.delete(reply.seq);
    this.starts = 0;
    pending.resolve({ adopted: new Set(reply.runIds), failed: new Map(reply.failed.map(({ runId, reason }) => [runId, reason])) });
  }
}

function tryConnect(): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = connect(COPIER_SOCKET);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => resolve(null));
  });
}
