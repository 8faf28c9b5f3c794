/**
 * fetch that follows the cluster's 307 itself. A standby answers what only the leader can
 * (writes, the event stream, logs, agents) with 307 to the leader, another origin; a browser
 * following it alone would drop the bearer token (and the page's policy forbids it). So the
 * redirect is caught, the leader looked up on this member (`/api/v1/cluster`, which any
 * member answers), and the request sent there, which allows this member's origin.
 */
interface ClusterAnswer {
  leader: { url: string } | null;
}

export class NoLeader extends Error {
  constructor() {
    super('No member leads the cluster right now; retry in a moment.');
    this.name = 'NoLeader';
  }
}

async function leaderUrl(init: RequestInit): Promise<string> {
  const response = await fetch('/api/v1/cluster', { headers: { ...(init.headers as Record<string, string>), accept: 'application/json' }, signal: init.signal ?? null, cache: 'no-store' });
  if (!response.ok) throw new NoLeader();
  const cluster = (await response.json()) as ClusterAnswer;
  if (!cluster.leader?.url) throw new NoLeader();
  return cluster.leader.url.replace(/\/+$/, '');
}

/** fetch(path, init) on this member, or on the leader when this member sends the request there. */
export async function fetchFromLeader(path: string, init: RequestInit = {}): Promise<Response> {
  const here = await fetch(path, { ...init, redirect: 'manual' });
  if (here.type !== 'opaqueredirect') return here;
  const leader = await leaderUrl(init);
  return fetch(`${leader}${path}`, { ...init, mode: 'cors', redirect: 'error' });
}
