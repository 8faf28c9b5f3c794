/**
 * A throwaway etcd server from Debian's etcd-server package, on free loopback ports with a
 * temporary data dir. Without the package, tests that need it skip locally and fail under
 * CI=true (CI installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './server-process.js';
import { freePort } from './free-port.js';

const ETCD_BIN = '/usr/bin/etcd';

export interface EtcdServer {
  /** "127.0.0.1:port", for etcd:// URLs. */
  hostPort: string;
  /** Kill the process, keeping the data dir, and start it again on the same ports. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Why etcd tests cannot run here, or null when they can. Under CI a missing server is an error. */
export function etcdUnavailable(): string | null {
  if (existsSync(ETCD_BIN)) return null;
  const why = `etcd is not installed (${ETCD_BIN}); apt-get install etcd-server`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string | boolean };
    return String(body.health) === 'true';
  } catch {
    return false;
  }
}

export async function startEtcd(): Promise<EtcdServer> {
  const dir = tempDir('moroccron-etcd-');
  const [port, peer] = [await freePort(), await freePort()];
  const client = `http://127.0.0.1:${port}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const args = [
    '--name', 't', '--data-dir', join(dir.path, 'etcd'),
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `t=${peerUrl}`, '--log-level', 'error',
  ];
  let child: ChildProcess | null = null;
  let output = '';

  const launch = async () => {
    const proc = spawn(ETCD_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child = proc;
    const deadline = Date.now() + 20_000;
    while (!(await healthy(port))) {
      if (proc.exitCode !== null) throw new Error(`etcd exited with ${proc.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`etcd on ${port} not healthy in 20 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const kill = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };

  await launch();
  return {
    hostPort: `127.0.0.1:${port}`,
    restart: async (downMs = 0) => {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    stop: async () => {
      await kill();
      dir.remove();
    },
  };
}
