/**
 * A throwaway ZooKeeper server from Debian's zookeeperd package, on a free loopback port
 * with a temporary data dir. Without the package, tests that need it skip locally and
 * fail under CI=true (CI installs it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { tempDir } from './server-process.js';

const ZK_BIN = '/usr/share/zookeeper/bin/zkServer.sh';

export interface ZooKeeperServer {
  connectString: string;
  stop(): Promise<void>;
  /** SIGKILL the server and start it again on the same port and data dir, after `downMs`. */
  restart(downMs?: number): Promise<void>;
}

/** Why ZooKeeper tests cannot run here, or null when they can. Under CI a missing server is an error. */
export function zooKeeperUnavailable(): string | null {
  if (existsSync(ZK_BIN)) return null;
  const why = `ZooKeeper is not installed (${ZK_BIN}); apt-get install zookeeperd`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
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
  const start = async (): Promise<void> => {
    const started = spawnSync(ZK_BIN, ['start', config], { env, encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`zkServer.sh start failed: ${started.stdout}${started.stderr}`);
    const deadline = Date.now() + 20_000;
    while ((await ask(port, 'ruok')) !== 'imok') {
      if (Date.now() > deadline) throw new Error(`ZooKeeper on ${port} not ready in 20 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const kill = (): void => {
    const pidFile = join(data, 'zookeeper_server.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  await start();
  return {
    connectString: `127.0.0.1:${port}`,
    stop: async () => {
      kill();
      dir.remove();
    },
    restart: async (downMs = 0) => {
      kill();
      while ((await ask(port, 'ruok')) === 'imok') await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, downMs));
      // Without a reaping init the killed JVM may linger as a zombie, which zkServer.sh would take for a running server.
      rmSync(join(data, 'zookeeper_server.pid'), { force: true });
      await start();
    },
  };
}

export interface ZooKeeperProxy {
  /** Connect here instead of the server. */
  connectString: string;
  /** Stop passing bytes without closing anything, as if the client were SIGSTOPped or partitioned. */
  freeze(): void;
  thaw(): void;
  /** Drop every connection and refuse new ones, as if the client were SIGKILLed. */
  cut(): void;
  close(): Promise<void>;
}

/** A TCP relay to a ZooKeeper server, to take one client's connection away in tests. */
export async function zooKeeperProxy(target: string): Promise<ZooKeeperProxy> {
  const [host = '127.0.0.1', port = '2181'] = target.split(':');
  const sockets = new Set<Socket>();
  const held: (() => void)[] = [];
  let frozen = false;
  // While frozen, bytes and closes are held back and delivered on thaw.
  const pass = (action: () => void): void => {
    if (frozen) held.push(action);
    else action();
  };
  const server = createServer((downstream) => {
    const upstream = connect(Number(port), host);
    for (const [from, to] of [
      [downstream, upstream],
      [upstream, downstream],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => pass(() => to.write(chunk)));
      from.on('close', () => {
        sockets.delete(from);
        pass(() => to.destroy());
      });
      from.on('error', () => {});
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: proxyPort } = server.address() as { port: number };
  return {
    connectString: `127.0.0.1:${proxyPort}`,
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const action of held.splice(0)) action();
    },
    cut: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
