/**
 * A throwaway ZooKeeper server from Debian's zookeeperd package, on a free loopback port
 * with a temporary data dir. Without the package, tests that need it skip locally and
 * fail under CI=true (CI installs it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './server-process.js';

const ZK_BIN = '/usr/share/zookeeper/bin/zkServer.sh';

export interface ZooKeeperServer {
  connectString: string;
  stop(): Promise<void>;
}

/** Why ZooKeeper tests cannot run here, or null when they can. Under CI a missing server is an error. */
export function zooKeeperUnavailable(): string | null {
  if (existsSync(ZK_BIN)) return null;
  const why = `ZooKeeper is not installed (${ZK_BIN}); apt-get install zookeeperd`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function ask(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('connect', () => socket.write(word));
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(''));
    socket.setTimeout(1000, () => socket.destroy());
  });
}

export async function startZooKeeper(): Promise<ZooKeeperServer> {
  const dir = tempDir('moroccron-zk-');
  const port = await freePort();
  const data = join(dir.path, 'zk');
  mkdirSync(data, { recursive: true });
  const config = join(dir.path, 'zoo.cfg');
  writeFileSync(
    config,
    [
      'tickTime=500',
      `dataDir=${data}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      'minSessionTimeout=1000',
      'maxSessionTimeout=20000',
      '4lw.commands.whitelist=ruok,srvr,stat',
    ].join('\n'),
  );
  const env = { ...process.env, ZOO_LOG_DIR: data };
  const started = spawnSync(ZK_BIN, ['start', config], { env, encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`zkServer.sh start failed: ${started.stdout}${started.stderr}`);
  const deadline = Date.now() + 20_000;
  while ((await ask(port, 'ruok')) !== 'imok') {
    if (Date.now() > deadline) throw new Error(`ZooKeeper on ${port} not ready in 20 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    connectString: `127.0.0.1:${port}`,
    stop: async () => {
      const pidFile = join(data, 'zookeeper_server.pid');
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      dir.remove();
    },
  };
}
