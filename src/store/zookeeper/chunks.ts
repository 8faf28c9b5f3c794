/**
 * Splitting a batch into multis. ZooKeeper refuses (and drops the connection on) a request
 * bigger than jute.maxbuffer, 1 MiB - 1 by default, and the transaction log entry of a multi
 * must fit it too. A batch whose estimate exceeds MULTI_BUDGET_BYTES is split; every part
 * begins with the epoch check, so each part is fenced, but only each part is atomic.
 * A burst of 1000 claims (about 0.6 MB estimated with typical IDs) fits in one multi.
 */
import type { ZkOp } from './zk-session.js';

export const MULTI_BUDGET_BYTES = 768 * 1024;

/** Bytes of an op on the wire: header, path, data, one open ACL and flags, rounded up. */
const sizeOf = (op: ZkOp): number => 64 + Buffer.byteLength(op.path) + ('data' in op ? op.data.length : 0);

export function chunkOps(fence: ZkOp, ops: ZkOp[], budget = MULTI_BUDGET_BYTES): ZkOp[][] {
  const chunks: ZkOp[][] = [];
  let current: ZkOp[] = [fence];
  let size = sizeOf(fence);
  for (const op of ops) {
    if (current.length > 1 && size + sizeOf(op) > budget) {
      chunks.push(current);
      current = [fence];
      size = sizeOf(fence);
    }
    current.push(op);
    size += sizeOf(op);
  }
  chunks.push(current);
  return chunks;
}
