/**
 * The notice outbox in etcd: P/notices/<id> holds {position, notice}. Keyed by id, so a
 * replayed put finds its notice and leaves it as it is; the order the notices were put in
 * comes from etcd itself: the revision that created the key, then, among the notices one
 * transaction created (one revision), their position in the batch.
 */
import type { Etcd3 } from 'etcd3';
import type { Notice } from '../../core/types.js';
import { prefixEnd } from './keys.js';

interface StoredNotice {
  position: number;
  notice: Notice;
}

export const encodeNotice = (notice: Notice, position: number): string => JSON.stringify({ position, notice } satisfies StoredNotice);

/** The notices under `prefix`, oldest first. */
export async function listNotices(client: Etcd3, prefix: string, revision?: string): Promise<Notice[]> {
  const res = await client.kv.range({
    key: Buffer.from(prefix),
    range_end: Buffer.from(prefixEnd(prefix)),
    ...(revision ? { revision } : {}),
  });
  return res.kvs
    .map((kv) => ({ created: BigInt(kv.create_revision), ...(JSON.parse(kv.value.toString('utf8')) as StoredNotice) }))
    .sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.position - b.position))
    .map((stored) => stored.notice);
}
