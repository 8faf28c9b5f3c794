/**
 * A throwaway PostgreSQL 15 from Debian's postgresql package, on a free loopback port with
 * a temporary data dir. Without the package, tests that need it skip locally and fail
 * under CI=true (CI installs it).
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './server-process.js';
import { freePort } from './free-port.js';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** Stop the server (fast shutdown: connections are cut) and start it again on the same data dir. */
  restart(downMs?: number): Promise<void>;
  /** Stop the server (fast shutdown) until up() starts it again on the same data dir. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** Why PostgreSQL tests cannot run here, or null when they can. Under CI a missing server is an error. */
export function postgresUnavailable(): string | null {
  if (existsSync(join(PG_BIN, 'initdb'))) return null;
  const why = `PostgreSQL 15 is not installed (${PG_BIN}/initdb); apt-get install postgresql`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

/** Run a PostgreSQL tool as the postgres user (initdb refuses to run as root). */
async function asPostgres(tool: string, args: string[]): Promise<void> {
  const command = [join(PG_BIN, tool), ...args];
  const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  try {
    if (process.getuid?.() === 0) await run('su', ['postgres', '-c', quoted], { timeout: 60_000 });
    else await run(command[0]!, command.slice(1), { timeout: 60_000 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${tool} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

export async function startPostgres(): Promise<PostgresServer> {
  const dir = tempDir('moroccron-pg-');
  chmodSync(dir.path, 0o755);
  const home = join(dir.path, 'pg');
  mkdirSync(home);
  if (process.getuid?.() === 0) {
    const { uid, gid } = await postgresIds();
    chownSync(home, uid, gid);
  }
  const data = join(home, 'data');
  const port = await freePort();
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const log = join(home, 'log');
  const start = () =>
    asPostgres('pg_ctl', ['-D', data, '-l', log, '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${home} -c fsync=off`, '-w', 'start']).catch((error: Error) => {
      // pg_ctl says only "could not start server": the reason is in the server's log.
      const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
      throw new Error(`${error.message}\nthe server's log ends:\n${tail}`);
    });
  const stop = (mode: string) => asPostgres('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: async (downMs = 0) => {
      await stop('fast');
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    down: () => stop('fast'),
    up: start,
    stop: async () => {
      await stop('immediate').catch(() => {});
      dir.remove();
    },
  };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['postgres']);
  const uid = /uid=(\d+)/.exec(stdout);
  const gid = /gid=(\d+)/.exec(stdout);
  if (!uid || !gid) throw new Error(`no postgres user: ${stdout}`);
  return { uid: Number(uid[1]), gid: Number(gid[1]) };
}
