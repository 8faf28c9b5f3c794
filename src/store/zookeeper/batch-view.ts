/**
 * A write batch planned against what ZooKeeper holds: reads are fetched (in parallel where
 * prefetched), changes stay local, and `ops()` turns the difference into creates, setData
 * and removes in an order a multi accepts (children removed before parents, parents
 * created before children).
 */
import { depthOf, nameOf, parentOf } from './layout.js';
import type { ZkOp, ZkSession } from './zk-session.js';

interface Entry {
  before: Buffer | null;
  after: Buffer | null;
}

/** The `before` of a node known to exist from its parent's listing, whose data was not read. */
const LISTED = Buffer.alloc(0);

export class BatchView {
  private readonly nodes = new Map<string, Entry>();
  private readonly listed = new Map<string, string[]>();

  constructor(private readonly session: ZkSession) {}

  /** Fetch these nodes at once (the requests are pipelined on one connection). */
  async prefetch(paths: Iterable<string>): Promise<void> {
    const missing = [...new Set(paths)].filter((p) => !this.nodes.has(p));
    const nodes = await Promise.all(missing.map((p) => this.session.get(p)));
    missing.forEach((p, i) => {
      if (!this.nodes.has(p)) this.nodes.set(p, { before: nodes[i]?.data ?? null, after: nodes[i]?.data ?? null });
    });
  }

  async get(path: string): Promise<Buffer | null> {
    await this.prefetch([path]);
    return this.nodes.get(path)!.after;
  }

  /** Write (or with null, remove) a node; it must have been read. */
  set(path: string, data: Buffer | null): void {
    const entry = this.nodes.get(path);
    if (!entry) throw new Error(`BatchView: ${path} was not read before being written`);
    entry.after = data;
  }

  /** Remove a node that a listing of its parent showed, without reading its data. */
  removeListed(path: string): void {
    const entry = this.nodes.get(path);
    if (entry) entry.after = null;
    else this.nodes.set(path, { before: LISTED, after: null });
  }

  async ensureDir(path: string): Promise<void> {
    if ((await this.get(path)) === null) this.set(path, Buffer.alloc(0));
  }

  /** Child names as they will be once the batch applies. */
  async children(dir: string): Promise<string[]> {
    let names = this.listed.get(dir);
    if (!names) {
      names = await this.session.children(dir);
      this.listed.set(dir, names);
    }
    const result = new Set(names);
    for (const [path, entry] of this.nodes) {
      if (parentOf(path) !== dir) continue;
      if (entry.after === null) result.delete(nameOf(path));
      else result.add(nameOf(path));
    }
    return [...result];
  }

  /** How many children `dir` will have once the batch applies; lists them only if they were listed already. */
  async childCount(dir: string): Promise<number> {
    if (this.listed.has(dir)) return (await this.children(dir)).length;
    let count = await this.session.childCount(dir);
    for (const [path, { before, after }] of this.nodes) {
      if (parentOf(path) === dir) count += (after === null ? 0 : 1) - (before === null ? 0 : 1);
    }
    return count;
  }

  ops(): ZkOp[] {
    const removes: ZkOp[] = [];
    const creates: ZkOp[] = [];
    const sets: ZkOp[] = [];
    for (const [path, { before, after }] of this.nodes) {
      if (before === null && after !== null) creates.push({ kind: 'create', path, data: after });
      else if (before !== null && after === null) removes.push({ kind: 'remove', path });
      else if (before !== null && after !== null && !before.equals(after)) sets.push({ kind: 'set', path, data: after });
    }
    removes.sort((a, b) => depthOf(b.path) - depthOf(a.path));
    creates.sort((a, b) => depthOf(a.path) - depthOf(b.path));
    return [...removes, ...creates, ...sets];
  }
}
