/** `moroccron mesos-sim`: the in-repo fake Mesos master and agents, for demos, tests and benchmarks. */
import { credentialsProblem, type Credentials } from '../mesos/client/index.js';
import { startMesosSim } from '../mesos/sim/index.js';
import { CliError } from './client.js';
import { readSecretFile } from './mesos-credentials.js';

export const MESOS_SIM_FLAGS = {
  host: { type: 'string', default: '127.0.0.1', help: 'address to listen on' },
  port: { type: 'string', default: '5050', help: 'master port (0 picks a free one)' },
  agents: { type: 'string', default: '3', help: 'number of agents' },
  cpus: { type: 'string', default: '4', help: 'cpus per agent' },
  mem: { type: 'string', default: '8192', help: 'memory per agent, MiB' },
  gpus: { type: 'string', default: '0', help: 'gpus per agent (offered only to frameworks with GPU_RESOURCES)' },
  'work-dir': { type: 'string', help: 'where task sandboxes go (default: a temporary dir)' },
  'switch-user': { type: 'boolean', help: "the agents' --switch_user: tasks run as their CommandInfo.user, else the framework's user (needs root); a user the host lacks drops the task" },
  principal: { type: 'string', help: 'the master requires HTTP Basic credentials from schedulers (--authenticate_http_frameworks): this principal; needs --secret-file' },
  'secret-file': { type: 'string', help: "file holding --principal's secret (a trailing newline is ignored)" },
  authenticate: {
    type: 'string',
    help: "with --principal: frameworks (the default), or frameworks,readonly to require the credentials on /master/state and the agents' /files too",
  },
} as const;

type Flag = keyof typeof MESOS_SIM_FLAGS;

function number(flags: Partial<Record<Flag, string>>, flag: Flag, min: number): number {
  const raw = flags[flag] ?? (MESOS_SIM_FLAGS[flag] as { default?: string }).default;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new CliError(`--${flag} must be a number >= ${min}, not "${raw}"`);
  return n;
}

/** --principal, --secret-file and --authenticate: who may subscribe, and which endpoints ask. */
async function authentication(flags: Partial<Record<Flag, string>>): Promise<{ credentials?: Credentials[]; authenticateReadonly?: boolean }> {
  const { principal, authenticate } = flags;
  const secretFile = flags['secret-file'];
  if (principal === undefined && secretFile === undefined) {
    if (authenticate !== undefined) throw new CliError('--authenticate needs --principal NAME and --secret-file FILE');
    return {};
  }
  if (secretFile === undefined) throw new CliError('--principal needs --secret-file FILE, the file holding its secret');
  if (principal === undefined) throw new CliError('--secret-file needs --principal NAME, the principal the secret belongs to');
  const problem = credentialsProblem({ principal, secret: 'x' });
  if (problem) throw new CliError(`--principal: ${problem}`);
  const endpoints = new Set((authenticate ?? 'frameworks').split(',').map((e) => e.trim()));
  const known = endpoints.has('frameworks') && [...endpoints].every((e) => e === 'frameworks' || e === 'readonly');
  if (!known) throw new CliError(`--authenticate must be frameworks or frameworks,readonly, not "${authenticate}"`);
  return { credentials: [{ principal, secret: await readSecretFile('secret-file', secretFile) }], authenticateReadonly: endpoints.has('readonly') };
}

export async function mesosSim(flags: Partial<Record<Flag, string>>): Promise<void> {
  const auth = await authentication(flags);
  const sim = await startMesosSim({
    ...auth,
    host: flags.host ?? '127.0.0.1',
    port: number(flags, 'port', 0),
    agents: number(flags, 'agents', 1),
    cpus: number(flags, 'cpus', 0.1),
    mem: number(flags, 'mem', 32),
    gpus: number(flags, 'gpus', 0),
    ...(flags['work-dir'] ? { workDir: flags['work-dir'] } : {}),
    switchUser: flags['switch-user'] === 'true',
    logger: (line) => process.stdout.write(`${line}\n`),
  });
  const requires = auth.credentials ? ` (requiring the credentials of principal '${auth.credentials[0]!.principal}'${auth.authenticateReadonly ? ', read-only endpoints too' : ''})` : '';
  process.stdout.write(`mesos-sim master on ${sim.url} with ${number(flags, 'agents', 1)} agents${requires}\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
