/**
 * Chronos jobs (the JSON of GET /v1/scheduler/jobs) as moroccron jobs and owners. Pure: the
 * caller reads the JSON and says what time it is. Every job comes out valid (checked with the
 * job schema) or is left out with the field at fault, and every Chronos field that could not
 * be carried over is said in the job's notes.
 */
import type { FieldError } from '../../core/field-error.js';
import { validateJobSpec, type JobSpecInput } from '../../core/job-spec.js';
import { validateOwnerSpec } from '../../core/owner-spec.js';
import { withChronosField } from './chronos-errors.js';
import { isRecord, text, type ChronosJob } from './chronos-fields.js';
import { convertJob, type JobConversion } from './chronos-job.js';
import { OwnerRegistry, type OwnerSpecInput } from './chronos-owners.js';
import { isValidName, NameAllocator, toName } from './names.js';

export type { OwnerSpecInput };

export interface ImportNote {
  /** The job's moroccron name. */
  job: string;
  messages: string[];
}

export interface LeftOutJob {
  /** The job's Chronos name (or its place in the list when it has none). */
  job: string;
  errors: FieldError[];
}

export interface ChronosImport {
  jobs: JobSpecInput[];
  owners: OwnerSpecInput[];
  notes: ImportNote[];
  leftOut: LeftOutJob[];
}

interface NamedJob {
  chronosName: string;
  job: ChronosJob;
}

interface Candidate {
  chronosName: string;
  name: string;
  conversion: JobConversion;
  owner?: string;
}

export function convertChronosJobs(input: unknown, options: { now: number }): ChronosImport {
  const leftOut: LeftOutJob[] = [];
  if (!Array.isArray(input) && !isRecord(input)) {
    leftOut.push({ job: '(input)', errors: [{ field: '(input)', message: 'expected a JSON list of Chronos jobs, as GET /v1/scheduler/jobs returns' }] });
  }
  const entries: readonly unknown[] = Array.isArray(input) ? input : isRecord(input) ? [input] : [];
  const named = withNames(namedJobs(entries, leftOut));
  const byChronosName = new Map(named.map((n) => [n.chronosName, n.name]));
  const parent = (chronosName: string) => {
    const imported = byChronosName.get(chronosName);
    return imported !== undefined ? { name: imported, imported: true } : { name: toName(chronosName, 'job'), imported: false };
  };

  const owners = new OwnerRegistry();
  const candidates = named.map(({ chronosName, job, name, renameMessage }): Candidate => {
    const conversion = convertJob(job, { name, parent, now: options.now });
    if (renameMessage !== undefined) conversion.messages.unshift(renameMessage);
    if (conversion.owner === undefined) return { chronosName, name, conversion };
    const owner = owners.resolve(conversion.owner);
    conversion.draft.owners = [owner.name];
    conversion.messages.push(...owner.messages);
    return { chronosName, name, conversion, owner: owner.name };
  });

  const kept = withoutInvalid(candidates, leftOut);
  const usedOwners = new Set(kept.flatMap((c) => (c.owner === undefined ? [] : [c.owner])));
  const ownerSpecs = owners.owners(usedOwners).filter((owner) => {
    const result = validateOwnerSpec(owner);
    if (!result.ok) leftOut.push({ job: `owner ${owner.name}`, errors: result.errors });
    return result.ok;
  });
  return {
    // The job schema accepted each draft (withoutInvalid), so each is a JobSpecInput.
    jobs: kept.map((c) => c.conversion.draft as JobSpecInput),
    owners: ownerSpecs,
    notes: kept.filter((c) => c.conversion.messages.length > 0).map((c) => ({ job: c.name, messages: c.conversion.messages })),
    leftOut,
  };
}

/** The entries that are objects with a name not seen before; the others are left out, saying why. */
function namedJobs(entries: readonly unknown[], leftOut: LeftOutJob[]): NamedJob[] {
  const seen = new Set<string>();
  const named: NamedJob[] = [];
  for (const [i, job] of entries.entries()) {
    const place = `job #${i + 1}`;
    const chronosName = isRecord(job) ? (text(job.name) ?? '') : '';
    if (!isRecord(job)) leftOut.push({ job: place, errors: [{ field: `[${i}]`, message: 'is not a JSON object' }] });
    else if (chronosName.trim() === '') leftOut.push({ job: place, errors: [{ field: 'name', message: 'a Chronos job needs a name' }] });
    else if (seen.has(chronosName)) leftOut.push({ job: chronosName, errors: [{ field: 'name', message: 'an earlier job in the list has the same name' }] });
    else {
      seen.add(chronosName);
      named.push({ chronosName, job });
    }
  }
  return named;
}

/** Names that are already moroccron names are kept; the others are made into one, and unique. */
function withNames(named: readonly NamedJob[]): (NamedJob & { name: string; renameMessage?: string })[] {
  const allocator = new NameAllocator();
  const kept = new Map(named.filter((n) => isValidName(n.chronosName)).map((n) => [n.chronosName, allocator.claim(n.chronosName)]));
  return named.map((n) => {
    const name = kept.get(n.chronosName);
    if (name !== undefined) return { ...n, name };
    const wanted = toName(n.chronosName, 'job');
    const renamed = allocator.claim(wanted);
    const taken = renamed === wanted ? '' : `; ${JSON.stringify(wanted)} was taken`;
    return { ...n, name: renamed, renameMessage: `renamed from ${JSON.stringify(n.chronosName)} (moroccron names are [a-z0-9][a-z0-9_.-]*${taken})` };
  });
}

/**
 * The candidates the job schema accepts. The others are left out, and so is every job that
 * runs after one left out: moroccron refuses a job whose parent does not exist.
 */
function withoutInvalid(candidates: readonly Candidate[], leftOut: LeftOutJob[]): Candidate[] {
  const droppedNames = new Set<string>();
  let kept = candidates.filter((c) => {
    const validation = validateJobSpec(c.conversion.draft);
    const problems = c.conversion.problems.length > 0 ? c.conversion.problems : validation.ok ? [] : validation.errors.map(withChronosField);
    if (problems.length === 0) return true;
    leftOut.push({ job: c.chronosName, errors: problems });
    droppedNames.add(c.name);
    return false;
  });
  for (let changed = true; changed; ) {
    changed = false;
    kept = kept.filter((c) => {
      const missing = c.conversion.after.find((p) => droppedNames.has(p));
      if (missing === undefined) return true;
      leftOut.push({ job: c.chronosName, errors: [{ field: 'after (Chronos parents)', message: `its parent ${JSON.stringify(missing)} is left out` }] });
      droppedNames.add(c.name);
      changed = true;
      return false;
    });
  }
  return kept;
}
