/** One Chronos job as a moroccron job draft, with what could not be carried over said in messages. */
import type { FieldError } from '../../core/field-error.js';
import { convertCommand } from './chronos-command.js';
import { convertContainer } from './chronos-container.js';
import { isNeutral, isRecord, isTrue, list, notImported, numeric, text, type ChronosJob } from './chronos-fields.js';
import { ownerRequestOf, type OwnerRequest } from './chronos-owners.js';
import { convertSchedule } from './chronos-schedule.js';
import { unmappedFieldMessages } from './chronos-unmapped.js';

export interface JobContext {
  /** The moroccron name this job gets. */
  name: string;
  /** A parent's moroccron name, and whether it is among the imported jobs. */
  parent: (chronosName: string) => { name: string; imported: boolean };
  /** The time of the import (a schedule without a start starts then). */
  now: number;
}

export interface JobConversion {
  /** The job spec as it will be written; the job schema has not seen it yet. */
  draft: Record<string, unknown>;
  /** The moroccron names of its parents. */
  after: string[];
  owner?: OwnerRequest;
  messages: string[];
  /** Why the job cannot be imported at all. */
  problems: FieldError[];
}

/** Retries when a job does not say (Chronos's default). */
const CHRONOS_DEFAULT_RETRIES = 2;

const CHRONOS_CONSTRAINT_OPERATORS = new Set(['EQUALS', 'LIKE', 'UNLIKE']);

export function convertJob(job: ChronosJob, ctx: JobContext): JobConversion {
  const messages: string[] = [];
  const draft: Record<string, unknown> = { name: ctx.name };
  let parents: string[] = [];
  const description = text(job.description)?.trim();
  if (description) draft.description = description;

  // Chronos makes a job with a `parents` field (even an empty one) a dependent job, and ignores its schedule.
  if ('parents' in job) {
    const after = list(job.parents).map((p) => ctx.parent(text(p) ?? ''));
    for (const p of after.filter((a) => !a.imported)) messages.push(`parent ${JSON.stringify(p.name)} is not among the imported jobs: it must exist in moroccron before this job is applied`);
    if (after.length === 0) messages.push('a dependent job without parents: it runs only when started (moroccron run <job>)');
    for (const field of ['schedule', 'scheduleTimeZone'] as const) {
      if (!isNeutral(job[field])) messages.push(notImported(field, 'a job with parents runs after them; Chronos ignores its schedule too'));
    }
    parents = after.map((a) => a.name);
    if (parents.length > 0) draft.after = parents;
  } else {
    const schedule = convertSchedule(job.schedule, job.scheduleTimeZone, ctx.now);
    if (schedule.schedule !== undefined) draft.schedule = schedule.schedule;
    if (schedule.timezone !== undefined) draft.timezone = schedule.timezone;
    messages.push(...schedule.messages);
  }

  const container = convertContainer(job.container);
  const command = convertCommand(job, { present: container.container !== undefined, type: container.type });
  if (!command.ok) return { draft, after: parents, messages, problems: [command.problem] };
  Object.assign(draft, command.run);
  messages.push(...command.messages);

  const env = environmentOf(job.environmentVariables, messages);
  if (env.length > 0) draft.env = Object.fromEntries(env);
  const resources = resourcesOf(job);
  if (Object.keys(resources).length > 0) draft.resources = resources;
  draft.retries = { max: retriesOf(job) };
  const epsilon = text(job.epsilon)?.trim();
  if (epsilon) draft.misfire = { window: epsilon };
  if (isTrue(job.concurrent)) draft.concurrency = 'allow';
  if (isTrue(job.disabled)) draft.paused = true;
  const user = text(job.runAsUser)?.trim();
  if (user) draft.user = user;
  const constraints = constraintsOf(job.constraints, messages);
  if (constraints.length > 0) draft.constraints = constraints;
  if (container.container) draft.container = container.container;
  messages.push(...container.messages);

  const owner = ownerRequestOf(job);
  messages.push(...owner.messages, ...unmappedFieldMessages(job));
  return { draft, after: parents, ...(owner.request ? { owner: owner.request } : {}), messages, problems: [] };
}

function retriesOf(job: ChronosJob): unknown {
  if (!('retries' in job)) return CHRONOS_DEFAULT_RETRIES;
  return isNeutral(job.retries) ? 0 : numeric(job.retries);
}

/** Chronos [{name, value}] as [name, value] pairs; an entry without a name is said, not dropped. */
function environmentOf(raw: unknown, messages: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  list(raw).forEach((entry, i) => {
    const name = isRecord(entry) ? text(entry.name) : undefined;
    if (name === undefined || name === '') messages.push(notImported(`environmentVariables[${i}]`, 'it has no name'));
    else pairs.push([name, isRecord(entry) ? (text(entry.value) ?? '') : '']);
  });
  return pairs;
}

/** cpus, mem (MB = MiB) and disk; 0 meant Chronos's server default, so moroccron's default applies. */
function resourcesOf(job: ChronosJob): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const field of ['cpus', 'mem', 'disk'] as const) {
    const value = numeric(job[field]);
    if (!isNeutral(value)) resources[field] = value;
  }
  return resources;
}

/** [attribute, operator, value]: Chronos has EQUALS, LIKE and UNLIKE (full-match regular expressions, as here) and ignores any other. */
function constraintsOf(raw: unknown, messages: string[]): unknown[] {
  const constraints: unknown[] = [];
  list(raw).forEach((entry, i) => {
    const [attribute, operator, value] = list(entry).map((part) => text(part) ?? '');
    if (operator !== undefined && CHRONOS_CONSTRAINT_OPERATORS.has(operator)) constraints.push([attribute ?? '', operator, value ?? '']);
    else messages.push(notImported(`constraints[${i}]`, `operator "${operator ?? ''}" is not one Chronos knows; Chronos ignored it too`));
  });
  return constraints;
}
