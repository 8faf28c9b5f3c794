/**
 * Protocol tests of the scheduler client against a scripted fake master on loopback:
 * every byte the master sends is written here, so framing, headers, redirects and
 * reconnects are checked exactly. (Not the src/mesos/sim simulator: this tests the client.)
 *
 * Run: node --import tsx --test test/integration/mesos-client.test.ts
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { encodeRecord } from '../../src/mesos/recordio.js';
import type { Call, Event, FrameworkInfo } from '../../src/mesos/types.js';
import { FRAMEWORK_FAILED_OVER, SchedulerConnection, UrlListMasterDetector, calls } from '../../src/mesos/client/index.js';
import type { ConnectionMessage, MasterDetector, SchedulerConnectionOptions } from '../../src/mesos/client/index.js';

// ---------------------------------------------------------------------------------------
// the fake master

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  call: Call;
  /** Which TCP connection carried it (1, 2, ...). */
  socket: number;
  res: ServerResponse;
  /** Resolves when the client goes away. */
  gone: Promise<void>;
}

type Handler = (req: Received) => void | Promise<void>;

class FakeMaster {
  readonly received: Received[] = [];
  readonly url: string;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly handlers: { subscribe: Handler; call: Handler },
  ) {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${address.port}`;
  }

  static async start(handlers: Partial<{ subscribe: Handler; call: Handler }>, t: TestContext): Promise<FakeMaster> {
    const ids = new WeakMap<Socket, number>();
    let next = 0;
    let master: FakeMaster | undefined;
    const server = createServer((req, res) => void master?.handle(req, res, ids.get(req.socket) ?? 0));
    server.on('connection', (socket) => {
      ids.set(socket, ++next);
      socket.setNoDelay(true);
      master?.sockets.add(socket);
      socket.on('close', () => master?.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    master = new FakeMaster(server, {
      subscribe: handlers.subscribe ?? ((r) => void r.res.writeHead(503).end('No leader elected')),
      call: handlers.call ?? ((r) => void r.res.writeHead(202).end()),
    });
    t.after(() => master.close());
    return master;
  }

  subscribes(): Received[] {
    return this.received.filter((r) => r.call.type === 'SUBSCRIBE');
  }

  calls(): Received[] {
    return this.received.filter((r) => r.call.type !== 'SUBSCRIBE');
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, socket: number): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const gone = new Promise<void>((resolve) => res.on('close', () => resolve()));
    const received: Received = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      call: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Call,
      socket,
      res,
      gone,
    };
    this.received.push(received);
    await (received.call.type === 'SUBSCRIBE' ? this.handlers.subscribe : this.handlers.call)(received);
  }
}

/** Opens a SUBSCRIBE stream the way the real master does (docs/mesos.md#endpoint). */
function openStream(res: ServerResponse, streamId: string): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': streamId });
  res.flushHeaders();
}

const record = (event: unknown): Buffer => encodeRecord(JSON.stringify(event));

function subscribed(frameworkId: string, heartbeat = 15): Event {
  return { type: 'SUBSCRIBED', subscribed: { framework_id: { value: frameworkId }, heartbeat_interval_seconds: heartbeat } };
}

/** Write and let the bytes leave before the next write, so the client sees them as separate reads. */
async function send(res: ServerResponse, bytes: Buffer): Promise<void> {
  await new Promise<void>((resolve) => res.write(bytes, () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 15));
}

/** Stream handler: SUBSCRIBED for `frameworkId`, then whatever `then` does. */
function streaming(frameworkId: string, then?: (r: Received, n: number) => void | Promise<void>, heartbeat = 15): Handler {
  let n = 0;
  return async (r) => {
    n++;
    openStream(r.res, `stream-${n}`);
    r.res.write(record(subscribed(frameworkId, heartbeat)));
    await then?.(r, n);
  };
}

// ---------------------------------------------------------------------------------------
// the client side

const INFO: FrameworkInfo = { user: 'cron', name: 'moroccron', roles: ['cron'], failover_timeout: 604800, checkpoint: true };

interface Client {
  conn: SchedulerConnection;
  messages: ConnectionMessage[];
  /** Waits until `predicate` holds for the messages so far. */
  until(label: string, predicate: (messages: ConnectionMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  delays: number[];
}

function startClient(
  masters: string | string[] | MasterDetector,
  t: TestContext,
  options: Omit<Partial<SchedulerConnectionOptions>, 'onMessage'> & {
    onMessage?: (m: ConnectionMessage, conn: SchedulerConnection) => void;
    /** Use the connection's own timer-based sleep instead of recording delays and going on at once. */
    realSleep?: boolean;
  } = {},
): Client {
  const messages: ConnectionMessage[] = [];
  const waiters = new Set<() => void>();
  const delays: number[] = [];
  const { onMessage, realSleep, ...rest } = options;
  const detector = typeof masters === 'object' && !Array.isArray(masters) ? masters : new UrlListMasterDetector(masters);
  const conn: SchedulerConnection = new SchedulerConnection({
    detector,
    frameworkInfo: INFO,
    frameworkId: () => undefined,
    ...(realSleep
      ? {}
      : {
          sleep: async (ms: number) => {
            delays.push(ms);
          },
        }),
    ...rest,
    onMessage: (m) => {
      messages.push(m);
      onMessage?.(m, conn);
      for (const wake of waiters) wake();
    },
  });
  t.after(async () => {
    conn.close();
    await conn.done;
  });
  conn.start();
  const until = (label: string, predicate: (ms: ConnectionMessage[]) => boolean, timeoutMs = 5000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate(messages)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${label}; messages: ${JSON.stringify(messages.map(brief))}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { conn, messages, until, delays };
}

async function waitFor(label: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function brief(m: ConnectionMessage): string {
  switch (m.type) {
    case 'connected':
      return `connected ${m.frameworkId} ${m.streamId}`;
    case 'event':
      return `event ${m.event.type}`;
    case 'disconnected':
      return `disconnected: ${m.reason}`;
    case 'error':
      return `error${m.fatal ? ' (fatal)' : ''}: ${m.message}`;
  }
}

const count = (type: ConnectionMessage['type']) => (ms: ConnectionMessage[]) => ms.filter((m) => m.type === type).length;
const has = (type: ConnectionMessage['type'], n = 1) => (ms: ConnectionMessage[]) => count(type)(ms) >= n;

// ---------------------------------------------------------------------------------------
// SUBSCRIBE and the event stream

test('SUBSCRIBE sends exact headers and no stream id; connected only on SUBSCRIBED; events in order across odd chunk splits', async (t) => {
  const update = (task: string, message: string): Event => ({
    type: 'UPDATE',
    update: { status: { task_id: { value: task }, state: 'TASK_RUNNING', message } },
  });
  // Multi-byte characters: 2, 3 and 4 bytes in UTF-8.
  const split = record(update('t-2', 'grüße ✓ 😀 done'));
  const emoji = split.indexOf(Buffer.from('😀'));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const master = await FakeMaster.start(
    {
      subscribe: async (r) => {
        openStream(r.res, 'f23023d6-a990-4d97-a7b2-7b63783abdd6');
        await released;
        await send(r.res, record(subscribed('F-0000')));
        await send(r.res, record({ type: 'HEARTBEAT' }));
        // One chunk: a whole record, then the first digit of the next length prefix.
        await send(r.res, Buffer.concat([record(update('t-1', 'one')), split.subarray(0, 1)]));
        // The rest of the prefix and the payload up to the middle of the 4-byte emoji.
        await send(r.res, split.subarray(1, emoji + 2));
        // The emoji's last bytes and the rest, then three records in one chunk.
        await send(
          r.res,
          Buffer.concat([split.subarray(emoji + 2), record(update('t-3', 'a')), record({ type: 'HEARTBEAT' }), record(update('t-4', 'ü'))]),
        );
      },
    },
    t,
  );
  const client = startClient(master.url, t);
  await waitFor('the SUBSCRIBE request', () => master.subscribes().length === 1);
  // Headers are out, SUBSCRIBED is not: no calls yet (docs/mesos.md#endpoint).
  assert.equal(client.conn.connected, false);
  assert.deepEqual(await client.conn.call(calls.revive()), {
    kind: 'failed',
    reason: 'not-subscribed',
    message: 'no subscription yet: wait for "connected"',
  });
  assert.equal(client.messages.length, 0);
  release();
  await client.until('six events', has('event', 6));

  const [req] = master.subscribes();
  assert.ok(req);
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/api/v1/scheduler');
  assert.equal(req.headers['content-type'], 'application/json');
  assert.equal(req.headers['accept'], 'application/json');
  assert.equal(req.headers['mesos-stream-id'], undefined);
  assert.deepEqual(req.call, { type: 'SUBSCRIBE', subscribe: { framework_info: INFO } });

  assert.deepEqual(client.messages[0], {
    type: 'connected',
    frameworkId: 'F-0000',
    streamId: 'f23023d6-a990-4d97-a7b2-7b63783abdd6',
    master: master.url,
    heartbeatIntervalSeconds: 15,
  });
  const events = client.messages.slice(1).map((m) => (m.type === 'event' ? m.event : m));
  assert.deepEqual(events, [
    { type: 'HEARTBEAT' },
    update('t-1', 'one'),
    update('t-2', 'grüße ✓ 😀 done'),
    update('t-3', 'a'),
    { type: 'HEARTBEAT' },
    update('t-4', 'ü'),
  ]);
  assert.equal(client.conn.connected, true);
});

test('calls carry Mesos-Stream-Id and framework_id on their own keep-alive connection; status and body come back', async (t) => {
  const master = await FakeMaster.start(
    {
      subscribe: streaming('F-7'),
      call: (r) => {
        const reply: Partial<Record<Call['type'], [number, string]>> = {
          UPDATE_FRAMEWORK: [200, ''],
          KILL: [400, 'Framework cannot be found'],
          REVIVE: [403, 'Framework is not subscribed'],
        };
        const [status, body] = reply[r.call.type] ?? [202, ''];
        r.res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
      },
    },
    t,
  );
  const client = startClient(master.url, t);
  await client.until('connected', has('connected'));

  const accept = await client.conn.call(calls.accept(['O-1'], [], { refuse_seconds: 5 }));
  assert.deepEqual(accept, { kind: 'response', status: 202, body: '', accepted: true });
  const update = await client.conn.call(calls.updateFramework(INFO, { suppressedRoles: ['cron'] }));
  assert.deepEqual(update, { kind: 'response', status: 200, body: '', accepted: true });
  assert.deepEqual(await client.conn.call(calls.kill('t-1')), {
    kind: 'response',
    status: 400,
    body: 'Framework cannot be found',
    accepted: false,
  });
  assert.deepEqual(await client.conn.call(calls.revive()), {
    kind: 'response',
    status: 403,
    body: 'Framework is not subscribed',
    accepted: false,
  });
  await assert.rejects(client.conn.call(calls.subscribe(INFO)), TypeError);

  const sent = master.calls();
  assert.equal(sent.length, 4);
  for (const r of sent) {
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/api/v1/scheduler');
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['accept'], 'application/json');
    assert.equal(r.headers['mesos-stream-id'], 'stream-1');
    assert.deepEqual(r.call.framework_id, { value: 'F-7' });
  }
  assert.deepEqual(sent[0]?.call, {
    type: 'ACCEPT',
    framework_id: { value: 'F-7' },
    accept: { offer_ids: [{ value: 'O-1' }], operations: [], filters: { refuse_seconds: 5 } },
  });
  // UPDATE_FRAMEWORK needs the id in framework_info too, or the master answers 400.
  assert.deepEqual(sent[1]?.call.update_framework, { framework_info: { ...INFO, id: { value: 'F-7' } }, suppressed_roles: ['cron'] });
  const streamSocket = master.subscribes()[0]?.socket;
  assert.ok(sent.every((r) => r.socket !== streamSocket), 'calls must not share the stream connection');
  assert.equal(new Set(sent.map((r) => r.socket)).size, 1, 'calls reuse one keep-alive connection');
});

test('concurrent calls reach the master one at a time, in call() order; an acknowledgement does not wait behind them', async (t) => {
  let holdFirst!: () => void;
  const held = new Promise<void>((resolve) => (holdFirst = resolve));
  const master = await FakeMaster.start(
    {
      subscribe: streaming('F-o'),
      call: async (r) => {
        if (r.call.type === 'SUPPRESS') await held;
        r.res.writeHead(202).end();
      },
    },
    t,
  );
  const client = startClient(master.url, t);
  await client.until('connected', has('connected'));
  const results = [
    client.conn.call(calls.suppress(['cron'])),
    client.conn.call(calls.revive(['cron'])),
    client.conn.call(calls.acknowledge('S-1', 't-1', 'PyuMHppNTm+LIXxdDp+hIw==')),
  ];
  await waitFor('the SUPPRESS and the ACKNOWLEDGE', () => master.calls().length === 2);
  // Still held: no ordered call may overtake it on the call connection; the acknowledgement went on its own.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(master.calls().map((r) => r.call.type).sort(), ['ACKNOWLEDGE', 'SUPPRESS']);
  assert.equal((await results[2]!).kind, 'response', 'the acknowledgement was answered while the SUPPRESS was held');
  holdFirst();
  for (const result of await Promise.all(results)) assert.equal(result.kind === 'response' && result.accepted, true);
  assert.deepEqual(master.calls().filter((r) => r.call.type !== 'ACKNOWLEDGE').map((r) => r.call.type), ['SUPPRESS', 'REVIVE']);
});

test('a call the master does not answer fails as a timeout after callTimeoutMs, the stream unharmed', async (t) => {
  const master = await FakeMaster.start(
    {
      subscribe: streaming('F-t'),
      call: (r) => {
        if (r.call.type === 'REVIVE') r.res.writeHead(202).end();
        // Anything else: never answered.
      },
    },
    t,
  );
  const client = startClient(master.url, t, { callTimeoutMs: 400 });
  await client.until('connected', has('connected'));
  const started = Date.now();
  const result = await client.conn.call(calls.acknowledge('S-1', 't-1', 'PyuMHppNTm+LIXxdDp+hIw=='));
  const took = Date.now() - started;
  assert.deepEqual(result, { kind: 'failed', reason: 'timeout', message: 'no answer in 400 ms' });
  assert.ok(took >= 360 && took < 2000, `timed out after ${took} ms`);
  assert.equal((await client.conn.call(calls.revive())).kind, 'response', 'later calls still go out');
  assert.ok(client.conn.connected);
});

test('acknowledgements go out side by side, on a few sockets of their own (as many as asked)', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const master = await FakeMaster.start(
    {
      subscribe: streaming('F-a'),
      call: async (r) => {
        await gate;
        r.res.writeHead(202).end();
      },
    },
    t,
  );
  const client = startClient(master.url, t, { acknowledgementSockets: 8 });
  await client.until('connected', has('connected'));
  const acks = Array.from({ length: 20 }, (_, i) => client.conn.call(calls.acknowledge('S-1', `t-${i}`, 'PyuMHppNTm+LIXxdDp+hIw==')));
  // Held by the master, yet several arrive at once: they do not wait for each other's answers.
  await waitFor('8 acknowledgements in flight', () => master.calls().length === 8);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(master.calls().length, 8, 'at most 8 sockets');
  release();
  for (const result of await Promise.all(acks)) assert.equal(result.kind === 'response' && result.accepted, true);
  assert.equal(master.calls().length, 20);
  assert.equal(new Set(master.calls().map((r) => r.socket)).size, 8);
});

test('acknowledgements beyond those in flight wait in the client; each times out on its own clock, and none goes out after close()', async (t) => {
  let inFlight = 0;
  let mostInFlight = 0;
  const master = await FakeMaster.start(
    {
      subscribe: streaming('F-q'),
      call: (r) => {
        // Never answered; counted while its socket is open.
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        r.res.on('close', () => inFlight--);
      },
    },
    t,
  );
  const client = startClient(master.url, t, { callTimeoutMs: 400, acknowledgementSockets: 8 });
  await client.until('connected', has('connected'));
  const started = Date.now();
  const acks = Array.from({ length: 20 }, (_, i) => client.conn.call(calls.acknowledge('S-1', `t-${i}`, 'PyuMHppNTm+LIXxdDp+hIw==')));
  for (const result of await Promise.all(acks)) assert.deepEqual(result, { kind: 'failed', reason: 'timeout', message: 'no answer in 400 ms' });
  assert.ok(Date.now() - started < 2_000, 'the waiting ones time out with those in flight, not one round after another');
  assert.equal(mostInFlight, 8, 'at most 8 at the master at once');

  await waitFor('the master to see the timed-out sockets close', () => inFlight === 0);
  const more = Array.from({ length: 12 }, (_, i) => client.conn.call(calls.acknowledge('S-1', `u-${i}`, 'PyuMHppNTm+LIXxdDp+hIw==')));
  await waitFor('8 more in flight', () => inFlight === 8);
  const reached = master.calls().length;
  client.conn.close();
  for (const result of await Promise.all(more)) assert.equal(result.kind === 'failed' && result.reason, 'closed');
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(master.calls().length, reached, 'none sent after close()');
});

test('acknowledgementSockets must be a whole number of at least 1', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => new SchedulerConnection({ detector: new UrlListMasterDetector(['http://127.0.0.1:1']), frameworkInfo: { user: 'u', name: 'n' }, frameworkId: () => undefined, onMessage: () => {}, acknowledgementSockets: bad }),
      /acknowledgementSockets must be a whole number/,
    );
  }
});

test('an ERROR instead of SUBSCRIBED (200 + ERROR, docs/mesos.md#master-errors) is reported and retried with backoff, without a disconnect', async (t) => {
  const master = await FakeMaster.start(
    {
      subscribe: async (r) => {
        if (master.subscribes().length > 1) return streaming('F-e')(r);
        openStream(r.res, 's-err');
        r.res.end(record({ type: 'ERROR', error: { message: 'Framework has been removed' } }));
      },
    },
    t,
  );
  const client = startClient(master.url, t, { frameworkId: () => 'F-e', random: () => 0 });
  await client.until('connected', has('connected'));
  assert.deepEqual(client.messages.map(brief), ['error: Framework has been removed', 'connected F-e stream-1']);
  assert.deepEqual(client.messages[0], { type: 'error', message: 'Framework has been removed', fatal: false, origin: 'event' });
  assert.deepEqual(client.delays, [0]);
});

test('corrupt framing or a non-JSON record drops the stream and re-subscribes', async (t) => {
  const master = await FakeMaster.start(
    {
      subscribe: streaming('F-x', async (r, n) => {
        // Garbage only once the client has SUBSCRIBED: bytes in the same read would drop it too.
        await waitFor('the client to see SUBSCRIBED', () => count('connected')(client.messages) === n);
        if (n === 1) r.res.write('12x\n');
        if (n === 2) r.res.write(encodeRecord('{"type":"HEARTBEAT"'));
      }),
    },
    t,
  );
  const client: Client = startClient(master.url, t);
  await client.until('three connected', has('connected', 3));
  assert.deepEqual(client.messages.map(brief), [
    'connected F-x stream-1',
    'disconnected: bad record length "12x"',
    'connected F-x stream-2',
    "disconnected: event record is not JSON: Expected ',' or '}' after property value in JSON at position 19",
    'connected F-x stream-3',
  ]);
});

test('an EOF reconnects with the framework id from the getter, in both places, and the current suppressed roles', async (t) => {
  let stored: string | undefined;
  const master = await FakeMaster.start({ subscribe: streaming('F-42', (r, n) => void (n === 1 && r.res.end())) }, t);
  const client = startClient(master.url, t, {
    frameworkId: () => stored,
    suppressedRoles: () => (stored ? ['cron'] : undefined),
    onMessage: (m) => {
      if (m.type === 'connected') stored = m.frameworkId;
    },
  });
  await client.until('a second connected', has('connected', 2));
  assert.deepEqual(client.messages.map(brief), [
    'connected F-42 stream-1',
    `disconnected: stream from ${master.url}/api/v1/scheduler ended`,
    'connected F-42 stream-2',
  ]);
  const [first, second] = master.subscribes();
  assert.equal(first?.call.framework_id, undefined);
  assert.equal(first?.call.subscribe?.framework_info.id, undefined);
  assert.deepEqual(second?.call.framework_id, { value: 'F-42' });
  assert.deepEqual(second?.call.subscribe?.framework_info.id, { value: 'F-42' });
  assert.deepEqual(second?.call.subscribe?.suppressed_roles, ['cron']);
  assert.equal(second?.headers['mesos-stream-id'], undefined);
  assert.equal(client.delays.length, 1, 'one backoff sleep before the reconnect');
});

test('an ERROR event is reported verbatim before the disconnect; the caller may stop on "Framework failed over"', async (t) => {
  const master = await FakeMaster.start(
    {
      subscribe: streaming('F-1', async (r, n) => {
        if (n === 1) r.res.write(record({ type: 'ERROR', error: { message: 'Some transient trouble' } }));
        else r.res.write(record({ type: 'ERROR', error: { message: FRAMEWORK_FAILED_OVER } }));
        // The client closes first; the master would close too.
      }),
    },
    t,
  );
  const client = startClient(master.url, t, {
    onMessage: (m, conn) => {
      if (m.type === 'error' && m.message === FRAMEWORK_FAILED_OVER) conn.close();
    },
  });
  await client.conn.done;
  assert.deepEqual(client.messages.map(brief), [
    'connected F-1 stream-1',
    'error: Some transient trouble',
    'disconnected: ERROR event: Some transient trouble',
    'connected F-1 stream-2',
    `error: ${FRAMEWORK_FAILED_OVER}`,
  ]);
  assert.deepEqual(client.messages[4], { type: 'error', message: FRAMEWORK_FAILED_OVER, fatal: false, origin: 'event' });
  await Promise.all(master.subscribes().map((r) => r.gone));
  assert.equal(master.subscribes().length, 2);
});

test('the heartbeat watchdog: bytes keep the stream alive, 5 × heartbeat_interval_seconds of silence aborts it and re-subscribes', async (t) => {
  let silentSince = 0;
  const master = await FakeMaster.start(
    {
      subscribe: streaming(
        'F-hb',
        async (r, n) => {
          if (n > 1) return;
          // 1.2 s of life: a heartbeat every 100 ms, then half a record every 100 ms (bytes, not records, count).
          for (let i = 0; i < 6; i++) await delay(100, () => r.res.write(record({ type: 'HEARTBEAT' })));
          const half = record({ type: 'HEARTBEAT' });
          await delay(100, () => r.res.write(half.subarray(0, 5)));
          await delay(100, () => r.res.write(half.subarray(5)));
          silentSince = Date.now();
        },
        0.1,
      ),
    },
    t,
  );
  const client = startClient(master.url, t);
  await client.until('the reconnect', has('connected', 2), 10_000);
  const silence = Date.now() - silentSince;
  assert.deepEqual(client.messages.map(brief).slice(0, 9), [
    'connected F-hb stream-1',
    ...Array<string>(7).fill('event HEARTBEAT'),
    `disconnected: no bytes from ${master.url}/api/v1/scheduler for 500 ms`,
  ]);
  assert.ok(silence >= 450, `disconnected after ${silence} ms of silence`);
  await master.subscribes()[0]?.gone;
});

// ---------------------------------------------------------------------------------------
// finding the leader

test('a 307 with a scheme-relative Location is followed, and the leader is remembered for calls and re-subscribes', async (t) => {
  const leader = await FakeMaster.start({ subscribe: streaming('F-L', (r, n) => void (n === 1 && r.res.end())) }, t);
  const leaderHostPort = new URL(leader.url).host;
  const follower = await FakeMaster.start(
    { subscribe: (r) => void r.res.writeHead(307, { Location: `//${leaderHostPort}/master/api/v1/scheduler` }).end() },
    t,
  );
  let stored: string | undefined;
  const client = startClient(follower.url, t, {
    frameworkId: () => stored,
    onMessage: (m) => void (m.type === 'connected' && (stored = m.frameworkId)),
  });
  await client.until('the reconnect', has('connected', 2));
  const first = client.messages[0];
  assert.equal(first?.type === 'connected' && first.master, leader.url);
  assert.equal(follower.subscribes().length, 1, 're-subscribe goes straight to the remembered leader');
  assert.deepEqual(
    leader.subscribes().map((r) => r.path),
    ['/master/api/v1/scheduler', '/master/api/v1/scheduler'],
  );
  assert.deepEqual(await client.conn.call(calls.reconcile([])), { kind: 'response', status: 202, body: '', accepted: true });
  assert.equal(leader.calls()[0]?.path, '/master/api/v1/scheduler');
  assert.equal(leader.calls()[0]?.headers['mesos-stream-id'], 'stream-2');
  assert.equal(follower.calls().length, 0);
});

test('an unreachable first candidate is skipped and a 503 is retried after a backoff', async (t) => {
  const dead = await FakeMaster.start({}, t);
  await dead.close();
  let answered = 0;
  const live = await FakeMaster.start(
    {
      subscribe: (r) => {
        if (answered++ === 0) return void r.res.writeHead(503).end('No leader elected');
        return streaming('F-5')(r);
      },
    },
    t,
  );
  const client = startClient(`${dead.url.replace('http://', '')},${live.url}`, t, { random: () => 0.5 });
  await client.until('connected', has('connected'));
  const errors = client.messages.filter((m) => m.type === 'error');
  assert.equal(errors.length, 3, JSON.stringify(errors));
  assert.ok(errors.every((e) => e.type === 'error' && !e.fatal));
  assert.match(errors[0]?.type === 'error' ? errors[0].message : '', /ECONNREFUSED/);
  assert.deepEqual(errors[1], {
    type: 'error',
    message: `${live.url}/api/v1/scheduler answered 503: No leader elected`,
    fatal: false,
    origin: 'http',
    status: 503,
  });
  assert.deepEqual(client.delays, [125], 'one round failed: one jittered sleep of 0.5 × 250 ms');
  assert.equal(live.subscribes().length, 2);
});

test('backoff grows exponentially with full jitter, is capped at 15 s, and resets after SUBSCRIBED', async (t) => {
  let answered = 0;
  const master = await FakeMaster.start(
    {
      subscribe: (r) => {
        if (answered++ < 10) return void r.res.writeHead(503).end('Master has not finished recovery');
        return streaming('F-b', (res, n) => void (n === 1 && res.res.end()))(r);
      },
    },
    t,
  );
  const client = startClient(master.url, t, { random: () => 0.9999 });
  await client.until('the second connected', has('connected', 2));
  assert.deepEqual(client.delays, [249, 499, 999, 1999, 3999, 7999, 14998, 14998, 14998, 14998, 249]);
});

test('a 4xx answer to SUBSCRIBE is fatal: reported with its body, no retry', async (t) => {
  const body = "Failed to validate scheduler::Call: Expecting 'subscribe' to be present";
  const master = await FakeMaster.start({ subscribe: (r) => void r.res.writeHead(400).end(body) }, t);
  const client = startClient(master.url, t);
  await client.conn.done;
  assert.deepEqual(client.messages, [{ type: 'error', message: `SUBSCRIBE refused with 400: ${body}`, fatal: true, origin: 'http', status: 400 }]);
  assert.equal(master.subscribes().length, 1);
  assert.equal(client.conn.closed, true);
});

test('a detector that stops listing the current master makes the client re-subscribe to the new one', async (t) => {
  const m1 = await FakeMaster.start({ subscribe: streaming('F-d') }, t);
  const m2 = await FakeMaster.start({ subscribe: streaming('F-d') }, t);
  let list: string[] = [m1.url];
  const listeners = new Set<(c: readonly string[]) => void>();
  const detector: MasterDetector = {
    candidates: () => list,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const client = startClient(detector, t);
  await client.until('connected to m1', has('connected'));
  list = [m2.url];
  for (const l of listeners) l(list);
  await client.until('connected to m2', has('connected', 2));
  assert.deepEqual(client.messages.map(brief), [
    'connected F-d stream-1',
    `disconnected: master detector no longer lists ${m1.url}`,
    'connected F-d stream-1',
  ]);
  const second = client.messages[2];
  assert.equal(second?.type === 'connected' && second.master, m2.url);
  await m1.subscribes()[0]?.gone;
});

// ---------------------------------------------------------------------------------------
// close()

test('close() drops the stream, fails pending and later calls, and nothing follows it', async (t) => {
  let callArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (callArrived = resolve));
  const master = await FakeMaster.start({ subscribe: streaming('F-c'), call: () => callArrived() }, t);
  const client = startClient(master.url, t);
  await client.until('connected', has('connected'));
  const pending = client.conn.call(calls.teardown());
  await arrived;
  client.conn.close();
  assert.deepEqual(await pending, { kind: 'failed', reason: 'closed', message: 'connection closed' });
  assert.deepEqual(await client.conn.call(calls.revive()), { kind: 'failed', reason: 'closed', message: 'connection closed' });
  await client.conn.done;
  await master.subscribes()[0]?.gone;
  assert.deepEqual(client.messages.map(brief), ['connected F-c stream-1']);
  assert.equal(master.subscribes().length, 1);
  assert.equal(client.conn.connected, false);
});

test('close() during a backoff sleep stops at once (real timers)', async (t) => {
  const master = await FakeMaster.start({}, t);
  const client = startClient(master.url, t, { realSleep: true, backoff: { baseMs: 60_000, maxMs: 60_000 }, random: () => 0.99 });
  await client.until('the first 503', has('error'));
  const started = Date.now();
  client.conn.close();
  await client.conn.done;
  assert.ok(Date.now() - started < 1000);
  assert.equal(master.subscribes().length, 1);
});

function delay(ms: number, then: () => void): Promise<void> {
  return new Promise((resolve) =>
    setTimeout(() => {
      then();
      resolve();
    }, ms),
  );
}
