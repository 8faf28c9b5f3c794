/**
 * `moroccron import chronos`: Chronos jobs to moroccron job files on standard output, or
 * applied (owners first, then every job in one request). What was not carried over goes to
 * standard error; a job left out makes the command fail once the rest is written or applied.
 */
import { CliError, type Client } from '../client.js';
import { convertChronosJobs, type ChronosImport } from './chronos.js';
import { readSource, type ImportSource } from './source.js';
import { describeLeftOut, importAsYaml } from './yaml-writer.js';

export interface ImportContext {
  client: Client;
  json: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface ImportChronosOptions {
  source: ImportSource;
  apply: boolean;
  /** For reading --from. */
  timeoutMs: number;
  now?: number;
}

export async function importChronos(ctx: ImportContext, options: ImportChronosOptions): Promise<void> {
  const { text, label } = await readSource(options.source, options.timeoutMs, ctx.client.http);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${label} is not JSON: ${(e as Error).message}`, 1);
  }
  const result = convertChronosJobs(parsed, { now: options.now ?? Date.now() });
  ctx.err(summary(result, label));
  if (result.jobs.length === 0 && result.leftOut.length === 0) throw new CliError(`no Chronos jobs in ${label}`, 1);

  if (!options.apply) ctx.out(ctx.json ? JSON.stringify(result, null, 2) : importAsYaml(result, label).trimEnd());
  else if (result.jobs.length > 0) await apply(ctx, result);

  const leftOut = result.leftOut.length;
  if (leftOut > 0) throw new CliError(`${leftOut} Chronos job(s) could not be imported: see "left out" above`, 1);
}

async function apply(ctx: ImportContext, result: ChronosImport): Promise<void> {
  const owners: unknown[] = [];
  for (const owner of result.owners) owners.push(await ctx.client.request<unknown>('PUT', `/api/v1/owners/${encodeURIComponent(owner.name)}`, owner));
  const applied = await ctx.client.request<{ jobs: { name: string }[] }>('POST', '/api/v1/jobs', result.jobs);
  if (ctx.json) ctx.out(JSON.stringify({ owners, jobs: applied.jobs }, null, 2));
  else {
    const ownerNames = result.owners.map((o) => o.name);
    if (ownerNames.length > 0) ctx.out(`applied ${ownerNames.length} owner(s): ${ownerNames.join(', ')}`);
    ctx.out(`applied ${applied.jobs.length} job(s): ${applied.jobs.map((j) => j.name).join(', ')}`);
  }
}

/** For standard error: counts, then one line per note, then one per job left out. */
function summary(result: ChronosImport, label: string): string {
  const leftOut = result.leftOut.length > 0 ? `; ${result.leftOut.length} left out` : '';
  return [
    `chronos import from ${label}: ${result.jobs.length} job(s), ${result.owners.length} owner(s)${leftOut}`,
    ...result.notes.flatMap((n) => n.messages.map((m) => `  ${n.job}: ${m}`)),
    ...result.leftOut.map((l) => `  ${describeLeftOut(l)}`),
  ].join('\n');
}
