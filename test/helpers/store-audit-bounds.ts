/**
 * The bounds ZooKeeper and etcd put on the audit log (src/store/access-records.ts), which
 * the SQL stores do not need: the count cap, applied by fenced and unfenced writes, pruning
 * by age across more entries than one transaction holds, and entries cut to a size.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUDIT_KEEP, AUDIT_TRIM_AT, MAX_AUDIT_BYTES } from '../../src/store/access-records.js';
import { encodeAuditCursor, type Store } from '../../src/store/types.js';
import { auditEntry } from './store-fixtures.js';

export interface BoundedStore {
  store: Store;
  /** Audit entries as the server holds them, counted without the store. */
  countEntries(): Promise<number>;
  close(): Promise<void>;
}

export function auditBoundsTests(kind: string, open: () => Promise<BoundedStore>, skip: string | false = false): void {
  test(`${kind}: the audit log keeps the newest 10,000 entries once past 11,000, in unfenced and fenced writes; pruned by age in bulk`, { skip }, async () => {
    assert.deepEqual([AUDIT_KEEP, AUDIT_TRIM_AT], [10_000, 11_000], 'the caps the README documents');
    const { store, countEntries, close } = await open();
    try {
      const epoch = await store.beginEpoch('a', 0);
      const entries = Array.from({ length: AUDIT_TRIM_AT + 1 + 1001 }, (_, i) => auditEntry(`e${String(i).padStart(5, '0')}`, 1000 + i));
      /** The page just past entry i: its next older entry, and whether there is one more. */
      const olderThan = (i: number) => store.listAudit({ limit: 1, cursor: encodeAuditCursor(entries[i]!) });

      for (let i = 0; i < AUDIT_TRIM_AT; i += 2000) {
        await store.write(epoch, entries.slice(i, Math.min(i + 2000, AUDIT_TRIM_AT)).map((entry) => ({ op: 'put-audit' as const, entry })));
      }
      assert.equal(await countEntries(), AUDIT_TRIM_AT, 'up to the threshold every entry stays');

      await store.writeAccess([{ op: 'put-audit', entry: entries[AUDIT_TRIM_AT]! }]);
      assert.equal(await countEntries(), AUDIT_KEEP, 'one more, written unfenced: the oldest go');
      assert.deepEqual((await store.listAudit({ limit: 1 })).entries, [entries[AUDIT_TRIM_AT]]);
      const oldestKept = AUDIT_TRIM_AT + 1 - AUDIT_KEEP;
      assert.deepEqual(await olderThan(oldestKept + 1), { entries: [entries[oldestKept]], nextCursor: null });

      await store.write(epoch, entries.slice(AUDIT_TRIM_AT + 1).map((entry) => ({ op: 'put-audit' as const, entry })));
      assert.equal(await countEntries(), AUDIT_KEEP, 'past the threshold in a fenced batch: trimmed by that write');
      const oldestNow = entries.length - AUDIT_KEEP;
      assert.deepEqual(await olderThan(oldestNow + 1), { entries: [entries[oldestNow]], nextCursor: null });

      await store.write(epoch, [{ op: 'prune-audit', before: entries[oldestNow + 500]!.at }]);
      assert.equal(await countEntries(), AUDIT_KEEP - 500);
      assert.deepEqual(await olderThan(oldestNow + 501), { entries: [entries[oldestNow + 500]], nextCursor: null });
    } finally {
      await close();
    }
  });

  test(`${kind}: an audit entry too large to store is cut: its detail shortened, the targets that do not fit counted`, { skip }, async () => {
    const { store, close } = await open();
    try {
      const epoch = await store.beginEpoch('a', 0);
      const targets = Array.from({ length: 3000 }, (_, i) => `job-${String(i).padStart(4, '0')}-${'x'.repeat(90)}`);
      const big = auditEntry('big', 5000, { targets, outcome: 'refused', status: 400, detail: 'd'.repeat(100_000) });
      await store.write(epoch, [{ op: 'put-audit', entry: big }]);
      const [stored] = (await store.listAudit({ limit: 1 })).entries;
      assert.ok(Buffer.byteLength(JSON.stringify(stored)) <= MAX_AUDIT_BYTES);
      assert.equal(stored!.detail, `${'d'.repeat(1999)}…`);
      const kept = stored!.targets.length - 1;
      assert.ok(kept > 100, `kept ${kept} targets`);
      assert.deepEqual(stored!.targets.slice(0, kept), targets.slice(0, kept));
      assert.equal(stored!.targets.at(-1), `… and ${3000 - kept} more`);
      assert.deepEqual({ ...stored, targets: [], detail: null }, { ...big, targets: [], detail: null }, 'the rest is as it was');
      const small = auditEntry('small', 6000, { targets: targets.slice(0, 10) });
      await store.writeAccess([{ op: 'put-audit', entry: small }]);
      assert.deepEqual((await store.listAudit({ limit: 1 })).entries, [small], 'an entry that fits is kept whole');
    } finally {
      await close();
    }
  });
}
