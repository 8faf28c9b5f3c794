/** `moroccron mesos-sim`: the in-repo fake Mesos master and agents, for demos, tests and benchmarks. */
import { startMesosSim } from '../mesos/sim/index.js';
import { CliError } from './client.js';

export const MESOS_SIM_FLAGS = {
  host: { type: 'string', default: '127.0.0.1', help: 'address to listen on' },
  port: { type: 'string', default: '5050', help: 'master port (0 picks a free one)' },
  agents: { type: 'string', default: '3', help: 'number of agents' },
  cpus: { type: 'string', default: '4', help: 'cpus per agent' },
  mem: { type: 'string', default: '8192', help: 'memory per agent, MiB' },
  gpus: { type: 'string', default: '0', help: 'gpus per agent (offered only to frameworks with GPU_RESOURCES)' },
  'work-dir': { type: 'string', help: 'where task sandboxes go (default: a temporary dir)' },
} as const;

type Flag = keyof typeof MESOS_SIM_FLAGS;

function number(flags: Partial<Record<Flag, string>>, flag: Flag, min: number): number {
  const raw = flags[flag] ?? (MESOS_SIM_FLAGS[flag] as { default?: string }).default;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new CliError(`--${flag} must be a number >= ${min}, not "${raw}"`);
  return n;
}

export async function mesosSim(flags: Partial<Record<Flag, string>>): Promise<void> {
  const sim = await startMesosSim({
    host: flags.host ?? '127.0.0.1',
    port: number(flags, 'port', 0),
    agents: number(flags, 'agents', 1),
    cpus: number(flags, 'cpus', 0.1),
    mem: number(flags, 'mem', 32),
    gpus: number(flags, 'gpus', 0),
    ...(flags['work-dir'] ? { workDir: flags['work-dir'] } : {}),
    logger: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`mesos-sim master on ${sim.url} with ${number(flags, 'agents', 1)} agents\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
