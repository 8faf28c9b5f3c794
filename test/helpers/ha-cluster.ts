/**
 * Several `moroccron serve` processes sharing one store, and the failover scenario every
 * shared store must survive: a job every second with misfire run-all, the leader killed
 * again and again, then every second of the window checked for exactly one run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, eventually, sleep, startServerProcess, type ServerProcess } from './server-process.js';

interface ClusterJson {
  self: { id: string; url: string };
  isLeader: boolean;
  leader: { id: string; url: string } | null;
  epoch: number | null;
}

interface RunJson {
  job: string;
  status: string;
  trigger: string;
  scheduledAt: string;
  finishedAt: string | null;
  reason: string | null;
}

export class HaCluster {
  readonly members: ServerProcess[] = [];

  constructor(
    private readonly storeUrl: string,
    private readonly dataDir: string,
    /** More `serve` flags for every member (e.g. the Mesos backend). */
    private readonly extraArgs: string[] = [],
    /** With `--auth tokens`: the token the cluster's own checks (who leads) send. */
    private readonly token?: string,
  ) {}

  async start(count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.members.push(await this.spawn());
  }

  spawn(): Promise<ServerProcess> {
    return startServerProcess(this.dataDir, ['--store', this.storeUrl, ...this.extraArgs]);
  }

  /** The member that says it leads, once exactly one does. */
  async leader(timeoutMs = 10_000): Promise<ServerProcess> {
    return eventually(
      async () => {
        const leaders: ServerProcess[] = [];
        for (const m of this.members) {
          const c = await clusterOf(m, this.token).catch(() => null);
          if (c?.isLeader) leaders.push(m);
        }
        return leaders.length === 1 ? leaders[0] : undefined;
      },
      timeoutMs,
      'exactly one leader',
    );
  }

  /** SIGKILL the leader; returns how long until another member led. */
  async killLeader(): Promise<number> {
    const leader = await this.leader();
    const killedAt = Date.now();
    await leader.kill();
    this.members.splice(this.members.indexOf(leader), 1);
    await this.leader(15_000);
    const takeoverMs = Date.now() - killedAt;
    this.members.push(await this.spawn());
    return takeoverMs;
  }

  async stop(): Promise<void> {
    for (const m of this.members) await m.stop().catch(() => {});
    this.members.length = 0;
  }
}

export const clusterOf = async (m: ServerProcess, token?: string): Promise<ClusterJson> => {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const response = await fetch(`${m.url}/api/v1/cluster`, { headers, signal: AbortSignal.timeout(2000) });
  return (await response.json()) as ClusterJson;
};

/** Create the per-second ledger job through any member (a standby redirects the write). */
export async function createLedgerJob(member: ServerProcess, ledger: string): Promise<void> {
  const job = {
    name: 'every-second',
    schedule: '* * * * * *',
    command: `echo "$MOROCCRON_SCHEDULED_AT" >> ${ledger}`,
    concurrency: 'allow',
    misfire: { policy: 'run-all', window: '1m' },
    resources: { cpus: 0.01, mem: 1 },
    history: { keep: 10_000 },
  };
  const created = await api(`${member.url}/api/v1/jobs`, 'POST', job);
  assert.ok(created.status === 201 || created.status === 200, JSON.stringify(created.body));
}

/** Pause the job, wait for its runs to finish, and check every second has exactly one run and one execution. */
export async function assertExactlyOncePerSecond(cluster: HaCluster, ledger: string): Promise<number> {
  const leader = await cluster.leader();
  assert.equal((await api(`${leader.url}/api/v1/jobs/every-second/pause`, 'POST')).status, 200);
  const runs = await eventually(
    async () => {
      const page = await api<{ runs: RunJson[] }>(`${leader.url}/api/v1/jobs/every-second/runs?limit=1000`);
      return page.body.runs.every((r) => r.finishedAt) ? page.body.runs : undefined;
    },
    20_000,
    'every run to finish',
  );
  const scheduled = runs.filter((r) => r.trigger === 'schedule');
  const times = scheduled.map((r) => Date.parse(r.scheduledAt)).sort((a, b) => a - b);
  assert.equal(new Set(times).size, times.length, 'two runs share a second');
  const expected = (times[times.length - 1]! - times[0]!) / 1000 + 1;
  assert.equal(times.length, expected, `${times.length} runs for ${expected} seconds: some second has no run`);
  for (const r of scheduled) assert.equal(r.status, 'succeeded', `${r.scheduledAt}: ${r.status} (${r.reason})`);
  const lines = readFileSync(ledger, 'utf8').trim().split('\n');
  assert.equal(new Set(lines).size, lines.length, 'an occurrence was executed twice');
  assert.equal(lines.length, scheduled.length);
  return times.length;
}

export const ledgerIn = (dir: string): string => join(dir, 'ledger');

/**
 * Three members, the ledger job, the leader SIGKILLed `kills` times (a member restarted
 * after each), then the exactly-once check. Returns the takeover times (sorted) and the
 * number of seconds checked.
 */
export async function killLeaderRepeatedly(storeUrl: string, dir: string, kills: number): Promise<{ takeoversMs: number[]; seconds: number }> {
  const cluster = new HaCluster(storeUrl, dir);
  try {
    await cluster.start(3);
    await createLedgerJob(cluster.members[0]!, ledgerIn(dir));
    const takeoversMs: number[] = [];
    for (let i = 0; i < kills; i++) {
      await sleep(1500);
      takeoversMs.push(await cluster.killLeader());
    }
    await sleep(1500);
    const seconds = await assertExactlyOncePerSecond(cluster, ledgerIn(dir));
    return { takeoversMs: takeoversMs.sort((a, b) => a - b), seconds };
  } finally {
    await cluster.stop();
  }
}
export { sleep };
