/** Thin helpers over etcd3's raw KV calls: batched gets, ranges and fenced transactions. */
import { CompareResult, CompareTarget, type Etcd3, type ICompare, type IRequestOp } from 'etcd3';
import { FencedError } from '../types.js';

export interface Entry {
  key: string;
  value: string;
}

/** A put (value) or a delete (null) of one key. */
export type Mutation = [key: string, value: string | null];

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Values of many keys (null when absent), read in transactions of at most `maxOps` gets. */
export async function getMany(client: Etcd3, keys: string[], maxOps: number, revision?: string): Promise<Map<string, string | null>> {
  const unique = [...new Set(keys)];
  const out = new Map<string, string | null>();
  const groups: string[][] = [];
  for (let i = 0; i < unique.length; i += maxOps) groups.push(unique.slice(i, i + maxOps));
  await Promise.all(
    groups.map(async (group) => {
      const res = await client.kv.txn({
        success: group.map((key) => ({ request_range: { key: buf(key), ...(revision ? { revision } : {}) } })),
      });
      res.responses.forEach((r, i) => {
        const kv = r.response_range.kvs[0];
        out.set(group[i]!, kv ? kv.value.toString('utf8') : null);
      });
    }),
  );
  return out;
}

export interface RangeOptions {
  limit?: number;
  descend?: boolean;
  keysOnly?: boolean;
  revision?: string;
}

/** Keys in [start, end) in key order (or reversed), with the revision they were read at. */
export async function range(client: Etcd3, start: string, end: string, options: RangeOptions = {}): Promise<{ entries: Entry[]; revision: string }> {
  const res = await client.kv.range({
    key: buf(start),
    range_end: buf(end),
    ...(options.limit ? { limit: options.limit } : {}),
    ...(options.descend ? { sort_order: 'Descend' as const, sort_target: 'Key' as const } : {}),
    ...(options.keysOnly ? { keys_only: true } : {}),
    ...(options.revision ? { revision: options.revision } : {}),
  });
  return {
    entries: res.kvs.map((kv) => ({ key: kv.key.toString('utf8'), value: kv.value.toString('utf8') })),
    revision: res.header.revision,
  };
}

export async function count(client: Etcd3, start: string, end: string): Promise<number> {
  const res = await client.kv.range({ key: buf(start), range_end: buf(end), count_only: true });
  return Number(res.count);
}

export const absent = (key: string): ICompare => ({
  key: buf(key),
  target: CompareTarget.Mod,
  result: CompareResult.Equal,
  mod_revision: 0,
});

/** Epoch 0 is "never begun": the key does not exist yet. */
export const epochIs = (epochKey: string, epoch: number): ICompare =>
  epoch === 0 ? absent(epochKey) : { key: buf(epochKey), target: CompareTarget.Value, result: CompareResult.Equal, value: buf(String(epoch)) };

export const toOp = ([key, value]: Mutation, lease?: string): IRequestOp =>
  value === null
    ? { request_delete_range: { key: buf(key) } }
    : { request_put: { key: buf(key), value: buf(value), ...(lease ? { lease } : {}) } };

export const parseEpoch = (value: string | null | undefined): number => (value ? Number(value) : 0);

/** Apply `mutations` in one transaction, unconditionally (writes outside the fenced batches). */
export async function commitUnfenced(client: Etcd3, mutations: Mutation[]): Promise<void> {
  if (mutations.length > 0) await client.kv.txn({ success: mutations.map((m) => toOp(m)) });
}

/**
 * Apply `mutations` if the epoch key still holds `epoch` and every key in `absentKeys` is
 * absent. Throws FencedError when the epoch moved; returns false when only an absence failed.
 */
export async function commitFenced(
  client: Etcd3,
  epochKey: string,
  epoch: number,
  mutations: Mutation[],
  absentKeys: string[] = [],
): Promise<boolean> {
  const res = await client.kv.txn({
    compare: [epochIs(epochKey, epoch), ...absentKeys.map(absent)],
    success: mutations.map((m) => toOp(m)),
    failure: [{ request_range: { key: buf(epochKey) } }],
  });
  if (res.succeeded) return true;
  const current = parseEpoch(res.responses[0]?.response_range.kvs[0]?.value.toString('utf8'));
  if (current !== epoch) throw new FencedError(epoch, current);
  return false;
}
