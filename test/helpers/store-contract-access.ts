/**
 * The Store contract for access (part of storeContract): tokens and the audit log, written
 * unfenced by writeAccess, and audit entries that ride the scheduler's fenced batches.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FencedError, type Store } from '../../src/store/types.js';
import { auditEntry, token } from './store-fixtures.js';

export function accessContract(open: () => Promise<Store>): void {
  test('tokens: put, get, list oldest first, replaced by id (a revocation), unknown ids are null', async () => {
    const store = await open();
    assert.deepEqual(await store.listTokens(), []);
    const admin = token('a1b2c3d4e5', { role: 'admin', owners: [], createdAt: 2000, expiresAt: 9_000_000 });
    const operator = token('ffee001122', { owners: ['team-a', 'team-b'], createdAt: 1000 });
    await store.writeAccess([{ op: 'put-token', token: admin }, { op: 'put-token', token: operator }]);
    assert.deepEqual(await store.getToken(admin.id), admin);
    assert.deepEqual(await store.listTokens(), [operator, admin]);
    const revoked = { ...operator, revokedAt: 5000 };
    await store.writeAccess([{ op: 'put-token', token: revoked }]);
    assert.deepEqual(await store.getToken(operator.id), revoked);
    assert.equal((await store.listTokens()).length, 2);
    assert.equal(await store.getToken('nope'), null);
    await store.close();
  });

  test('tokens need no epoch: they are written while another member leads, and before anyone does', async () => {
    const store = await open();
    await store.writeAccess([{ op: 'put-token', token: token('before0001') }]);
    const epoch = await store.beginEpoch('a', 0);
    await store.beginEpoch('b', 1);
    await assert.rejects(store.write(epoch, [{ op: 'put-audit', entry: auditEntry('x', 1) }]), FencedError);
    await store.writeAccess([{ op: 'put-token', token: token('after00002') }, { op: 'put-audit', entry: auditEntry('y', 2, { action: 'create-token' }) }]);
    assert.deepEqual((await store.listTokens()).map((t) => t.id).sort(), ['after00002', 'before0001']);
    assert.deepEqual((await store.listAudit({ limit: 10 })).entries.map((e) => e.id), ['y'], 'the fenced batch wrote nothing');
    await store.close();
  });

  test('audit: entries from fenced batches and from writeAccess, newest first, paged, since, pruned by age', async () => {
    const store = await open();
    const epoch = await store.beginEpoch('a', 0);
    const entries = [
      auditEntry('e1', 1000),
      auditEntry('e2', 2000, { outcome: 'refused', status: 403, detail: 'job nightly belongs to team-b', actor: { tokenId: null, name: 'anonymous', role: 'admin', address: null } }),
      auditEntry('e3', 3000, { action: 'kill-run', targets: ['0mx4vx1es-a6a36c00001'] }),
      auditEntry('e4', 3000, { action: 'delete-job', targets: [] }),
    ];
    await store.write(epoch, [{ op: 'put-audit', entry: entries[0]! }, { op: 'put-audit', entry: entries[1]! }]);
    await store.writeAccess([{ op: 'put-audit', entry: entries[2]! }]);
    await store.write(epoch, [{ op: 'put-audit', entry: entries[3]! }]);
    await store.write(epoch, [{ op: 'put-audit', entry: entries[3]! }]);
    const all = await store.listAudit({ limit: 10 });
    assert.deepEqual(all, { entries: [entries[3], entries[2], entries[1], entries[0]], nextCursor: null }, 'newest first; ties by id; a replayed entry counts once');

    const first = await store.listAudit({ limit: 3 });
    assert.deepEqual(first.entries.map((e) => e.id), ['e4', 'e3', 'e2']);
    assert.ok(first.nextCursor);
    const second = await store.listAudit({ limit: 3, cursor: first.nextCursor });
    assert.deepEqual(second, { entries: [entries[0]], nextCursor: null });
    assert.deepEqual((await store.listAudit({ limit: 10, since: 2000 })).entries.map((e) => e.id), ['e4', 'e3', 'e2']);

    await store.write(epoch, [{ op: 'prune-audit', before: 2500 }]);
    assert.deepEqual((await store.listAudit({ limit: 10 })).entries.map((e) => e.id), ['e4', 'e3']);
    await store.close();
  });
}
