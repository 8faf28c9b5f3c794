/**
 * The machine's own limit, to put beside the launcher's figures: how many `/bin/sh -c true`
 * a fresh, small Node process spawns and reaps per second (a fixed number in flight), and
 * the same from one holding a large heap, since fork costs more the more memory the
 * parent has mapped.
 */
import { spawn } from 'node:child_process';

export interface SpawnLimit {
  ballastMiB: number;
  inFlight: number;
  spawned: number;
  seconds: number;
  perSecond: number;
  rssMiB: number;
}

// Run as `node -e` (CommonJS): touch the ballast so it is resident, then keep `inFlight`
// shells going for `ms`, and report once the last one is reaped.
const PROBE = `
const { spawn } = require('node:child_process');
const [ballastMiB, inFlight, ms] = process.argv.slice(1).map(Number);
const ballast = Buffer.alloc(ballastMiB * 1024 * 1024, 1);
let spawned = 0, running = 0;
const began = performance.now();
const one = () => {
  if (performance.now() - began >= ms) {
    if (running === 0) {
      const seconds = (performance.now() - began) / 1000;
      console.log(JSON.stringify({ spawned, seconds, rssMiB: Math.round(process.memoryUsage().rss / 1048576), kept: ballast.length }));
    }
    return;
  }
  running++;
  spawn('/bin/sh', ['-c', 'true'], { stdio: 'ignore' }).once('exit', () => { running--; spawned++; one(); });
};
for (let i = 0; i < inFlight; i++) one();
`;

export async function spawnLimit(ballastMiB: number, inFlight = 32, ms = 2000): Promise<SpawnLimit> {
  const child = spawn(process.execPath, ['-e', PROBE, String(ballastMiB), String(inFlight), String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`spawn probe exited with ${code}`);
  const r = JSON.parse(out) as { spawned: number; seconds: number; rssMiB: number };
  return { ballastMiB, inFlight, spawned: r.spawned, seconds: Math.round(r.seconds * 100) / 100, perSecond: Math.round(r.spawned / r.seconds), rssMiB: r.rssMiB };
}
