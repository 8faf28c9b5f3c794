/** Leader election on a real etcd: one leader, rising epochs, fast takeover, fencing, server restarts. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { EtcdElection } from '../../src/ha/etcd-election.js';
import type { Leadership, Member } from '../../src/ha/types.js';
import { openEtcdStore } from '../../src/store/etcd/etcd-store.js';
import { FencedError } from '../../src/store/types.js';
import { etcdUnavailable, startEtcd, type EtcdServer } from '../helpers/etcd.js';

const skip = etcdUnavailable();
const ROOT = join(import.meta.dirname, '..', '..');
const member = (n: number): Member => ({ id: `m${n}`, url: `http://127.0.0.1:${9000 + n}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Campaigns that record when they resolve. */
function campaignAll(elections: EtcdElection[]) {
  const won = elections.map((e, i) => e.campaign(member(i)).then((l) => ({ i, l, at: Date.now() })));
  const pending = new Set(won.map((_, i) => i));
  won.forEach((p, i) => void p.then(() => pending.delete(i), () => undefined));
  const next = () => Promise.race([...pending].map((i) => won[i]!));
  return { next, pending };
}

describe('etcd leader election', { skip: skip ?? false }, () => {
  let etcd: EtcdServer;
  let n = 0;
  const freshUrl = () => `etcd://${etcd.hostPort}/election-test/${++n}`;

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd.stop();
  });

  test('exactly one of three leads; resign hands over within 1 s with a higher epoch; leader() and members()', async () => {
    const url = freshUrl();
    const elections = [0, 1, 2].map(() => new EtcdElection(url));
    const store = await openEtcdStore(url);
    const { next, pending } = campaignAll(elections);
    let current = await next();
    await sleep(500);
    assert.equal(pending.size, 2, 'exactly one leads');
    assert.deepEqual(await elections[2]!.leader(), { ...member(current.i), epoch: current.l.epoch });
    assert.deepEqual((await elections[0]!.members()).map((m) => m.id).sort(), ['m0', 'm1', 'm2']);
    await store.write(current.l.epoch, [{ op: 'put-meta', key: 'k', value: 'v1' }]);
    for (let round = 0; round < 2; round++) {
      const resignedAt = Date.now();
      await current.l.resign();
      assert.deepEqual(await current.l.lost, { reason: 'resigned' });
      const successor = await next();
      assert.ok(successor.at - resignedAt < 1000, `took over in ${successor.at - resignedAt} ms`);
      assert.ok(successor.l.epoch > current.l.epoch, 'epochs strictly increase');
      await assert.rejects(store.write(current.l.epoch, [{ op: 'put-meta', key: 'k', value: 'stale' }]), FencedError);
      current = successor;
    }
    assert.equal((await elections[0]!.members()).length, 1);
    assert.equal((await elections[0]!.leader())!.id, member(current.i).id);
    await store.close();
    await Promise.all(elections.map((e) => e.close()));
    const observer = new EtcdElection(url);
    assert.equal(await observer.leader(), null, 'close resigns');
    await observer.close();
  });

  test('a leader whose lease is revoked from outside: another leads within 3 s, its lost settles, its writes are fenced', async () => {
    const url = freshUrl();
    const [a, b] = [new EtcdElection(url), new EtcdElection(url)];
    const store = await openEtcdStore(url);
    const leaderA = await a.campaign(member(0));
    const lostA = leaderA.lost.then((r) => ({ ...r, at: Date.now() }));
    const wonB = b.campaign(member(1)).then((l) => ({ l, at: Date.now() }));
    await store.write(leaderA.epoch, [{ op: 'put-meta', key: 'k', value: 'a' }]);
    const admin = new Etcd3({ hosts: `http://${etcd.hostPort}` });
    const keys = await admin.kv.range({ key: Buffer.from(`/election-test/${n}/election/`), range_end: Buffer.from(`/election-test/${n}/election0`), sort_target: 'Create', sort_order: 'Ascend' });
    const revokedAt = Date.now();
    await admin.leaseClient.leaseRevoke({ ID: keys.kvs[0]!.lease });
    const [lost, won] = await Promise.all([lostA, wonB]);
    assert.ok(won.at - revokedAt < 3000, `took over in ${won.at - revokedAt} ms`);
    assert.ok(lost.at - revokedAt < 3000, `noticed the loss in ${lost.at - revokedAt} ms: ${lost.reason}`);
    assert.ok(won.l.epoch > leaderA.epoch);
    await assert.rejects(store.write(leaderA.epoch, [{ op: 'put-meta', key: 'k', value: 'stale' }]), FencedError);
    assert.equal(await store.getMeta('k'), 'a');
    admin.close();
    await store.close();
    await Promise.all([a.close(), b.close()]);
  });

  test('a leader that stops (SIGSTOP) loses to another within 3 s; after SIGCONT it steps down and its writes are fenced', async () => {
    const url = freshUrl();
    const script = `
      import { EtcdElection } from ${JSON.stringify(join(ROOT, 'src/ha/etcd-election.ts'))};
      import { openEtcdStore } from ${JSON.stringify(join(ROOT, 'src/store/etcd/etcd-store.ts'))};
      const election = new EtcdElection(${JSON.stringify(url)});
      const store = await openEtcdStore(${JSON.stringify(url)});
      const leadership = await election.campaign({ id: 'child', url: 'http://child' });
      console.log('LEAD ' + leadership.epoch);
      const { reason } = await leadership.lost;
      console.log('LOST ' + reason);
      try { await store.write(leadership.epoch, [{ op: 'put-meta', key: 'k', value: 'child' }]); console.log('WROTE'); }
      catch (e) { console.log(e.name === 'FencedError' ? 'FENCED' : 'ERROR ' + e.message); }
      await store.close(); await election.close();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const seen = (word: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (out.includes(word) ? resolve() : undefined);
        child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), check()));
        child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        child.once('exit', () => (out.includes(word) ? resolve() : reject(new Error(`child exited without ${word}:\n${out}`))));
        check();
      });
    const exited = new Promise((r) => child.once('exit', r));
    await seen('LEAD');
    const other = new EtcdElection(url);
    const won = other.campaign(member(1)).then((l) => ({ l, at: Date.now() }));
    await sleep(300);
    child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const { l, at } = await won;
    assert.ok(at - stoppedAt < 3000, `took over in ${at - stoppedAt} ms`);
    assert.ok(l.epoch > Number(/LEAD (\d+)/.exec(out)![1]));
    child.kill('SIGCONT');
    await seen('FENCED');
    assert.match(out, /LOST /);
    assert.doesNotMatch(out, /WROTE/);
    await exited;
    await other.close();
  });

  test('etcd restarted on the same data dir: leadership recovers, never two leaders at once', async () => {
    const url = freshUrl();
    const elections = [0, 1].map(() => new EtcdElection(url));
    const stop = new AbortController();
    let leading = 0;
    let overlaps = 0;
    const terms: Leadership[] = [];
    const loops = elections.map(async (e, i) => {
      while (!stop.signal.aborted) {
        const l = await e.campaign(member(i), stop.signal).catch(() => null);
        if (!l) return;
        if (++leading > 1) overlaps++;
        terms.push(l);
        await l.lost;
        leading--;
      }
    });
    const waitFor = async (what: () => boolean | Promise<boolean>, ms: number) => {
      const deadline = Date.now() + ms;
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error('timed out');
        await sleep(100);
      }
    };
    await waitFor(() => leading === 1, 5000);
    const epochBefore = terms[terms.length - 1]!.epoch;
    // Down longer than the lease, so the leader must notice and step down.
    await etcd.restart(2500);
    await waitFor(() => leading === 1 && terms[terms.length - 1]!.epoch > epochBefore, 20_000);
    await waitFor(async () => (await elections[0]!.leader().catch(() => null))?.epoch === terms[terms.length - 1]!.epoch, 5000);
    assert.equal(overlaps, 0);
    stop.abort();
    await Promise.all(elections.map((e) => e.close()));
    await Promise.all(loops);
  });
});

if (skip) test(`etcd election tests skipped: ${skip}`, { skip }, () => {});
