/**
 * Leader election on a real PostgreSQL: contenders campaign like `moroccron serve` does
 * (campaign, lead until lost, resign, campaign again), each through its own TCP proxy
 * that can freeze its connections to simulate a paused (SIGSTOPped) process. Throughout,
 * a sampler checks that no two contenders lead at once and that an epoch has one holder.
 */
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { after, before, describe, test, type TestContext } from 'node:test';
import { PostgresElection } from '../../src/ha/postgres-election.js';
import type { Leadership } from '../../src/ha/types.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { FencedError } from '../../src/store/types.js';
import { startPostgres, postgresUnavailable, type PostgresServer } from '../helpers/postgres.js';
import { eventually, sleep } from '../helpers/server-process.js';
import { storedJob } from '../helpers/store-contract.js';

const unavailable = postgresUnavailable();
let server: PostgresServer;
let schemas = 0;

before(async () => {
  if (!unavailable) server = await startPostgres();
});
after(async () => {
  await server?.stop();
});

interface Proxy {
  port: number;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

/** Forwards TCP to PostgreSQL; frozen, it holds every byte, like a stopped process would. */
async function startProxy(targetPort: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const proxy = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('data', (d) => to.write(d));
      from.on('close', () => to.destroy());
      from.on('error', () => to.destroy());
      from.on('close', () => sockets.delete(from));
      if (frozen) from.pause();
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as { port: number }).port,
    freeze: () => {
      frozen = true;
      for (const s of sockets) s.pause();
    },
    thaw: () => {
      frozen = false;
      for (const s of sockets) s.resume();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}

class Contender {
  leadership: Leadership | null = null;
  readonly wins: { epoch: number; at: number }[] = [];
  readonly losses: { reason: string; at: number }[] = [];
  private readonly abort = new AbortController();
  private readonly loop: Promise<void>;

  constructor(
    readonly id: string,
    readonly election: PostgresElection,
    readonly proxy: Proxy,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const self = { id: this.id, url: `http://${this.id}` };
    while (!this.abort.signal.aborted) {
      let leadership: Leadership;
      try {
        leadership = await this.election.campaign(self, this.abort.signal);
      } catch {
        continue;
      }
      this.leadership = leadership;
      this.wins.push({ epoch: leadership.epoch, at: Date.now() });
      const { reason } = await leadership.lost;
      this.leadership = null;
      this.losses.push({ reason, at: Date.now() });
      await leadership.resign().catch(() => {});
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.proxy.thaw();
    await this.leadership?.resign().catch(() => {});
    await this.loop;
    await this.election.close();
    await this.proxy.close();
  }
}

/** Contenders on a fresh schema, and a sampler checking the one-leader rule all along. */
async function cluster(t: TestContext, count: number) {
  const schema = `election_${++schemas}`;
  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres?schema=${schema}`;
  const contenders: Contender[] = [];
  for (let i = 1; i <= count; i++) {
    const proxy = await startProxy(server.port);
    contenders.push(new Contender(`m${i}`, new PostgresElection(url(proxy.port)), proxy));
  }
  const violations: string[] = [];
  const holders = new Map<number, string>();
  const inFlight = new Set<Contender>();
  let samples = 0;
  const sampler = setInterval(() => {
    samples++;
    const leading = contenders.filter((c) => c.leadership !== null).map((c) => c.id);
    if (leading.length > 1) violations.push(`${leading.join(' and ')} lead at once`);
    for (const c of contenders) {
      if (inFlight.has(c)) continue;
      inFlight.add(c);
      void c.election
        .leader()
        .then((l) => {
          if (!l) return;
          const seen = holders.get(l.epoch);
          if (seen !== undefined && seen !== l.id) violations.push(`epoch ${l.epoch} held by ${seen} and ${l.id}`);
          holders.set(l.epoch, l.id);
        })
        .catch(() => {})
        .finally(() => inFlight.delete(c));
    }
  }, 20);
  const leaderNow = () => eventually(async () => contenders.find((c) => c.leadership !== null), 10_000, 'a leader');
  let stopped: Promise<unknown> | null = null;
  const stop = () => {
    clearInterval(sampler);
    return (stopped ??= Promise.all(contenders.map((c) => c.stop())));
  };
  t.after(stop);
  return {
    url,
    contenders,
    leaderNow,
    /** Stop everyone, then check the sampler never saw two leaders. */
    async close() {
      await stop();
      assert.ok(samples > 10, 'the sampler ran');
      assert.deepEqual(violations, [], 'never two leaders at once');
    },
  };
}

describe('PostgreSQL leader election', { skip: unavailable ?? false }, () => {
  test('exactly one of three leads; leader() and members() tell everyone the same', async (t) => {
    const c = await cluster(t, 3);
    const first = await c.leaderNow();
    await sleep(1000);
    assert.deepEqual(c.contenders.filter((x) => x.leadership).map((x) => x.id), [first.id], 'still the only leader a second later');
    const epoch = first.leadership!.epoch;
    for (const x of c.contenders) {
      assert.deepEqual(await x.election.leader(), { id: first.id, url: `http://${first.id}`, epoch });
      assert.deepEqual(await x.election.members(), ['m1', 'm2', 'm3'].map((id) => ({ id, url: `http://${id}` })));
    }
    const store = await openPostgresStore(c.url(server.port));
    await store.write(epoch, [{ op: 'put-job', job: storedJob('by-the-leader') }]);
    await store.close();
    await c.close();
    const after = new PostgresElection(c.url(server.port));
    assert.equal(await after.leader(), null, 'closing resigned');
    assert.deepEqual(await after.members(), [], 'closing left the members');
    await after.close();
  });

  test('resign() hands over within a second, and epochs strictly increase', async (t) => {
    const c = await cluster(t, 3);
    const epochs: number[] = [];
    let leader = await c.leaderNow();
    epochs.push(leader.leadership!.epoch);
    for (let round = 0; round < 3; round++) {
      const resignedAt = Date.now();
      await leader.leadership!.resign();
      const next = await eventually(async () => c.contenders.find((x) => x.leadership && x.leadership.epoch > epochs.at(-1)!), 3000, 'the next leader');
      assert.ok(Date.now() - resignedAt < 1000, `took over in ${Date.now() - resignedAt} ms`);
      epochs.push(next.leadership!.epoch);
      assert.equal(leader.losses.at(-1)?.reason, 'resigned');
      leader = next;
    }
    assert.deepEqual(epochs, [...epochs].sort((a, b) => a - b));
    assert.equal(new Set(epochs).size, epochs.length, 'strictly increasing');
    await c.close();
  });

  test('a paused leader is replaced within 3 s, learns it lost, and its writes are fenced', async (t) => {
    const c = await cluster(t, 3);
    const old = await c.leaderNow();
    const oldEpoch = old.leadership!.epoch;
    const lost = old.leadership!.lost;
    const store = await openPostgresStore(c.url(server.port));
    await store.write(oldEpoch, [{ op: 'put-job', job: storedJob('before') }]);

    const pausedAt = Date.now();
    old.proxy.freeze();
    const next = await eventually(async () => c.contenders.find((x) => x !== old && x.leadership), 5000, 'a new leader');
    const takeoverMs = Date.now() - pausedAt;
    assert.ok(takeoverMs < 3000, `took over in ${takeoverMs} ms`);
    t.diagnostic(`took over ${takeoverMs} ms after the pause`);
    assert.ok(next.leadership!.epoch > oldEpoch);
    const { reason } = await lost;
    assert.match(reason, /not renewed/);
    assert.ok(old.losses[0]!.at <= next.wins.at(-1)!.at, 'the paused leader gave up before the new one began');

    await assert.rejects(store.write(oldEpoch, [{ op: 'put-job', job: storedJob('stale') }]), FencedError);
    await store.write(next.leadership!.epoch, [{ op: 'put-job', job: storedJob('after') }]);
    assert.deepEqual((await store.listJobs()).map((j) => j.spec.name), ['after', 'before']);
    assert.equal((await next.election.leader())?.id, next.id);

    old.proxy.thaw();
    await sleep(1000);
    assert.equal(old.leadership, null, 'the resumed ex-leader stands by');
    assert.equal(next.leadership?.epoch, (await old.election.leader())?.epoch, 'and sees the new leader');
    await store.close();
    await c.close();
  });

  test('a PostgreSQL restart: a short one the leader rides out or loses; a long one ends its lease; never two leaders', async (t) => {
    const c = await cluster(t, 3);
    const first = await c.leaderNow();
    const firstEpoch = first.leadership!.epoch;
    const settled = () =>
      eventually(
        async () => {
          const live = await c.contenders[0]!.election.leader().catch(() => null);
          const holder = c.contenders.find((x) => x.leadership);
          return live && holder && holder.id === live.id && holder.leadership!.epoch === live.epoch ? holder : undefined;
        },
        6000,
        'one leader that the database agrees with',
      );

    await server.restart();
    const afterShort = await settled();
    const kept = afterShort === first && afterShort.leadership!.epoch === firstEpoch;
    t.diagnostic(kept ? `short restart: ${first.id} kept leading` : `short restart: ${afterShort.id} re-elected`);
    if (!kept) assert.ok(afterShort.leadership!.epoch > firstEpoch);

    // Down for longer than a lease: the leader must give up; someone leads under a new epoch.
    const secondEpoch = afterShort.leadership!.epoch;
    const lost = afterShort.leadership!.lost;
    await server.restart(2500);
    assert.match((await lost).reason, /not renewed/);
    const afterLong = await settled();
    assert.ok(afterLong.leadership!.epoch > secondEpoch, 'a new epoch after the long outage');
    t.diagnostic(`long restart: ${afterLong.id} leads with epoch ${afterLong.leadership!.epoch}`);

    const store = await openPostgresStore(c.url(server.port));
    await assert.rejects(store.write(secondEpoch, [{ op: 'put-job', job: storedJob('stale') }]), FencedError);
    await store.write(afterLong.leadership!.epoch, [{ op: 'put-job', job: storedJob('after-restart') }]);
    await store.close();
    await c.close();
  });
});
