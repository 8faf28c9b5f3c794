/**
 * The fencing epoch: `<base>/epoch`, whose znode version is the epoch. Only raiseEpoch
 * changes it (a setData conditional on the version read), so epochs rise by one per
 * leadership and every store write can fence itself with `check(epoch node, epoch)`.
 */
import type { Millis } from '../../core/types.js';
import { ZkCode, ZkError, hasCode, type ZkOp, type ZkSession } from './zk-session.js';

const epochData = (epoch: number, owner: string, since: Millis): Buffer => Buffer.from(JSON.stringify({ epoch, owner, since }));

/** Create the epoch node at version 1 (a multi cannot check version 0: see ZkSession.multi). */
export async function ensureEpochNode(session: ZkSession, path: string): Promise<void> {
  try {
    await session.multi([
      { kind: 'create', path, data: epochData(0, '', 0) },
      { kind: 'set', path, data: epochData(1, '', 0) },
    ]);
  } catch (error) {
    if (!hasCode(error, ZkCode.NODE_EXISTS)) throw error;
    const node = await session.get(path);
    if (node?.version === 0) await session.setData(path, epochData(1, '', 0), 0).catch(() => {});
  }
}

export async function currentEpoch(session: ZkSession, path: string): Promise<number> {
  return (await session.exists(path)) ?? 0;
}

/**
 * Raise the epoch by one and return it. With `member`, only while that (ephemeral) node
 * still exists, so a member whose session the server has expired cannot raise it.
 */
export async function raiseEpoch(session: ZkSession, path: string, owner: string, now: Millis, member?: string): Promise<number> {
  for (;;) {
    const version = await session.exists(path);
    if (version === null || version === 0) {
      await ensureEpochNode(session, path);
      continue;
    }
    const ops: ZkOp[] = member ? [{ kind: 'check', path: member }] : [];
    ops.push({ kind: 'set', path, data: epochData(version + 1, owner, now), version });
    try {
      await session.multi(ops);
      return version + 1;
    } catch (error) {
      // Someone else raised it in between: read again.
      if (error instanceof ZkError && error.code === ZkCode.BAD_VERSION) continue;
      throw error;
    }
  }
}
