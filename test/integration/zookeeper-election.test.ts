/**
 * ZooKeeper leader election against a real server: one leader at a time with strictly
 * increasing epochs, resign hands over at once, a leader whose connection dies (as on
 * SIGKILL) or goes silent (as on SIGSTOP) is replaced within about the session timeout and
 * fenced, and a ZooKeeper restart on the same data dir never yields two leaders.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LeaderElection, Leadership } from '../../src/ha/types.js';
import { ZooKeeperElection } from '../../src/ha/zookeeper-election.js';
import { FencedError } from '../../src/store/types.js';
import { openZooKeeperStore, type ZooKeeperStore } from '../../src/store/zookeeper/zookeeper-store.js';
import { eventually, sleep } from '../helpers/server-process.js';
import { storedJob } from '../helpers/store-contract.js';
import { startZooKeeper, zooKeeperProxy, zooKeeperUnavailable, type ZooKeeperServer } from '../helpers/zookeeper.js';

const unavailable = zooKeeperUnavailable();
const skip = unavailable ?? false;
let zk: ZooKeeperServer;
let n = 0;

before(async () => {
  if (!unavailable) zk = await startZooKeeper();
});
after(async () => {
  await zk?.stop();
});

interface Term {
  member: string;
  epoch: number;
  wonAt: number;
  lostAt: number | null;
  reason: string | null;
}

/** A member that campaigns again after every loss, as `moroccron serve` does; all terms are logged. */
class Candidate {
  readonly election: LeaderElection;
  current: Leadership | null = null;
  private readonly stop = new AbortController();
  private readonly loop: Promise<void>;

  constructor(
    readonly id: string,
    url: string,
    private readonly terms: Term[],
    private readonly once = false,
  ) {
    this.election = new ZooKeeperElection(url, { sessionTimeoutMs: 2000 });
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      let leadership: Leadership;
      try {
        leadership = await this.election.campaign({ id: this.id, url: `http://${this.id}` }, this.stop.signal);
      } catch {
        if (this.once) return;
        await sleep(200);
        continue;
      }
      const term: Term = { member: this.id, epoch: leadership.epoch, wonAt: Date.now(), lostAt: null, reason: null };
      this.terms.push(term);
      this.current = leadership;
      term.reason = (await leadership.lost).reason;
      term.lostAt = Date.now();
      this.current = null;
      await leadership.resign();
      if (this.once) return;
    }
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.current?.resign();
    await this.election.close();
    await this.loop;
  }
}

async function cluster(count: number) {
  const path = `/moroccron-election/e${++n}`;
  const url = `zk://${zk.connectString}${path}`;
  const store = await openZooKeeperStore(url);
  const terms: Term[] = [];
  const candidates: Candidate[] = [];
  const add = (id: string, via = url, once = false) => {
    const c = new Candidate(id, via, terms, once);
    candidates.push(c);
    return c;
  };
  for (let i = 0; i < count; i++) add(`m${i}`);
  const leaders = () => candidates.filter((c) => c.current !== null);
  const leader = () => eventually(async () => (leaders().length === 1 ? leaders()[0] : undefined), 10_000, 'a leader');
  return {
    url,
    path,
    store,
    terms,
    candidates,
    add,
    leader,
    close: async () => {
      await Promise.all(candidates.map((c) => c.close()));
      await store.close();
    },
  };
}

/** No two terms overlap, and each began with a higher epoch than the one before. */
function assertOneAtATime(terms: Term[]): void {
  const sorted = [...terms].sort((a, b) => a.wonAt - b.wonAt);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1]!;
    const next = sorted[i]!;
    assert.ok(before.lostAt !== null && before.lostAt <= next.wonAt, `${before.member} (epoch ${before.epoch}) still led when ${next.member} won`);
    assert.ok(next.epoch > before.epoch, `epochs rise: ${before.epoch} then ${next.epoch}`);
  }
}

const fencedWrite = (store: ZooKeeperStore, epoch: number) =>
  assert.rejects(store.write(epoch, [{ op: 'put-job', job: storedJob('late') }]), (e: unknown) => e instanceof FencedError);

test('exactly one leader; leader() and members(); resign hands over within a second, with a higher epoch', { skip }, async () => {
  const c = await cluster(3);
  try {
    const first = await c.leader();
    await sleep(300);
    assert.equal(c.candidates.filter((m) => m.current).length, 1, 'exactly one leader');
    const view = await c.candidates[2]!.election.leader();
    assert.deepEqual(view, { id: first.id, url: `http://${first.id}`, epoch: first.current!.epoch });
    assert.deepEqual((await c.candidates[1]!.election.members()).map((m) => m.id).sort(), ['m0', 'm1', 'm2']);
    await c.store.write(first.current!.epoch, [{ op: 'put-job', job: storedJob('ok') }]);

    const oldEpoch = first.current!.epoch;
    const resignedAt = Date.now();
    await first.current!.resign();
    const second = await eventually(async () => c.candidates.find((m) => m.current && m !== first), 5000, 'a new leader');
    assert.ok(Date.now() - resignedAt < 1000, `handover took ${Date.now() - resignedAt} ms`);
    assert.ok(second.current!.epoch > oldEpoch);
    await fencedWrite(c.store, oldEpoch);
    await eventually(async () => ((await c.candidates[0]!.election.members()).length === 3 ? true : undefined), 5000, 'the resigned member queues again');
    assert.equal(c.terms[0]!.reason, 'resigned');
    assertOneAtATime(c.terms);
  } finally {
    await c.close();
  }
});

test('a leader whose connection dies (SIGKILL-like) is replaced within ~3 s, fenced, and its lost settles', { skip }, async () => {
  const c = await cluster(0);
  const proxy = await zooKeeperProxy(zk.connectString);
  try {
    const victim = c.add('victim', `zk://${proxy.connectString}${c.path}`, true);
    const victimLeads = await c.leader();
    assert.equal(victimLeads, victim);
    c.add('standby');
    await eventually(async () => ((await c.candidates[1]!.election.members()).length === 2 ? true : undefined), 5000, 'the standby queued');
    const leadership = victim.current!;
    const cutAt = Date.now();
    proxy.cut();
    const next = await eventually(async () => (c.candidates[1]!.current ? c.candidates[1] : undefined), 10_000, 'takeover');
    const takeoverMs = Date.now() - cutAt;
    assert.ok(takeoverMs < 3500, `takeover took ${takeoverMs} ms`);
    const { reason } = await leadership.lost;
    assert.match(reason, /session lost/);
    assert.ok(c.terms[0]!.lostAt! <= c.terms[1]!.wonAt, 'the victim knew it lost before the next leader won');
    await fencedWrite(c.store, leadership.epoch);
    assert.ok(next!.current!.epoch > leadership.epoch);
    assertOneAtATime(c.terms);
  } finally {
    await proxy.close();
    await c.close();
  }
});

test('a silent leader (SIGSTOP-like) is replaced within ~3 s; when it wakes, its writes are fenced', { skip }, async () => {
  const c = await cluster(0);
  const proxy = await zooKeeperProxy(zk.connectString);
  try {
    const victim = c.add('victim', `zk://${proxy.connectString}${c.path}`, true);
    assert.equal(await c.leader(), victim);
    c.add('standby');
    await eventually(async () => ((await c.candidates[1]!.election.members()).length === 2 ? true : undefined), 5000, 'the standby queued');
    const leadership = victim.current!;
    const frozenAt = Date.now();
    proxy.freeze();
    await eventually(async () => (c.candidates[1]!.current ? true : undefined), 10_000, 'takeover');
    const takeoverMs = Date.now() - frozenAt;
    assert.ok(takeoverMs < 3500, `takeover took ${takeoverMs} ms`);
    // The silent leader's own watchdog ended its term no later than the server expired it.
    assert.match((await leadership.lost).reason, /session lost/);
    proxy.thaw();
    await fencedWrite(c.store, leadership.epoch);
    assertOneAtATime(c.terms);
  } finally {
    await proxy.close();
    await c.close();
  }
});

test('ZooKeeper restarted on the same data dir: leadership recovers, never two leaders at once', { skip }, async () => {
  const c = await cluster(3);
  try {
    const first = await c.leader();
    const epoch = first.current!.epoch;
    await zk.restart();
    const after = await eventually(
      async () => {
        const leading = c.candidates.filter((m) => m.current);
        return leading.length === 1 && leading[0]!.current!.epoch >= epoch ? leading[0] : undefined;
      },
      20_000,
      'a leader after the restart',
    );
    await sleep(500);
    assert.equal(c.candidates.filter((m) => m.current).length, 1);
    await c.store.write(after!.current!.epoch, [{ op: 'put-job', job: storedJob('after-restart') }]);
    assert.ok(await c.store.getJob('after-restart'));

    // Down for longer than the session timeout: the leader steps down, and someone leads again.
    const before = c.terms.length;
    await zk.restart(2500);
    const again = await eventually(
      async () => {
        const leading = c.candidates.filter((m) => m.current);
        return leading.length === 1 && c.terms.length > before ? leading[0] : undefined;
      },
      20_000,
      'a new term after a long outage',
    );
    assert.match(c.terms[before - 1]!.reason ?? '', /session lost/);
    await c.store.write(again!.current!.epoch, [{ op: 'put-job', job: storedJob('after-outage') }]);
    await fencedWrite(c.store, c.terms[before - 1]!.epoch);
    assertOneAtATime(c.terms);
  } finally {
    await c.close();
  }
});
