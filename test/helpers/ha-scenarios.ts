/**
 * The high-availability acceptance scenarios, run against each shared store: repeated
 * SIGKILLs of the leader, a SIGSTOPped leader that comes back, and the store server
 * restarted under load. Each ends with every second of the window checked for exactly
 * one run (and one execution, from the jobs' own ledger).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BIN, api, eventually, sleep, tempDir } from './server-process.js';
import { HaCluster, assertExactlyOncePerSecond, clusterOf, createLedgerJob, killLeaderRepeatedly, ledgerIn } from './ha-cluster.js';

const exec = promisify(execFile);

export interface StoreServer {
  /** A store URL on this server, fresh (own prefix, path or schema) for each call. */
  freshUrl(name: string): string;
  /** Stop the store server for `downMs`, then start it again on the same data. */
  restart(downMs: number): Promise<void>;
}

export function haScenarios(kind: string, server: () => StoreServer, skip: string | null, kills = Number(process.env.MOROCCRON_HA_KILLS ?? 10)): void {
  const options = { skip: skip ?? false, timeout: 240_000 };

  test(`${kind}: the leader is SIGKILLed ${kills} times; every second has exactly one run`, options, async () => {
    const dir = tempDir();
    try {
      const { takeoversMs, seconds } = await killLeaderRepeatedly(server().freshUrl('kills'), dir.path, kills);
      console.log(`# ${kind}: ${kills} takeovers, median ${takeoversMs[Math.floor(kills / 2)]} ms, max ${takeoversMs[kills - 1]} ms; ${seconds} seconds checked`);
    } finally {
      dir.remove();
    }
  });

  test(`${kind}: a SIGSTOPped leader is replaced; after SIGCONT its writes are refused and it steps down`, options, async () => {
    const dir = tempDir();
    const cluster = new HaCluster(server().freshUrl('sigstop'), dir.path);
    try {
      await cluster.start(2);
      await createLedgerJob(cluster.members[0]!, ledgerIn(dir.path));
      await sleep(1500);
      const old = await cluster.leader();
      old.child.kill('SIGSTOP');
      const other = cluster.members.find((m) => m !== old)!;
      await eventually(async () => ((await clusterOf(other)).isLeader ? true : undefined), 15_000, 'the standby to take over');
      await sleep(2000);
      old.child.kill('SIGCONT');
      await eventually(async () => ((await clusterOf(old)).isLeader ? undefined : true), 15_000, 'the old leader to step down');
      assert.ok((await clusterOf(other)).isLeader, 'the new leader kept leading');
      assert.match(old.output(), /stepping down/);
      await sleep(1500);
      await assertExactlyOncePerSecond(cluster, ledgerIn(dir.path));
    } finally {
      await cluster.stop();
      dir.remove();
    }
  });

  test(`${kind}: the store server restarts under load; the leader steps down or recovers, nothing is lost`, options, async () => {
    const dir = tempDir();
    const cluster = new HaCluster(server().freshUrl('restart'), dir.path);
    try {
      await cluster.start(2);
      await createLedgerJob(cluster.members[0]!, ledgerIn(dir.path));
      await sleep(2000);
      const restarting = server().restart(2500);
      await sleep(1200);
      // While the store is away no member answers "internal error": reads and writes get 503 (store or leader
      // unavailable), 409 (stepping down), or succeed.
      for (const member of cluster.members) {
        const answers = [
          await api(`${member.url}/api/v1/jobs`, 'POST', { name: 'while-down', schedule: '@yearly', command: 'true' }),
          await api(`${member.url}/api/v1/jobs`),
          await api(`${member.url}/api/v1/runs?limit=5`),
          await api(`${member.url}/api/v1/cluster`),
        ];
        for (const answer of answers) assert.ok(answer.status < 500 || answer.status === 503, `while the store was down: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      await restarting;
      await cluster.leader(30_000);
      await sleep(3000);
      await assertExactlyOncePerSecond(cluster, ledgerIn(dir.path));
    } finally {
      await cluster.stop();
      dir.remove();
    }
  });

  test(`${kind}: a standby answers reads and redirects writes to the leader`, options, async () => {
    const dir = tempDir();
    const cluster = new HaCluster(server().freshUrl('standby'), dir.path);
    try {
      await cluster.start(2);
      const leader = await cluster.leader();
      const standby = cluster.members.find((m) => m !== leader)!;
      const view = await clusterOf(standby);
      assert.equal(view.isLeader, false);
      assert.equal(view.leader?.url, leader.url);
      const redirect = await fetch(`${standby.url}/api/v1/jobs`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(redirect.status, 307);
      assert.equal(redirect.headers.get('location'), `${leader.url}/api/v1/jobs`);
      // fetch follows the 307 with the body, as the CLI does.
      const created = await api(`${standby.url}/api/v1/jobs`, 'POST', { name: 'via-standby', schedule: '@hourly', command: 'true' });
      assert.equal(created.status, 201);
      const leadership = async (m: typeof leader) => /^moroccron_leader (\d)$/m.exec(await (await fetch(`${m.url}/metrics`)).text())?.[1];
      assert.deepEqual([await leadership(leader), await leadership(standby)], ['1', '0'], '/metrics says which member leads');
      const listed = await api<{ jobs: { name: string }[] }>(`${standby.url}/api/v1/jobs`);
      assert.deepEqual(listed.body.jobs.map((j) => j.name), ['via-standby'], 'the standby reads the shared store');
      // The CLI works against any member: reads answered there, writes followed to the leader.
      const env = { ...process.env, MOROCCRON_SERVER: standby.url };
      const run = await exec(process.execPath, [BIN, 'run', 'via-standby', '--json'], { env });
      const runId = (JSON.parse(run.stdout) as { id: string }).id;
      const runs = await exec(process.execPath, [BIN, 'runs', 'via-standby', '--json'], { env });
      assert.ok((JSON.parse(runs.stdout) as { runs: { id: string }[] }).runs.some((r) => r.id === runId));
    } finally {
      await cluster.stop();
      dir.remove();
    }
  });
}
