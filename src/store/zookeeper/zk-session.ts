/**
 * One ZooKeeper session over node-zookeeper-client, with promises, a per-call timeout and
 * a liveness watchdog. The client library only notices a dead server when the socket
 * closes, so the session pings on its own: once no request sent within the last session
 * timeout has been answered, the server may already have expired the session, and `dead`
 * settles: a tenth of the timeout before the server could expire it, never after.
 */
import type { Socket } from 'node:net';
import zookeeper from 'node-zookeeper-client';

export interface ZkSessionOptions {
  sessionTimeoutMs: number;
  /** Give up connecting after this long. */
  connectTimeoutMs?: number;
  /** Reject a call that has no answer after this long (its effect is then unknown). */
  callTimeoutMs?: number;
  /** "user:password" for the digest scheme. */
  auth?: string | null;
}

export type ZkOp =
  | { kind: 'create'; path: string; data: Buffer; mode?: number }
  | { kind: 'set'; path: string; data: Buffer; version?: number }
  | { kind: 'remove'; path: string }
  | { kind: 'check'; path: string; version?: number };

export interface ZkNode {
  data: Buffer;
  version: number;
  /** The zxid of the transaction that created it (8 bytes, big-endian): compare with Buffer.compare for creation order. */
  createdZxid: Buffer;
}

export const ZkCode = zookeeper.Exception;

/** A ZooKeeper error code, with the failing op's index for a multi. */
export class ZkError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly opIndex: number | null = null,
  ) {
    super(message);
    this.name = 'ZkError';
  }
}

function codeOf(error: unknown): number | null {
  if (error instanceof ZkError) return error.code;
  return error && typeof (error as { getCode?: unknown }).getCode === 'function' ? (error as zookeeper.Exception).getCode() : null;
}

const toError = (error: unknown): Error => {
  if (error instanceof ZkError) return error;
  const code = codeOf(error);
  return code === null ? (error as Error) : new ZkError(code, String(error));
};

/** Errors that say nothing about the server having seen the request. */
const isConnectionError = (error: unknown): boolean => {
  const code = codeOf(error);
  return code === ZkCode.CONNECTION_LOSS || code === ZkCode.SESSION_EXPIRED || code === ZkCode.OPERATION_TIMEOUT;
};

export const hasCode = (error: unknown, code: number): boolean => error instanceof ZkError && error.code === code;

export class ZkSession {
  /** Settles, with why, when the session is over: expired, silent for a session timeout, or closed. */
  readonly dead: Promise<string>;
  private markDead: (reason: string) => void = () => {};
  private deadReason: string | null = null;
  private lastHeard = Date.now();
  private heartbeatOut = false;
  private beat: NodeJS.Timeout | null = null;
  private deadline: NodeJS.Timeout | null = null;

  private constructor(
    private readonly client: zookeeper.Client,
    private readonly callTimeoutMs: number,
  ) {
    this.dead = new Promise((resolve) => {
      this.markDead = (reason) => {
        if (this.deadReason !== null) return;
        this.deadReason = reason;
        if (this.beat) clearInterval(this.beat);
        if (this.deadline) clearTimeout(this.deadline);
        this.shutDown();
        resolve(reason);
      };
    });
  }

  static open(connectString: string, options: ZkSessionOptions): Promise<ZkSession> {
    const client = zookeeper.createClient(connectString, { sessionTimeout: options.sessionTimeoutMs, spinDelay: 200 });
    if (options.auth) client.addAuthInfo('digest', Buffer.from(options.auth));
    const session = new ZkSession(client, options.callTimeoutMs ?? Math.max(options.sessionTimeoutMs, 5000));
    const connectTimeoutMs = options.connectTimeoutMs ?? Math.max(2 * options.sessionTimeoutMs, 5000);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        session.markDead('never connected');
        reject(new Error(`cannot reach ZooKeeper at ${connectString} within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      client.once('connected', () => {
        clearTimeout(timer);
        session.watch();
        resolve(session);
      });
      client.connect();
    });
  }

  /** The timeout the server granted, which it may have clamped to [2, 20] × its tickTime. */
  get timeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  get isDead(): boolean {
    return this.deadReason !== null;
  }

  private watch(): void {
    this.client.on('state', (state) => {
      if (state === zookeeper.State.EXPIRED) this.markDead('session expired');
      // A (re)connect renews the session on the server just before this event.
      if (state === zookeeper.State.SYNC_CONNECTED) this.heard(Date.now());
    });
    this.beat = setInterval(() => this.heartbeat(), Math.floor(this.timeoutMs / 3));
    this.beat.unref();
    this.heard(Date.now());
  }

  /** The server renewed the session at `at` or later: move the deadline. */
  private heard(at: number): void {
    this.lastHeard = Math.max(this.lastHeard, at);
    if (this.deadReason !== null) return;
    const timeout = this.timeoutMs;
    const due = this.lastHeard + timeout - Math.ceil(timeout / 10);
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = setTimeout(() => {
      if (Date.now() >= due) this.markDead(`no answer from ZooKeeper for ${timeout} ms`);
      else this.heard(this.lastHeard);
    }, Math.max(0, due - Date.now()));
    this.deadline.unref();
  }

  private heartbeat(): void {
    if (this.heartbeatOut || this.isDead) return;
    this.heartbeatOut = true;
    this.call<unknown>((cb) => this.client.exists('/', cb))
      .catch(() => {})
      .finally(() => (this.heartbeatOut = false));
  }

  private call<T>(fn: (cb: (error: unknown, value: T) => void) => void): Promise<T> {
    if (this.deadReason !== null) return Promise.reject(new ZkError(ZkCode.SESSION_EXPIRED, `ZooKeeper session over: ${this.deadReason}`));
    const sentAt = Date.now();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ZkError(ZkCode.OPERATION_TIMEOUT, `ZooKeeper did not answer within ${this.callTimeoutMs} ms`)), this.callTimeoutMs);
      fn((error, value) => {
        clearTimeout(timer);
        // The server saw the request, so it renewed the session no earlier than it was sent.
        if (!error || !isConnectionError(error)) this.heard(sentAt);
        if (error) reject(toError(error));
        else resolve(value);
      });
    });
  }

  /** The node's data and version, or null when it does not exist. */
  async get(path: string, watcher?: (event: zookeeper.Event) => void): Promise<ZkNode | null> {
    try {
      const [data, stat] = await this.call<[Buffer, zookeeper.Stat]>((cb) => {
        const done = (error: unknown, d: Buffer, s: zookeeper.Stat) => cb(error, [d, s]);
        if (watcher) this.client.getData(path, watcher, done);
        else this.client.getData(path, done);
      });
      return { data: data ?? Buffer.alloc(0), version: stat.version, createdZxid: stat.czxid };
    } catch (error) {
      if (hasCode(error, ZkCode.NO_NODE)) return null;
      throw error;
    }
  }

  /** The version, or null when the node does not exist (the watcher then waits for its creation). */
  async exists(path: string, watcher?: (event: zookeeper.Event) => void): Promise<number | null> {
    const stat = await this.call<zookeeper.Stat | null>((cb) => {
      if (watcher) this.client.exists(path, watcher, cb);
      else this.client.exists(path, cb);
    });
    return stat ? stat.version : null;
  }

  /** Child names, or [] when the node does not exist. */
  async children(path: string, watcher?: (event: zookeeper.Event) => void): Promise<string[]> {
    try {
      return await this.call<string[]>((cb) => {
        if (watcher) this.client.getChildren(path, watcher, cb);
        else this.client.getChildren(path, cb);
      });
    } catch (error) {
      if (hasCode(error, ZkCode.NO_NODE)) return [];
      throw error;
    }
  }

  /** How many children the node has (0 when it does not exist), without listing them. */
  async childCount(path: string): Promise<number> {
    const stat = await this.call<zookeeper.Stat | null>((cb) => this.client.exists(path, cb));
    return stat ? stat.numChildren : 0;
  }

  create(path: string, data: Buffer, mode: number = zookeeper.CreateMode.PERSISTENT): Promise<string> {
    return this.call<string>((cb) => this.client.create(path, data, mode, cb));
  }

  async setData(path: string, data: Buffer, version = -1): Promise<number> {
    const stat = await this.call<zookeeper.Stat>((cb) => this.client.setData(path, data, version, cb));
    return stat.version;
  }

  remove(path: string): Promise<void> {
    return this.call<void>((cb) => this.client.remove(path, (error) => cb(error, undefined)));
  }

  async mkdirp(path: string): Promise<void> {
    await this.call<string>((cb) => this.client.mkdirp(path, cb));
  }

  /** All ops or none. A failure is a ZkError carrying the index of the op that failed. */
  multi(ops: ZkOp[]): Promise<void> {
    const tx = this.client.transaction();
    for (const op of ops) {
      // The library turns version 0 into -1 (any version) inside transactions.
      if ((op.kind === 'set' || op.kind === 'check') && op.version === 0) throw new Error(`${op.path}: a multi cannot check version 0`);
      if (op.kind === 'create') tx.create(op.path, op.data, op.mode ?? zookeeper.CreateMode.PERSISTENT);
      else if (op.kind === 'set') tx.setData(op.path, op.data, op.version ?? -1);
      else if (op.kind === 'remove') tx.remove(op.path, -1);
      else tx.check(op.path, op.version ?? -1);
    }
    return this.call<void>((cb) =>
      tx.commit((error, results: { err?: number }[] | undefined) => {
        const code = codeOf(error);
        // Ops before the failing one answer OK, those after it RUNTIME_INCONSISTENCY.
        const index = Array.isArray(results) ? results.findIndex((r) => r.err !== undefined && r.err !== ZkCode.OK) : -1;
        if (code !== null && index >= 0) cb(new ZkError(code, `${String(error)} at ${ops[index]?.path}`, index), undefined);
        else cb(error, undefined);
      }),
    );
  }

  close(): Promise<void> {
    this.markDead('closed');
    return Promise.resolve();
  }

  private shutDown(): void {
    this.client.close();
    // A close request cannot get through a silent socket; end it so no reconnect loop lingers.
    const socket = (this.client as unknown as { connectionManager?: { socket?: Socket } }).connectionManager?.socket;
    setTimeout(() => socket?.destroy(), 1000).unref();
  }
}
