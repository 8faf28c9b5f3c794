/** `moroccron mesos-sim`: the in-repo fake Mesos master and agents, for demos, tests and benchmarks. */
import { parseDuration } from '../core/duration.js';
import { credentialsProblem, type Credentials } from '../mesos/client/index.js';
import { startMesosSim, type MesosSimOptions } from '../mesos/sim/index.js';
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
  'task-mode': {
    type: 'string',
    default: 'process',
    help: 'process: run each task\'s command as a real process; simulated: run nothing, each task goes STARTING, RUNNING, then FINISHED after --task-duration (for load tests)',
  },
  'task-duration': { type: 'string', help: 'how long a simulated task runs, e.g. 1s or 250ms (default 1s; only with --task-mode simulated)' },
  'allocation-interval': { type: 'string', default: '1s', help: "the master's --allocation_interval: how often free resources are offered, e.g. 1s or 100ms" },
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

/** A duration flag in milliseconds (at least `minMs`), or a one-line error naming it. */
function duration(flag: Flag, raw: string, minMs: number): number {
  const parsed = parseDuration(/^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw);
  if (!parsed.ok || parsed.ms < minMs) throw new CliError(`--${flag} must be a duration of at least ${minMs} ms such as 1s or 250ms, not "${raw}"`);
  return parsed.ms;
}

/** --task-mode and --task-duration: real processes, or simulated tasks of a fixed duration. */
function taskMode(flags: Partial<Record<Flag, string>>): Pick<MesosSimOptions, 'taskMode' | 'taskDurationMs'> {
  const mode = flags['task-mode'] ?? 'process';
  const taskDuration = flags['task-duration'];
  if (mode !== 'process' && mode !== 'simulated') throw new CliError(`--task-mode must be process or simulated, not "${mode}"`);
  if (mode === 'process') {
    if (taskDuration !== undefined) throw new CliError('--task-duration needs --task-mode simulated (a real process runs as long as its command)');
    return { taskMode: 'process' };
  }
  if (flags['switch-user'] === 'true') throw new CliError('--switch-user does not go with --task-mode simulated: no command runs, as any user');
  return { taskMode: 'simulated', ...(taskDuration !== undefined ? { taskDurationMs: duration('task-duration', taskDuration, 0) } : {}) };
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
  const tasks = taskMode(flags);
  const allocationIntervalMs = duration('allocation-interval', flags['allocation-interval'] ?? '1s', 1);
  const auth = await authentication(flags);
  const sim = await startMesosSim({
    ...auth,
    ...tasks,
    allocationIntervalMs,
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
  const simulated = tasks.taskMode === 'simulated' ? `, simulated tasks of ${tasks.taskDurationMs ?? 1000} ms` : '';
  process.stdout.write(`mesos-sim master on ${sim.url} with ${number(flags, 'agents', 1)} agents${simulated}${requires}\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
