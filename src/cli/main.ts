#!/usr/bin/env node
/** The `moroccron` command: `serve`, and client verbs against a running server. */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../core/duration.js';
import { Client, CliError, DEFAULT_TIMEOUT_MS } from './client.js';
import { MESOS_SIM_FLAGS, mesosSim } from './mesos-sim.js';
import { readCaBundle } from './pem-files.js';
import { SERVE_FLAGS, serve } from './serve.js';
import * as verbs from './verbs.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const CLIENT_FLAGS = {
  server: { type: 'string' },
  timeout: { type: 'string' },
  ca: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

const USAGE = `moroccron ${VERSION}: a distributed cron and batch-job scheduler

Usage:
  moroccron serve [flags]             run the scheduler (moroccron serve --help)
  moroccron apply -f <file> [-f ...]  create or update the jobs in YAML/JSON files
  moroccron import chronos -f <file> | --from <url> [--apply]
                                      Chronos jobs (a JSON file, - for stdin, or a server's
                                      /v1/scheduler/jobs) as job files on stdout, or applied
  moroccron jobs [--search words] [--state failing|running|paused|active] [--owner NAME]
                [--label key=value] [--sort name|next] [--limit N]
                                      list jobs (the server filters; --limit shows the first N)
  moroccron get <job>                 show a job (YAML; --json for JSON)
  moroccron delete <job> [--force]    delete a job and its history (--force: also when others depend on it)
  moroccron run <job>                 run a job now
  moroccron pause <job> | resume <job>
  moroccron runs <job> [--status failed,lost] [--limit 20]
  moroccron logs <run> [--stderr] [--follow]
  moroccron kill <run>
  moroccron graph <job>               its ancestors and descendants, each with its state
  moroccron owners                    list owners (kind: owner documents in job files)
  moroccron owner get|delete|test <name>   show, delete, or send a test notice on every channel
  moroccron token create --role viewer|operator|admin [--owner NAME ...] [--name TEXT] [--expires 90d]
  moroccron token list | revoke <id>  API tokens; with --store URL or --data-dir DIR on the store
                                      itself, no server needed (how the first admin token is made)
  moroccron agents                    agents and their resources
  moroccron blacklist <agent> [--reason text] | unblacklist <agent>
  moroccron mesos-sim [--port 5050 --agents 3 --cpus 4 --mem 8192]   a fake Mesos master with agents
  moroccron version

Client flags: --server URL (or MOROCCRON_SERVER; default http://127.0.0.1:8080), --json,
--timeout 30s (or MOROCCRON_TIMEOUT: how long each request may take; logs --follow polls on),
--ca FILE (or MOROCCRON_CA: PEM certificates to trust, besides the system's, for an https server).
API token from MOROCCRON_TOKEN.`;

/** A boolean flag takes no value and reads as "true" (so the environment and config files can set it too). */
type FlagTable = Record<string, { type: 'string' | 'boolean'; help: string; default?: string }>;

function flagUsage(verb: string, flags: FlagTable, footer = ''): string {
  const width = Math.max(18, ...Object.keys(flags).map((flag) => flag.length));
  const lines = Object.entries(flags).map(([flag, def]) => `  --${flag.padEnd(width)} ${def.help}${def.default !== undefined ? ` (default ${def.default})` : ''}`);
  return `moroccron ${verb} [flags]\n\n${lines.join('\n')}${footer}`;
}

/** Parse a command's flags (as strings), answering --help with their table. */
function stringFlags(verb: string, args: string[], flags: FlagTable, footer = ''): Record<string, string> | null {
  if (args.includes('--help')) {
    process.stdout.write(`${flagUsage(verb, flags, footer)}\n`);
    return null;
  }
  const options = Object.fromEntries(Object.entries(flags).map(([k, def]) => [k, { type: def.type }]));
  const { values, positionals } = parse(args, options);
  if (positionals.length > 0) throw new CliError(`${verb} takes no arguments, got "${positionals[0]}"`);
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  return parseArgs({ args: negativeNumbersAttached(args, options), options, allowPositionals: true, strict: true });
}

/**
 * parseArgs calls `--limit -1` ambiguous (the value starts with "-"). No flag starts with a
 * digit, so a string flag followed by "-<digit>" gets it as its value, and the flag's own
 * check says what is wrong with it.
 */
function negativeNumbersAttached(args: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return [...out, ...args.slice(i)];
    const long = arg.startsWith('--') ? options[arg.slice(2)] : undefined;
    const short = /^-\w$/.test(arg) ? Object.values(options).find((o) => o.short === arg[1]) : undefined;
    const value = args[i + 1];
    if ((long ?? short)?.type === 'string' && value !== undefined && /^-\.?\d/.test(value)) {
      out.push(long ? `${arg}=${value}` : `${arg}${value}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** --timeout, else MOROCCRON_TIMEOUT, else 30 s. */
function requestTimeoutMs(flag: string | undefined): number {
  const [source, text] = flag !== undefined ? ['--timeout', flag] : ['MOROCCRON_TIMEOUT', process.env.MOROCCRON_TIMEOUT];
  if (text === undefined || text === '') return DEFAULT_TIMEOUT_MS;
  const parsed = parseDuration(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  if (!parsed.ok || parsed.ms < 1) throw new CliError(`${source} must be a duration such as 30s or 2m, not "${text}"`);
  return parsed.ms;
}

/** --ca, else MOROCCRON_CA, else the system's CAs alone. */
function trustedCa(flag: string | undefined): string | undefined {
  if (flag === '') throw new CliError('--ca needs a PEM file: the CA certificate(s) that signed the server\'s');
  const [source, path] = flag !== undefined ? ['--ca', flag] : ['MOROCCRON_CA', process.env.MOROCCRON_CA];
  return path === undefined || path === '' ? undefined : readCaBundle(source, path);
}

function positional(positionals: string[], what: string, verb: string): string {
  const value = positionals[0];
  if (!value) throw new CliError(`${verb} needs a ${what}: moroccron ${verb} <${what}>`);
  if (positionals.length > 1) throw new CliError(`${verb} takes one ${what}, got ${positionals.length}`);
  return value;
}

const IMPORT_USAGE = 'moroccron import chronos -f <file> | --from <url> [--apply]';

/** `import chronos` reads one source: a file (- for standard input) or a URL. */
function importSource(positionals: string[], file: string | undefined, from: string | undefined): verbs.ImportSource {
  if (positionals[0] !== 'chronos' || positionals.length > 1) throw new CliError(`import takes the system to import from, chronos: ${IMPORT_USAGE}`);
  if (file !== undefined && from !== undefined) throw new CliError(`import reads -f or --from, not both: ${IMPORT_USAGE}`);
  if (file !== undefined) return { file };
  if (from !== undefined) return { url: from };
  throw new CliError(`import needs -f <file> or --from <url>: ${IMPORT_USAGE}`);
}

async function main(argv: string[]): Promise<void> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (verb === 'version' || verb === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  if (verb === 'serve') {
    const footer = '\n\nEach flag can also be set as MOROCCRON_<FLAG> (e.g. MOROCCRON_DATA_DIR) or in the --config file.';
    const values = stringFlags(verb, rest, SERVE_FLAGS, footer);
    if (values) await serve(values, VERSION);
    return;
  }
  if (verb === 'mesos-sim') {
    const values = stringFlags(verb, rest, MESOS_SIM_FLAGS);
    if (values) await mesosSim(values);
    return;
  }

  const extra = {
    apply: { file: { type: 'string', short: 'f', multiple: true } },
    import: { file: { type: 'string', short: 'f' }, from: { type: 'string' }, apply: { type: 'boolean', default: false } },
    runs: { status: { type: 'string' }, limit: { type: 'string', default: '20' } },
    jobs: { search: { type: 'string' }, state: { type: 'string' }, owner: { type: 'string' }, label: { type: 'string' }, sort: { type: 'string' }, limit: { type: 'string' } },
    logs: { stderr: { type: 'boolean', default: false }, follow: { type: 'boolean', short: 'f', default: false } },
    blacklist: { reason: { type: 'string' } },
    delete: { force: { type: 'boolean', default: false } },
    token: {
      role: { type: 'string' },
      owner: { type: 'string', multiple: true },
      name: { type: 'string' },
      expires: { type: 'string' },
      store: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  } as const;
  const { values, positionals } = parse(rest, { ...CLIENT_FLAGS, ...(extra[verb as keyof typeof extra] ?? {}) });
  const client = new Client({
    server: values.server ?? process.env.MOROCCRON_SERVER ?? 'http://127.0.0.1:8080',
    token: process.env.MOROCCRON_TOKEN,
    timeoutMs: requestTimeoutMs(values.timeout),
    ca: trustedCa(values.ca),
  });
  const ctx: verbs.VerbContext = { client, json: values.json, out: (text) => process.stdout.write(`${text}\n`) };
  const v = values as Record<string, unknown>;

  switch (verb) {
    case 'apply':
      if (positionals.length > 0) throw new CliError(`apply reads files given with -f, not "${positionals[0]}"`);
      return verbs.apply(ctx, (v.file as string[] | undefined) ?? []);
    case 'import':
      return verbs.importChronos(
        { ...ctx, err: (text) => process.stderr.write(`${text}\n`) },
        { source: importSource(positionals, v.file as string | undefined, v.from as string | undefined), apply: Boolean(v.apply), timeoutMs: requestTimeoutMs(values.timeout) },
      );
    case 'jobs':
      return verbs.listJobs(ctx, { q: v.search, state: v.state, owner: v.owner, label: v.label, sort: v.sort, limit: v.limit } as Record<string, string | undefined>);
    case 'get':
      return verbs.getJob(ctx, positional(positionals, 'job', verb));
    case 'delete':
    case 'pause':
    case 'resume':
      return verbs.jobAction(ctx, verb, positional(positionals, 'job', verb), Boolean(v.force));
    case 'graph':
      return verbs.graph(ctx, positional(positionals, 'job', verb));
    case 'owners':
      return verbs.listOwners(ctx);
    case 'owner':
      if (positionals.length > 2) throw new CliError(`owner takes an action and one name, got ${positionals.length} arguments`);
      return verbs.owner(ctx, positionals[0], positionals[1]);
    case 'run':
      return verbs.runJob(ctx, positional(positionals, 'job', verb));
    case 'runs': {
      const limit = Number(v.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError(`--limit must be 1-1000, not "${String(v.limit)}"`);
      return verbs.listRuns(ctx, positional(positionals, 'job', verb), { status: v.status as string | undefined, limit });
    }
    case 'logs':
      return verbs.logs({ ...ctx, write: (chunk) => process.stdout.write(chunk) }, positional(positionals, 'run', verb), {
        stream: v.stderr ? 'stderr' : 'stdout',
        follow: Boolean(v.follow),
      });
    case 'kill':
      return verbs.killRun(ctx, positional(positionals, 'run', verb));
    case 'agents':
      return verbs.listAgents(ctx);
    case 'token':
      return verbs.token({ ...ctx, err: (text) => process.stderr.write(`${text}\n`) }, positionals, {
        role: v.role as string | undefined,
        owner: v.owner as string[] | undefined,
        name: v.name as string | undefined,
        expires: v.expires as string | undefined,
        store: v.store as string | undefined,
        dataDir: v['data-dir'] as string | undefined,
      });
    case 'blacklist':
    case 'unblacklist':
      return verbs.blacklist(ctx, verb, positional(positionals, 'agent', verb), v.reason as string | undefined);
    default:
      throw new CliError(`unknown command "${verb}" (moroccron help lists them)`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ?? false;
  const detail = process.env.MOROCCRON_DEBUG ? ((error as Error).stack ?? String(error)) : String((error as Error).message ?? error).split('\n')[0];
  process.stderr.write(`moroccron: ${detail}\n`);
  process.exit(error instanceof CliError ? error.exitCode : usage ? 2 : 1);
});
