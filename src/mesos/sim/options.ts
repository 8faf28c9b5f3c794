import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Credentials } from '../client/credentials.js';
import { credentialTable, type CredentialTable } from './authentication.js';
import type { TaskMode } from './simulated-task.js';

export interface MesosSimOptions {
  host?: string;
  /** 0 = a free port. */
  port?: number;
  /** Default 3. */
  agents?: number;
  /** Per agent, default 4. */
  cpus?: number;
  /** MiB per agent, default 8192. */
  mem?: number;
  /** MiB per agent, default 20480. */
  disk?: number;
  /** Per agent (a number, or one per agent index), default 0 (no gpus resource). */
  gpus?: number | ((i: number) => number);
  /** Inclusive port range per agent, default [31000, 32000]. */
  ports?: [number, number];
  /** TEXT attributes of agent i; default rack r1/r2 alternating. */
  attributes?: (i: number) => Record<string, string>;
  /**
   * Agent i's --isolation and --containerizers, as its /flags shows them; default a real
   * agent's defaults, "posix/cpu,posix/mem" and "mesos". The sim enforces none of it.
   */
  agentFlags?: (i: number) => { isolation: string; containerizers: string };
  /** Sandboxes live here; default a temp dir removed by close(). */
  workDir?: string;
  /** Default 15. */
  heartbeatIntervalSeconds?: number;
  /** Default 1000. */
  allocationIntervalMs?: number;
  /** Unanswered offers are rescinded after this; default never. */
  offerTimeoutMs?: number;
  /** First re-send of an unacknowledged update, default 10000, doubling to 10 min. */
  reliableRetryMs?: number;
  /**
   * The agents' --switch_user: run each task as CommandInfo.user, else the framework's user,
   * and drop tasks whose user the host lacks. Default false (tasks run as the sim's own user),
   * so frameworks may name users this host does not have.
   */
  switchUser?: boolean;
  /**
   * 'process' (default): each task's command runs as a real process in a real sandbox.
   * 'simulated': no process and nothing on disk; a task reports TASK_STARTING and TASK_RUNNING at
   * once and TASK_FINISHED after `taskDurationMs` (TASK_KILLED at once on a kill), with the same
   * updates, acknowledgements, retries and reconciliation as a real task (simulated-task.ts).
   * Not with `switchUser`.
   */
  taskMode?: 'process' | 'simulated';
  /** How long a simulated task runs; default 1000. Only with taskMode 'simulated'. */
  taskDurationMs?: number;
  /**
   * The master runs with --authenticate_http_frameworks and these credentials: a scheduler
   * request without one of them gets 401, and a framework must use its principal.
   */
  credentials?: readonly Credentials[];
  /** Also --authenticate_http_readonly on the master (/master/state) and the agents (/files, /state). Needs `credentials`. */
  authenticateReadonly?: boolean;
  logger?: (line: string) => void;
}

/** Where a restarted master keeps its registry, which decides what it knows of the agents. */
export type MasterRegistry = 'replicated-log' | 'in-memory';

export interface RestartMasterOptions {
  /**
   * 'replicated-log' (default): the new master recovers the agents from its registry; until they
   * re-register, explicit reconciliation of unknown tasks on them gets no answer.
   * 'in-memory': the new master knows no agents (`recovered_slaves` empty, no offers from them);
   * reconciliation and KILL of their tasks answer TASK_UNKNOWN at once, and when each agent
   * re-registers the master reports every task of it ("Unknown agent reregistered").
   */
  registry?: MasterRegistry;
  /** How long the agents take to re-register; default 200 ms (a real one took 60-90 s in-memory, 8 s with ZooKeeper). */
  agentReregisterDelayMs?: number;
  /** The new master's credentials (a fixed or changed --credentials file); null turns authentication off. Default: unchanged. */
  credentials?: readonly Credentials[] | null;
}

export interface SimConfig {
  host: string;
  port: number;
  agents: number;
  cpus: number;
  mem: number;
  disk: number;
  gpus: (i: number) => number;
  ports: [number, number];
  attributes: (i: number) => Record<string, string>;
  agentFlags: (i: number) => { isolation: string; containerizers: string };
  workDir: string;
  ownsWorkDir: boolean;
  heartbeatIntervalSeconds: number;
  allocationIntervalMs: number;
  offerTimeoutMs: number | undefined;
  reliableRetryMs: number;
  switchUser: boolean;
  taskMode: TaskMode;
  /** Undefined: authentication is off. */
  credentials: CredentialTable | undefined;
  authenticateReadonly: boolean;
  log: (line: string) => void;
}

const DEFAULT_SIMULATED_TASK_MS = 1000;

function taskModeOf(options: MesosSimOptions): TaskMode {
  const { taskMode = 'process', taskDurationMs } = options;
  if (taskMode !== 'process' && taskMode !== 'simulated') throw new TypeError(`taskMode must be 'process' or 'simulated', not ${String(taskMode)}`);
  if (taskMode === 'process') {
    if (taskDurationMs !== undefined) throw new TypeError("taskDurationMs is only for taskMode 'simulated'");
    return { kind: 'process' };
  }
  if (options.switchUser) throw new TypeError("switchUser does not go with taskMode 'simulated': no command runs, as any user");
  const durationMs = taskDurationMs ?? DEFAULT_SIMULATED_TASK_MS;
  if (!Number.isFinite(durationMs) || durationMs < 0) throw new TypeError(`taskDurationMs must be a number of milliseconds >= 0, not ${durationMs}`);
  return { kind: 'simulated', durationMs };
}

export function resolveOptions(options: MesosSimOptions = {}): SimConfig {
  const ownsWorkDir = options.workDir === undefined;
  const gpus = options.gpus;
  if (options.authenticateReadonly && !options.credentials) throw new TypeError('authenticateReadonly needs credentials');
  const taskMode = taskModeOf(options);
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    agents: options.agents ?? 3,
    cpus: options.cpus ?? 4,
    mem: options.mem ?? 8192,
    disk: options.disk ?? 20480,
    gpus: typeof gpus === 'function' ? gpus : () => gpus ?? 0,
    ports: options.ports ?? [31000, 32000],
    attributes: options.attributes ?? ((i) => ({ rack: i % 2 === 0 ? 'r1' : 'r2' })),
    agentFlags: options.agentFlags ?? (() => ({ isolation: 'posix/cpu,posix/mem', containerizers: 'mesos' })),
    workDir: options.workDir ?? mkdtempSync(join(tmpdir(), 'mesos-sim-')),
    ownsWorkDir,
    heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? 15,
    allocationIntervalMs: options.allocationIntervalMs ?? 1000,
    offerTimeoutMs: options.offerTimeoutMs,
    reliableRetryMs: options.reliableRetryMs ?? 10_000,
    switchUser: options.switchUser ?? false,
    taskMode,
    credentials: options.credentials ? credentialTable(options.credentials) : undefined,
    authenticateReadonly: options.authenticateReadonly ?? false,
    log: options.logger ?? (() => {}),
  };
}
