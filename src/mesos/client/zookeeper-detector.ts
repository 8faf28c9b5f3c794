/**
 * The leading Mesos master from ZooKeeper (docs/mesos.md#master-detection): every contending master holds
 * an ephemeral sequential `<path>/json.info_<seq>` node with its MasterInfo as JSON; the
 * lowest sequence number leads. The children are watched, so a new leader reaches the
 * connection at once, which drops its stream and re-subscribes there.
 */
import zookeeper from 'node-zookeeper-client';
import { parseZooKeeperUrl, type ZooKeeperUrl } from '../../lib/zookeeper-url.js';
import type { MasterInfo } from '../types.js';
import type { MasterDetector } from './master-detector.js';

const LEADER_PREFIX = 'json.info_';
const RETRY_MS = 1000;

/** The leader's scheduler base URL from its MasterInfo: `address` when present, else hostname or the packed ip. */
export function masterUrlOf(info: MasterInfo): string {
  const port = info.address?.port ?? info.port;
  const host = info.address?.ip ?? info.address?.hostname ?? info.hostname ?? ipFromPacked(info.ip);
  return `http://${host}:${port}`;
}

/** MasterInfo.ip is a uint32 in network byte order: the first octet is the least significant byte. */
const ipFromPacked = (ip: number): string => [ip & 0xff, (ip >>> 8) & 0xff, (ip >>> 16) & 0xff, (ip >>> 24) & 0xff].join('.');

/** The leader among a path's children: the lowest json.info_ sequence number. */
export function leaderNode(children: readonly string[]): string | null {
  const contenders = children.filter((c) => c.startsWith(LEADER_PREFIX)).sort((a, b) => sequenceOf(a) - sequenceOf(b));
  return contenders[0] ?? null;
}

const sequenceOf = (node: string): number => Number(node.slice(LEADER_PREFIX.length));

export class ZooKeeperMasterDetector implements MasterDetector {
  private readonly target: ZooKeeperUrl;
  private client: zookeeper.Client | null = null;
  private leader: string | null = null;
  private readonly listeners = new Set<(candidates: readonly string[]) => void>();
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    url: string,
    private readonly options: { sessionTimeoutMs?: number; onError?: (message: string) => void } = {},
  ) {
    this.target = parseZooKeeperUrl(url);
    this.connect();
  }

  candidates(): readonly string[] {
    return this.leader ? [this.leader] : [];
  }

  onChange(listener: (candidates: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.client?.close();
  }

  private connect(): void {
    const client = zookeeper.createClient(this.target.connectString, { sessionTimeout: this.options.sessionTimeoutMs ?? 10_000, spinDelay: 500 });
    if (this.target.auth) client.addAuthInfo('digest', Buffer.from(this.target.auth));
    client.once('connected', () => this.watch());
    // An expired session has lost its watches: start over with a new one.
    client.once('expired', () => {
      client.close();
      if (!this.closed) this.connect();
    });
    client.connect();
    this.client = client;
  }

  private watch(): void {
    const client = this.client;
    if (!client || this.closed) return;
    client.getChildren(
      this.target.path,
      () => this.watch(),
      (error, children) => {
        if (error) return this.later(`ZooKeeper: cannot list ${this.target.path}: ${String(error)}`);
        const node = leaderNode(children);
        if (!node) return this.setLeader(null);
        client.getData(`${this.target.path}/${node}`, (dataError, data) => {
          if (dataError) return this.later(`ZooKeeper: cannot read ${node}: ${String(dataError)}`);
          try {
            this.setLeader(masterUrlOf(JSON.parse(data.toString('utf8')) as MasterInfo));
          } catch (parseError) {
            this.later(`ZooKeeper: ${node} does not hold MasterInfo JSON: ${(parseError as Error).message}`);
          }
        });
      },
    );
  }

  /** Try again shortly; a missing path appears when the first master registers. */
  private later(message: string): void {
    this.options.onError?.(message);
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.watch();
    }, RETRY_MS);
  }

  private setLeader(url: string | null): void {
    if (url === this.leader) return;
    this.leader = url;
    for (const listener of this.listeners) listener(this.candidates());
  }
}
