/**
 * Leader election on ZooKeeper, for the zk:// store. Each campaigning member holds an
 * ephemeral sequential `<path>/election/member_<seq>` with {id, url}; the lowest sequence
 * leads and every other member watches only its predecessor (no herd effect). The winner
 * raises the store's epoch znode, conditional on its member node still existing, before
 * campaign() resolves.
 *
 * Takeover bound: a leader that dies or stops (SIGKILL or SIGSTOP alike) keeps its node
 * until the server expires its session, one session timeout (default 2 s, which the server
 * clamps to [2, 20] × its tickTime) after it last heard from it; its successor leads a round
 * trip later. The stopped leader's own session watchdog ends its leadership no later than
 * the server does, and its writes are fenced by the raised epoch either way.
 */
import zookeeper from 'node-zookeeper-client';
import { currentEpoch, ensureEpochNode, raiseEpoch } from '../store/zookeeper/epoch.js';
import { ZkLayout } from '../store/zookeeper/layout.js';
import { parseStoreUrl, type ZooKeeperStoreUrl } from '../store/zookeeper/store-url.js';
import { ZkSession } from '../store/zookeeper/zk-session.js';
import type { LeaderElection, Leadership, Member } from './types.js';

export const DEFAULT_SESSION_TIMEOUT_MS = 2000;
const MEMBER_PREFIX = 'member_';

export interface ZooKeeperElectionOptions {
  /** Requested session timeout; the takeover bound. */
  sessionTimeoutMs?: number;
}

/** Members' node names in sequence order. */
const sortMembers = (names: string[]): string[] =>
  names.filter((n) => n.startsWith(MEMBER_PREFIX)).sort((a, b) => Number(a.slice(MEMBER_PREFIX.length)) - Number(b.slice(MEMBER_PREFIX.length)));

class SessionLost extends Error {}

export class ZooKeeperElection implements LeaderElection {
  private readonly target: ZooKeeperStoreUrl;
  private readonly layout: ZkLayout;
  readonly sessionTimeoutMs: number;
  private current: Promise<ZkSession> | null = null;
  private leading: { end: (reason: string) => void } | null = null;
  private closed = false;

  constructor(url: string, options: ZooKeeperElectionOptions = {}) {
    this.target = parseStoreUrl(url);
    this.layout = new ZkLayout(this.target.path);
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  }

  private async session(): Promise<ZkSession> {
    if (this.closed) throw new Error('the election is closed');
    const open = this.current;
    if (open) {
      const session = await open.catch(() => null);
      if (session && !session.isDead) return session;
      if (this.current !== open) return this.session();
    }
    const next = (async () => {
      const session = await ZkSession.open(this.target.connectString, { sessionTimeoutMs: this.sessionTimeoutMs, auth: this.target.auth });
      try {
        await session.mkdirp(this.layout.election);
        await ensureEpochNode(session, this.layout.epoch);
      } catch (error) {
        await session.close();
        throw error;
      }
      return session;
    })();
    this.current = next;
    next.catch(() => {
      if (this.current === next) this.current = null;
    });
    return next;
  }

  async campaign(self: Member, signal?: AbortSignal): Promise<Leadership> {
    for (;;) {
      signal?.throwIfAborted();
      const session = await this.session();
      try {
        return await this.campaignOn(session, self, signal);
      } catch (error) {
        // A new session joins the queue again; anything else is for the caller.
        if (!(error instanceof SessionLost) || this.closed) throw error;
      }
    }
  }

  private async campaignOn(session: ZkSession, self: Member, signal?: AbortSignal): Promise<Leadership> {
    const dir = this.layout.election;
    const data = Buffer.from(JSON.stringify({ id: self.id, url: self.url }));
    const path = await session.create(`${dir}/${MEMBER_PREFIX}`, data, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);
    const name = path.slice(dir.length + 1);
    try {
      for (;;) {
        const members = sortMembers(await session.children(dir));
        const position = members.indexOf(name);
        if (position < 0) throw new SessionLost('our member node is gone');
        if (position === 0) break;
        let wake: () => void = () => {};
        const changed = new Promise<void>((resolve) => (wake = resolve));
        if ((await session.exists(`${dir}/${members[position - 1]}`, () => wake())) === null) continue;
        await waitFor(changed, session, signal);
      }
      const epoch = await raiseEpoch(session, this.layout.epoch, self.id, Date.now(), path);
      return this.leadership(session, path, epoch);
    } catch (error) {
      if (session.isDead) throw new SessionLost(String(error));
      // Give up our place; if even that fails, end the session so the server drops the node.
      await session.remove(path).catch(() => session.close());
      throw error;
    }
  }

  private leadership(session: ZkSession, path: string, epoch: number): Leadership {
    let end: (reason: string) => void = () => {};
    const lost = new Promise<{ reason: string }>((resolve) => {
      let over = false;
      end = (reason) => {
        if (over) return;
        over = true;
        if (this.leading === handle) this.leading = null;
        resolve({ reason });
      };
    });
    const handle = { end };
    this.leading = handle;
    void session.dead.then((why) => end(`ZooKeeper session lost (${why})`));
    const watchOwn = (): void => {
      session
        .exists(path, (event) => (event.getType() === zookeeper.Event.NODE_DELETED ? end('member node deleted') : watchOwn()))
        .then((version) => version === null && end('member node deleted'))
        .catch(() => {});
    };
    watchOwn();
    return {
      epoch,
      lost,
      resign: async () => {
        end('resigned');
        await session.remove(path).catch(() => session.close());
      },
    };
  }

  async leader(): Promise<(Member & { epoch: number }) | null> {
    const session = await this.session();
    for (let attempt = 0; attempt < 3; attempt++) {
      const first = sortMembers(await session.children(this.layout.election))[0];
      if (first === undefined) return null;
      const node = await session.get(`${this.layout.election}/${first}`);
      if (!node) continue;
      return { ...parseMember(node.data), epoch: await currentEpoch(session, this.layout.epoch) };
    }
    return null;
  }

  async members(): Promise<Member[]> {
    const session = await this.session();
    const names = sortMembers(await session.children(this.layout.election));
    const nodes = await Promise.all(names.map((n) => session.get(`${this.layout.election}/${n}`)));
    return nodes.flatMap((node) => (node ? [parseMember(node.data)] : []));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.leading?.end('election closed');
    const session = await this.current?.catch(() => null);
    // Closing the session removes our member node at once.
    await session?.close();
  }
}

const parseMember = (data: Buffer): Member => {
  const { id, url } = JSON.parse(data.toString('utf8')) as Member;
  return { id, url };
};

/** Wait for the watch to fire; a lost session or an abort ends the wait. */
function waitFor(changed: Promise<void>, session: ZkSession, signal?: AbortSignal): Promise<void> {
  let onAbort = (): void => {};
  return new Promise<void>((resolve, reject) => {
    onAbort = () => reject(signal!.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    void changed.then(resolve);
    void session.dead.then((why) => reject(new SessionLost(why)));
  }).finally(() => signal?.removeEventListener('abort', onAbort));
}
