/** Raising the fencing epoch: compare-and-swap on P/epoch, retried while others race. */
import { CompareResult, CompareTarget, type Etcd3, type ICompare, type IRequestOp } from 'etcd3';
import type { Millis } from '../../core/types.js';
import type { Keys } from './keys.js';
import { parseEpoch, toOp } from './kv.js';

export interface EpochCondition {
  /** Must also hold for the raise to happen (e.g. "my election key still exists"). */
  compares: ICompare[];
  /** Written in the same transaction, given the new epoch. */
  puts: (epoch: number) => IRequestOp[];
}

/**
 * Returns the new epoch, or null when `condition`'s compares failed (the epoch is then
 * left alone). Retries only when another writer moved the epoch in between.
 */
export async function raiseEpoch(client: Etcd3, keys: Keys, owner: string, now: Millis, condition?: EpochCondition): Promise<number | null> {
  for (;;) {
    const res = await client.kv.range({ key: Buffer.from(keys.epoch) });
    const kv = res.kvs[0];
    const current = parseEpoch(kv?.value.toString('utf8'));
    const next = current + 1;
    const txn = await client.kv.txn({
      compare: [
        { key: Buffer.from(keys.epoch), target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: kv?.mod_revision ?? 0 },
        ...(condition?.compares ?? []),
      ],
      success: [
        toOp([keys.epoch, String(next)]),
        toOp([keys.leader, JSON.stringify({ owner, since: now, epoch: next })]),
        ...(condition?.puts(next) ?? []),
      ],
      failure: [{ request_range: { key: Buffer.from(keys.epoch) } }],
    });
    if (txn.succeeded) return next;
    const after = txn.responses[0]?.response_range.kvs[0];
    // The epoch key did not move, so it was the caller's condition that failed.
    if ((after?.mod_revision ?? '0') === (kv?.mod_revision ?? '0')) return null;
  }
}
