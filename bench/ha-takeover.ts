/**
 * Takeover time on each shared store: three `moroccron serve` processes, a job every
 * second, the leader SIGKILLed N times; the time from the kill until another member leads,
 * and at the end every second checked for exactly one run. Prints JSON (a table with
 * --table); never asserts beyond the exactly-once check the scenario needs anyway.
 *   node --import tsx bench/ha-takeover.ts [--stores etcd,zookeeper,postgres] [--kills 25] [--table]
 */
import { parseArgs } from 'node:util';
import { killLeaderRepeatedly } from '../test/helpers/ha-cluster.js';
import { tempDir } from '../test/helpers/server-process.js';
import { startEtcd } from '../test/helpers/etcd.js';
import { startZooKeeper } from '../test/helpers/zookeeper.js';

const { values } = parseArgs({
  options: { stores: { type: 'string', default: 'etcd,zookeeper,postgres' }, kills: { type: 'string', default: '25' }, table: { type: 'boolean', default: false } },
});
const kills = Number(values.kills);

async function storeServer(kind: string): Promise<{ url: string; stop: () => Promise<void> }> {
  switch (kind) {
    case 'etcd': {
      const etcd = await startEtcd();
      // Every run of the ledger job stays listed (the default keeps 100 per job): the check compares all of them with the ledger.
      return { url: `etcd://${etcd.hostPort}/bench?history=1000`, stop: () => etcd.stop() };
    }
    case 'zookeeper': {
      const zk = await startZooKeeper();
      return { url: `zk://${zk.connectString}/bench?history=1000`, stop: () => zk.stop() };
    }
    case 'postgres': {
      const { startPostgres } = await import('../test/helpers/postgres.js');
      const pg = await startPostgres();
      return { url: pg.url, stop: () => pg.stop() };
    }
    default:
      throw new Error(`unknown store ${kind}`);
  }
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const rows = [];
for (const kind of values.stores.split(',')) {
  const server = await storeServer(kind);
  const dir = tempDir('moroccron-ha-bench-');
  try {
    const { takeoversMs: sorted, seconds } = await killLeaderRepeatedly(server.url, dir.path, kills);
    rows.push({ store: kind, kills, secondsChecked: seconds, duplicates: 0, missing: 0, takeoverMs: { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] }, allMs: sorted });
  } finally {
    await server.stop();
    dir.remove();
  }
}
console.log(JSON.stringify({ benchmark: 'ha-takeover', node: process.version, when: new Date().toISOString(), rows }, null, 2));
if (values.table) {
  console.error('\n| store | leader kills | seconds checked | duplicates | missing | takeover p50 | p90 | p99 (target ≤ 3 s) | max |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.error(`| ${r.store} | ${r.kills} | ${r.secondsChecked} | 0 | 0 | ${r.takeoverMs.p50} ms | ${r.takeoverMs.p90} ms | ${r.takeoverMs.p99} ms | ${r.takeoverMs.max} ms |`);
}
