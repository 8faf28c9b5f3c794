/**
 * The origins of the cluster's members (and the configured UI address), which may call this
 * member's API from a browser: the web UI opened on a standby sends its writes to the leader,
 * another origin. Looked up in the store at most once per TTL, since every cross-origin
 * request and every page load asks.
 */
import type { ClusterView } from './context.js';

const TTL_MS = 5_000;

export interface MemberOrigins {
  /** The allowed origins, e.g. `https://cron-2.example.com:8080`; only this member's if the store does not answer. */
  list(): Promise<string[]>;
  allows(origin: string): Promise<boolean>;
}

const originOf = (url: string): string | null => {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
};

export function memberOrigins(cluster: () => Promise<ClusterView>, uiUrl?: string, now: () => number = Date.now): MemberOrigins {
  let cached: { at: number; origins: Promise<string[]> } | null = null;
  const lookUp = async (): Promise<string[]> => {
    const view = await cluster();
    const urls = [view.self.url, ...view.members.map((member) => member.url), ...(view.leader ? [view.leader.url] : []), ...(uiUrl ? [uiUrl] : [])];
    return [...new Set(urls.map(originOf).filter((origin): origin is string => origin !== null))];
  };
  const list = (): Promise<string[]> => {
    if (cached === null || now() - cached.at > TTL_MS) {
      const origins = lookUp().catch(() => {
        // Not cached: the next request asks the store again.
        cached = null;
        return uiUrl && originOf(uiUrl) ? [originOf(uiUrl)!] : [];
      });
      cached = { at: now(), origins };
    }
    return cached.origins;
  };
  return {
    list,
    allows: async (origin) => (await list()).includes(origin),
  };
}
