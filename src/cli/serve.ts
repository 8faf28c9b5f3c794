/**
 * `moroccron serve`. Every flag can also come from an environment variable
 * (MOROCCRON_DATA_DIR for --data-dir) or a --config YAML file (data-dir: ...);
 * flags win over the environment, which wins over the file.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../core/duration.js';
import { DEFAULT_REDACT_PATTERNS, parseRedactPatterns } from '../core/env-redaction.js';
import { DEFAULT_RATE_LIMIT, parseRateLimit } from '../api/rate-limit.js';
import { startServer } from '../app/start-server.js';
import { readJobFile, type WorkflowFile } from '../core/job-file.js';
import { CliError } from './client.js';
import { isolationSettings } from './isolation-flags.js';
import { runAsSetting } from './run-as-flag.js';
import { mesosCredentials } from './mesos-credentials.js';
import { serverTls } from './pem-files.js';

export const SERVE_FLAGS = {
  host: { type: 'string', default: '127.0.0.1', help: 'address to listen on' },
  port: { type: 'string', default: '8080', help: 'port to listen on' },
  'tls-cert': { type: 'string', help: 'serve HTTPS with this PEM certificate (its chain may follow it in the file); needs --tls-key' },
  'tls-key': { type: 'string', help: 'the PEM private key of --tls-cert (not encrypted)' },
  'data-dir': { type: 'string', default: './.moroccron', help: 'where the SQLite store, run dirs and logs live' },
  store: {
    type: 'string',
    help: 'store URL: sqlite:PATH (default: sqlite:<data-dir>/moroccron.db), postgres://..., zk://host:2181/path or etcd://host:2379/prefix',
  },
  'history-store': { type: 'string', help: 'with a zk:// or etcd:// store: sqlite:PATH or postgres://... keeping run history beyond their cap' },
  'leader-timeout': {
    type: 'string',
    default: '2s',
    help: 'with a shared store: how long a dead or frozen leader keeps leading (ZooKeeper session, etcd lease, PostgreSQL lease)',
  },
  backend: { type: 'string', default: 'local', help: 'local (this host runs the jobs) or mesos' },
  'mesos-master': { type: 'string', help: 'Mesos masters for --backend mesos: http://h1:5050,http://h2:5050 or zk://h1:2181,h2:2181/mesos' },
  'mesos-role': { type: 'string', default: '*', help: 'role the framework subscribes with' },
  'mesos-user': { type: 'string', help: 'the framework user: tasks of jobs that name no user run as it (default: the current user)' },
  'mesos-principal': { type: 'string', help: 'principal to authenticate as, for masters run with --authenticate_http_frameworks; needs --mesos-secret-file' },
  'mesos-secret-file': { type: 'string', help: "file holding --mesos-principal's secret (a trailing newline is ignored)" },
  'framework-name': { type: 'string', default: 'moroccron', help: 'Mesos framework name' },
  'failover-timeout': { type: 'string', default: '1w', help: 'how long Mesos keeps tasks while the framework is away' },
  auth: {
    type: 'string',
    help: '"tokens": every request needs an API token (moroccron token create); "none": serve beyond loopback without authentication (behind your own proxy). Default: none checked, loopback only',
  },
  'metrics-open': { type: 'boolean', help: 'with --auth tokens: serve /metrics without a token (for a scraper on a trusted network)' },
  cpus: { type: 'string', help: 'CPUs the local backend offers (default: all)' },
  mem: { type: 'string', help: 'memory in MiB the local backend offers (default: all)' },
  attributes: { type: 'string', help: 'local backend: this host\'s attributes for job constraints, k=v,k2=v2 (hostname is always one)' },
  'max-log-size': { type: 'string', default: '64MiB', help: 'local backend: each run\'s stdout and stderr are cut here, the rest discarded and marked (0: no limit)' },
  'run-as': { type: 'string', help: 'local backend, server running as root: the user jobs that name no user run as (default: root)' },
  isolation: { type: 'string', help: 'local backend: cgroups (each run in its own, held to its memory, CPU and pids) or none (resources only counted); default: cgroups where the host has them' },
  'container-runtime': { type: 'string', help: 'local backend: what runs jobs\' container.image: podman, docker, none, or auto (the default: the first of podman and docker that answers)' },
  'pids-limit': { type: 'string', help: 'local backend with cgroups: the most processes and threads a run may have, unless its job says (resources.pids); default 4096' },
  'unreachable-timeout': {
    type: 'string',
    default: '5m',
    help: 'Mesos: how long a run may sit on an unreachable agent before it counts as lost (and is retried)',
  },
  'misfire-threshold': { type: 'string', default: '5s', help: 'lateness up to which an occurrence is on time' },
  'prune-interval': { type: 'string', default: '1m', help: "how often finished runs beyond each job's history limit are removed" },
  'history-keep': { type: 'string', default: '1000', help: 'finished runs kept per job unless the job says otherwise' },
  'history-max-age': { type: 'string', default: '30d', help: 'finished runs older than this are removed unless the job says otherwise' },
  seed: { type: 'string', help: 'job file applied on first start (empty store)' },
  'smtp-url': { type: 'string', help: 'where e-mail notices go: smtp://host:25 or smtps://user:password@host:465' },
  'mail-from': { type: 'string', default: 'moroccron@localhost', help: 'the From of e-mail notices' },
  'pagerduty-url': { type: 'string', help: 'PagerDuty Events API v2 endpoint (default: PagerDuty\'s own)' },
  'ui-url': { type: 'string', help: 'base URL of this server as people reach it, for links in notices (e.g. https://cron.example.com)' },
  redact: {
    type: 'string',
    default: DEFAULT_REDACT_PATTERNS.join(','),
    help: 'env values whose names match are shown as *** wherever a job leaves the server (runs still get them): glob patterns, comma-separated, case-insensitive, * for any run of characters; "" shows every value',
  },
  'rate-limit': { type: 'string', default: DEFAULT_RATE_LIMIT, help: 'requests each API token (or address, without one) may make per window, e.g. 600/1m; 0: no limit' },
  'log-level': { type: 'string', default: 'info', help: 'fatal, error, warn, info, debug' },
  config: { type: 'string', help: 'YAML file with any of these settings' },
} as const;

type Flag = keyof typeof SERVE_FLAGS;

export function resolveServeSettings(flags: Partial<Record<Flag, string>>, env: NodeJS.ProcessEnv): Record<Flag, string | undefined> {
  const configPath = flags.config ?? env.MOROCCRON_CONFIG;
  const file = configPath ? readConfig(configPath) : {};
  const settings = {} as Record<Flag, string | undefined>;
  for (const [flag, def] of Object.entries(SERVE_FLAGS) as [Flag, (typeof SERVE_FLAGS)[Flag]][]) {
    const envName = `MOROCCRON_${flag.toUpperCase().replace(/-/g, '_')}`;
    const fromFile = file[flag] ?? file[camel(flag)];
    settings[flag] = flags[flag] ?? env[envName] ?? (fromFile === undefined ? undefined : String(fromFile)) ?? ('default' in def ? def.default : undefined);
  }
  return settings;
}

function readConfig(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read config ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const value: unknown = parseYaml(text);
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new CliError(`config ${path} must be a YAML mapping`);
  const known = new Set(Object.keys(SERVE_FLAGS).flatMap((f) => [f, camel(f)]));
  const unknown = Object.keys(value).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new CliError(`config ${path}: unknown setting(s) ${unknown.join(', ')}`);
  return value as Record<string, unknown>;
}

const camel = (flag: string): string => flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** A boolean setting from a flag (`true`), the environment or a config file. */
function metricsOpen(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new CliError(`--metrics-open is true or false, not "${value}"`);
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function serve(flags: Partial<Record<Flag, string>>, version: string): Promise<void> {
  const s = resolveServeSettings(flags, process.env);
  const port = Number(s.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0-65535, not "${s.port}"`);
  if (s.backend !== 'local' && s.backend !== 'mesos') throw new CliError(`--backend must be local or mesos, not "${s.backend}"`);
  if (s.backend === 'mesos' && !s['mesos-master']) throw new CliError('--backend mesos needs --mesos-master http://host:5050[,...]');
  if (s.auth !== undefined && s.auth !== 'tokens' && s.auth !== 'none') throw new CliError(`--auth must be tokens or none, not "${s.auth}"`);
  if (!LOOPBACK.test(s.host!) && s.auth === undefined) {
    throw new CliError(
      `serving on ${s.host} would expose the API to the network without authentication; pass --auth tokens (and make a token: moroccron token create --role admin), bind to 127.0.0.1, or pass --auth none behind your own authenticating proxy`,
    );
  }
  const duration = (flag: 'misfire-threshold' | 'prune-interval' | 'history-max-age' | 'failover-timeout' | 'leader-timeout' | 'unreachable-timeout'): number => {
    const parsed = parseDuration(s[flag]!);
    if (!parsed.ok) throw new CliError(`--${flag}: ${parsed.message}`);
    return parsed.ms;
  };
  const leaderTimeoutMs = duration('leader-timeout');
  if (leaderTimeoutMs < 1000 || leaderTimeoutMs > 60_000) throw new CliError(`--leader-timeout must be between 1s and 60s, not "${s['leader-timeout']}"`);
  const keep = Number(s['history-keep']);
  if (!Number.isInteger(keep) || keep < 1) throw new CliError(`--history-keep must be a positive integer, not "${s['history-keep']}"`);
  const maxLogBytes = parseSize('max-log-size', s['max-log-size']!);
  const runAs = runAsSetting(s.backend!, s['run-as']);
  const isolation = isolationSettings(s.backend!, s.isolation, s['pids-limit'], s['container-runtime']);
  const tls = serverTls(s['tls-cert'], s['tls-key']);
  const rateLimit = parseRateLimit(s['rate-limit']!);
  if (!rateLimit.ok) throw new CliError(`--rate-limit ${rateLimit.message}`);
  const redaction = parseRedactPatterns(s.redact!);
  if (!redaction.ok) throw new CliError(`--redact: ${redaction.message}`);
  const attributes = s.attributes === undefined ? {} : parseAttributes(s.attributes);
  const resources: { cpus?: number; mem?: number } = {};
  for (const key of ['cpus', 'mem'] as const) {
    if (s[key] === undefined) continue;
    const n = Number(s[key]);
    if (!(n > 0)) throw new CliError(`--${key} must be a positive number, not "${s[key]}"`);
    resources[key] = n;
  }
  const seed = s.seed ? await readSeed(s.seed) : undefined;
  const mesosAuth = await mesosCredentials(s);
  const logger = pino({ level: s['log-level']!, base: { pid: process.pid } });
  if (s.auth === 'tokens' && !tls && !LOOPBACK.test(s.host!)) {
    logger.warn(`--auth tokens on ${s.host} without --tls-cert: tokens cross the network in clear text; serve HTTPS, or put a TLS proxy in front`);
  }
  exitOnUnexpectedErrors(logger);
  const dataDir = resolve(s['data-dir']!);
  const server = await startServer({
    host: s.host!,
    port,
    dataDir,
    ...(s.store ? { storeUrl: s.store } : {}),
    ...(s['history-store'] ? { historyStoreUrl: s['history-store'] } : {}),
    leaderTimeoutMs,
    auth: s.auth === 'tokens' ? 'tokens' : 'open',
    metricsOpen: metricsOpen(s['metrics-open']),
    ...(tls ? { tls } : {}),
    rateLimit: rateLimit.value,
    backend:
      s.backend === 'mesos'
        ? {
            kind: 'mesos',
            mesos: {
              masters: s['mesos-master']!,
              role: s['mesos-role']!,
              user: s['mesos-user'] ?? userInfo().username,
              frameworkName: s['framework-name']!,
              failoverTimeoutSeconds: Math.round(duration('failover-timeout') / 1000),
              ...(mesosAuth ? { credentials: mesosAuth } : {}),
            },
          }
        : { kind: 'local', dataDir, resources, attributes, maxLogBytes, ...isolation, ...(runAs !== undefined ? { runAs } : {}) },
    notices: {
      channels: {
        ...(s['smtp-url'] ? { smtpUrl: s['smtp-url'] } : {}),
        mailFrom: s['mail-from']!,
        ...(s['pagerduty-url'] ? { pagerdutyUrl: s['pagerduty-url'] } : {}),
      },
      ...(s['ui-url'] ? { uiUrl: s['ui-url'].replace(/\/+$/, '') } : {}),
    },
    scheduler: {
      emailConfigured: s['smtp-url'] !== undefined,
      misfireThresholdMs: duration('misfire-threshold'),
      housekeepingIntervalMs: Math.max(1000, duration('prune-interval')),
      defaultHistory: { keep, maxAgeMs: duration('history-max-age') },
      unreachableTimeoutMs: duration('unreachable-timeout'),
      envRedaction: redaction.value,
    },
    ...(seed ? { seed } : {}),
    version,
    logger,
  });
  const shutdown = (signal: string) => {
    logger.info(`${signal}: stopping; running jobs keep running and are re-attached on the next start`);
    // A store that does not answer must not keep the process from stopping.
    setTimeout(() => {
      logger.warn('shutdown took longer than 10 s; exiting anyway');
      process.exit(0);
    }, 10_000).unref();
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  const failure = await server.stopped;
  if (failure) {
    await server.close().catch(() => {});
    process.exit(1);
  }
}

/** The --seed file, read and validated before anything starts: a bad one is a one-line error naming the file and field. */
async function readSeed(path: string): Promise<{ source: string } & WorkflowFile> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`--seed ${path}: ${e.code ?? e.message}`);
  });
  const result = readJobFile(text, path);
  if (!result.ok) throw new CliError(`--seed ${result.errors[0]!.field}: ${result.errors[0]!.message}`);
  return { source: path, ...result.value };
}

/**
 * Crash-only: an error nobody handled leaves the scheduler in a state nobody knows, so the
 * process says what it was and exits non-zero; a supervisor restarts it or a standby takes
 * over, and the store brings back everything that was decided.
 */
function exitOnUnexpectedErrors(logger: Logger): void {
  const die = (what: string) => (error: unknown) => {
    logger.fatal({ err: error }, `${what}: ${error instanceof Error ? error.message : String(error)}; exiting so a restart or a standby takes over`);
    process.exit(70);
  };
  process.on('unhandledRejection', die('unhandled promise rejection'));
  process.on('uncaughtException', die('uncaught exception'));
}

/** "64MiB", "512KiB", "1GiB", "1048576" (bytes); KB/MB/GB mean the same binary units. */
function parseSize(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMG])i?B?)?\s*$/i.exec(text);
  if (!m) throw new CliError(`--${flag} must be a size such as 64MiB, 512KiB or 0, not "${text}"`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? '').toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.floor(Number(m[1]) * unit);
}

/** "rack=r1,zone=eu" */
function parseAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new CliError(`--attributes takes k=v pairs separated by commas, not "${pair}"`);
    attributes[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return attributes;
}
