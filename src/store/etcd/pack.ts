/**
 * Packs planned ops, in order, into etcd transactions that respect the server's limits:
 * at most `maxOps` keys per transaction (--max-txn-ops, 128 by default) and about
 * `maxBytes` per request (etcd refuses requests over 1.5 MiB). A key touched twice in one
 * transaction is merged (etcd refuses duplicate keys in a txn): the later value wins.
 */
import type { Mutation } from './kv.js';
import type { PlannedOp } from './write-plan.js';

export interface Chunk {
  mutations: Map<string, string | null>;
  absent: Set<string>;
  bytes: number;
  /** Indexes of the planned ops whose last mutation is in this chunk. */
  completes: number[];
}

/** Leaves room under etcd's 1.5 MiB request limit for framing. */
export const MAX_TXN_BYTES = 1024 * 1024;

const size = ([key, value]: Mutation): number => Buffer.byteLength(key) + (value === null ? 0 : Buffer.byteLength(value)) + 16;
const empty = (): Chunk => ({ mutations: new Map(), absent: new Set(), bytes: 0, completes: [] });

export function pack(planned: PlannedOp[], maxOps: number, maxBytes = MAX_TXN_BYTES): Chunk[] {
  const chunks: Chunk[] = [];
  let current = empty();
  const flush = () => {
    if (current.mutations.size > 0 || current.absent.size > 0 || current.completes.length > 0) chunks.push(current);
    current = empty();
  };
  const fits = (muts: Mutation[], absent: string[]): boolean => {
    const added = muts.filter(([key]) => !current.mutations.has(key));
    return (
      current.mutations.size + added.length <= maxOps &&
      current.absent.size + absent.length + 1 <= maxOps &&
      current.bytes + muts.reduce((n, m) => n + size(m), 0) <= maxBytes
    );
  };
  const add = (muts: Mutation[], absent: string[]) => {
    for (const m of muts) {
      current.mutations.set(m[0], m[1]);
      current.bytes += size(m);
    }
    for (const key of absent) current.absent.add(key);
  };

  planned.forEach((op, index) => {
    if (!fits(op.mutations, op.absent)) flush();
    if (fits(op.mutations, op.absent)) {
      add(op.mutations, op.absent);
    } else {
      // One op larger than a transaction (a job with a long history being deleted): it spans several.
      let absent = op.absent;
      for (const m of op.mutations) {
        if (!fits([m], absent)) flush();
        add([m], absent);
        absent = [];
      }
    }
    current.completes.push(index);
  });
  flush();
  return chunks;
}
