/**
 * Reading the notice outbox from ZooKeeper. Each notice is its own znode, named by its id,
 * so a replayed put finds it and leaves it as it is; the order the notices were put in comes
 * from ZooKeeper itself: the zxid of the multi that created the znode, then, among the
 * notices one multi created (one zxid), their position in the batch.
 */
import type { Notice } from '../../core/types.js';
import { decodeNotice } from './codec.js';
import type { ZkLayout } from './layout.js';
import type { ZkSession } from './zk-session.js';

/** The outbox, oldest first. */
export async function readNotices(session: ZkSession, layout: ZkLayout): Promise<Notice[]> {
  const dir = layout.dir('notices');
  const names = await session.children(dir);
  const nodes = await Promise.all(names.map((name) => session.get(`${dir}/${name}`)));
  return nodes
    .filter((node) => node !== null)
    .map((node) => ({ created: node.createdZxid, ...decodeNotice(node.data) }))
    .sort((a, b) => Buffer.compare(a.created, b.created) || a.position - b.position)
    .map((stored) => stored.notice);
}
