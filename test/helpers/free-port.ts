/**
 * A loopback port for a server a test starts (PostgreSQL, ZooKeeper, etcd), chosen at random
 * below the kernel's ephemeral range. Test files run side by side, and a port taken from the
 * ephemeral range (listen on port 0) is free only until the next outgoing connection or
 * `listen(0)` anywhere on the host takes it: then the server, or its restart on the same port,
 * fails with "Address already in use". Below that range only servers that name their port
 * bind, so a port found free stays free but for the rare test that picks the same one.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10_000;

/** The first port of the kernel's ephemeral range (32768 by default). */
function ephemeralStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + 1000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

export async function freePort(): Promise<number> {
  const high = ephemeralStart();
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (high - LOWEST));
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port found between ${LOWEST} and ${high}`);
}
