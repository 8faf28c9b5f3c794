/** The client verbs: each talks to a running server through its HTTP API. */
import { readFile } from 'node:fs/promises';
import { stringify as toYaml } from 'yaml';
import type { RunJson } from '../api/views.js';
import { CliError } from './client.js';
import { parseJobDocuments, splitKinds } from '../core/job-file.js';
import { shortTime, table } from './table.js';
import { print, type VerbContext } from './verb-context.js';

export { importChronos } from './import/import-chronos.js';
export { graph, listOwners, owner } from './owner-verbs.js';
export { token } from './token-verbs.js';
export type { ImportSource } from './import/source.js';
export type { VerbContext } from './verb-context.js';

type JobJson = { name: string; schedule?: string; timezone: string; paused: boolean; state: { nextRunAt: string | null; activeRuns: string[] } };


/** Owners (`kind: owner` documents) go first, since the jobs name them; then every job at once. */
export async function apply(ctx: VerbContext, files: string[]): Promise<void> {
  if (files.length === 0) throw new CliError('apply needs -f <file> (YAML or JSON; - for standard input)');
  const jobs: unknown[] = [];
  const owners: unknown[] = [];
  for (const file of files) {
    const text = file === '-' ? await readStdin() : await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${file}: ${e.code ?? e.message}`);
    });
    const result = parseJobDocuments(text, file === '-' ? '(stdin)' : file);
    if (!result.ok) throw new CliError(`${result.errors[0]!.field}: ${result.errors[0]!.message}`);
    const kinds = splitKinds(result.value);
    jobs.push(...kinds.jobs);
    owners.push(...kinds.owners);
  }
  if (jobs.length === 0 && owners.length === 0) throw new CliError(`no jobs in ${files.join(', ')}`);
  const applied = {
    owners: owners.length > 0 ? (await ctx.client.request<{ owners: { name: string }[] }>('POST', '/api/v1/owners', owners)).owners : [],
    jobs: jobs.length > 0 ? (await ctx.client.request<{ jobs: JobJson[] }>('POST', '/api/v1/jobs', jobs)).jobs : [],
  };
  print(ctx, applied, () =>
    [
      applied.owners.length > 0 ? `applied ${applied.owners.length} owner(s): ${applied.owners.map((o) => o.name).join(', ')}` : '',
      applied.jobs.length > 0 ? `applied ${applied.jobs.length} job(s): ${applied.jobs.map((j) => j.name).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
}

/** Jobs, filtered and ordered by the server (GET /api/v1/jobs's query: q, state, owner, label, sort, limit). */
export async function listJobs(ctx: VerbContext, query: Record<string, string | undefined> = {}): Promise<void> {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
  const result = await ctx.client.request<{ jobs: JobJson[]; total: number }>('GET', `/api/v1/jobs${params.size > 0 ? `?${params}` : ''}`);
  print(ctx, result, () => {
    const rows = table(
      ['NAME', 'SCHEDULE', 'TIMEZONE', 'NEXT RUN', 'PAUSED', 'ACTIVE'],
      result.jobs.map((j) => [j.name, j.schedule, j.timezone, shortTime(j.state.nextRunAt), j.paused ? 'yes' : 'no', j.state.activeRuns.length]),
    );
    return result.total > result.jobs.length ? `${rows}
(${result.jobs.length} of ${result.total} matching jobs)` : rows;
  });
}

export async function getJob(ctx: VerbContext, name: string): Promise<void> {
  const job = await ctx.client.request<JobJson>('GET', `/api/v1/jobs/${enc(name)}`);
  print(ctx, job, () => toYaml(job).trimEnd());
}

export async function jobAction(ctx: VerbContext, action: 'delete' | 'pause' | 'resume', name: string, force = false): Promise<void> {
  const result =
    action === 'delete'
      ? await ctx.client.request<unknown>('DELETE', `/api/v1/jobs/${enc(name)}${force ? '?force=true' : ''}`)
      : await ctx.client.request<unknown>('POST', `/api/v1/jobs/${enc(name)}/${action}`);
  print(ctx, result, () => `${name} ${action === 'delete' ? 'deleted' : `${action}d`}`);
}

export async function runJob(ctx: VerbContext, name: string): Promise<void> {
  const run = await ctx.client.request<RunJson>('POST', `/api/v1/jobs/${enc(name)}/run`);
  print(ctx, run, () => `run ${run.id} of ${name} ${run.status}`);
}

export async function listRuns(ctx: VerbContext, name: string, options: { status?: string | undefined; limit: number }): Promise<void> {
  const query = new URLSearchParams({ limit: String(options.limit), ...(options.status ? { status: options.status } : {}) });
  const page = await ctx.client.request<{ runs: RunJson[] }>('GET', `/api/v1/jobs/${enc(name)}/runs?${query}`);
  print(ctx, page, () =>
    table(
      ['ID', 'STATUS', 'TRIGGER', 'SCHEDULED', 'SKEW', 'TOOK', 'EXIT', 'AGENT', 'REASON'],
      page.runs.map((r) => [
        r.id,
        r.status,
        r.trigger,
        shortTime(r.scheduledAt),
        r.skewMs === null ? null : `${r.skewMs}ms`,
        r.durationMs === null ? null : `${r.durationMs}ms`,
        r.exitCode,
        r.agent,
        r.reason,
      ]),
    ),
  );
}

export async function killRun(ctx: VerbContext, runId: string): Promise<void> {
  const run = await ctx.client.request<RunJson>('POST', `/api/v1/runs/${enc(runId)}/kill`);
  print(ctx, run, () => `run ${run.id}: ${run.status === 'killed' ? 'killed' : 'kill sent'}`);
}

export async function listAgents(ctx: VerbContext): Promise<void> {
  type Res = { cpus: number; mem: number; disk: number; gpus: number };
  type Containers = { runtime: string; version: string } | { runtime: null; why: string };
  type Isolation = { mode: string; isolators?: string[]; containerizers?: string[]; containers?: Containers };
  const result = await ctx.client.request<{ agents: { id: string; resources: Res; used: Res; blacklisted: boolean; isolation: Isolation | null }[] }>('GET', '/api/v1/agents');
  const isolation = (i: Isolation | null): string => {
    if (i === null) return '-';
    if (i.isolators !== undefined) return `${i.isolators.join(',')} (${(i.containerizers ?? []).join(',')})`;
    if (i.containers === undefined) return i.mode;
    return `${i.mode} (${i.containers.runtime === null ? 'no containers' : `${i.containers.runtime} ${i.containers.version}`})`;
  };
  print(ctx, result, () =>
    table(
      ['AGENT', 'CPUS (USED/ALL)', 'MEM MiB (USED/ALL)', 'GPUS', 'ISOLATION', 'BLACKLISTED'],
      result.agents.map((a) => [
        a.id,
        `${round(a.used.cpus)}/${a.resources.cpus}`,
        `${round(a.used.mem)}/${a.resources.mem}`,
        a.resources.gpus,
        isolation(a.isolation),
        a.blacklisted ? 'yes' : 'no',
      ]),
    ),
  );
}

export async function blacklist(ctx: VerbContext, verb: 'blacklist' | 'unblacklist', agent: string, reason?: string): Promise<void> {
  const path = `/api/v1/agents/${enc(agent)}/blacklist`;
  const result =
    verb === 'blacklist'
      ? await ctx.client.request<unknown>('PUT', path, reason ? { reason } : {})
      : await ctx.client.request<unknown>('DELETE', path);
  print(ctx, result, () => `${agent} ${verb === 'blacklist' ? 'blacklisted' : 'removed from the blacklist'}`);
}

interface LogPage {
  data: string;
  nextOffset: number;
  complete: boolean;
}

/** Print a run's log; with follow, keep reading until the run has finished and all is read. */
export async function logs(
  ctx: VerbContext & { write: (chunk: string) => void },
  runId: string,
  options: { stream: 'stdout' | 'stderr'; follow: boolean; pollMs?: number },
): Promise<void> {
  let offset = 0;
  for (;;) {
    const query = new URLSearchParams({ stream: options.stream, offset: String(offset), limit: String(256 << 10) });
    const page = await ctx.client.request<LogPage>('GET', `/api/v1/runs/${enc(runId)}/logs?${query}`);
    if (page.data) ctx.write(page.data);
    const moved = page.nextOffset > offset;
    offset = page.nextOffset;
    if (page.complete || (!options.follow && !moved)) return;
    if (!moved) await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
  }
}

const enc = encodeURIComponent;
const round = (n: number): number => Math.round(n * 100) / 100;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
