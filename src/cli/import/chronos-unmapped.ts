/**
 * The Chronos fields moroccron has no counterpart for, each with what to do instead. A field
 * is listed only when it asks for something (see isNeutral): Chronos writes every field of
 * every job, mostly empty.
 */
import { isNeutral, notImported, type ChronosJob } from './chronos-fields.js';

/** Fields the conversion reads (chronos-job.ts and its helpers); every other field is listed here or as unknown. */
export const MAPPED_FIELDS: ReadonlySet<string> = new Set([
  'name',
  'description',
  'command',
  'shell',
  'arguments',
  'schedule',
  'scheduleTimeZone',
  'parents',
  'epsilon',
  'owner',
  'ownerName',
  'retries',
  'cpus',
  'mem',
  'disk',
  'disabled',
  'concurrent',
  'container',
  'environmentVariables',
  'constraints',
  'runAsUser',
]);

const STATISTICS = ['successCount', 'errorCount', 'lastSuccess', 'lastError', 'errorsSinceLastSuccess'] as const;

const REASONS: Readonly<Record<string, string>> = {
  async: 'an async job told Chronos of its end through the API; here a run ends when its process exits',
  dataJob: 'data-processing statistics are not kept',
  dataProcessingJobType: 'data-processing statistics are not kept',
  softError: 'Chronos soft errors have no counterpart; a failed run is failed',
  highPriority: 'set priority (-1000..1000) to go first when capacity is short',
  executor: 'custom Mesos executors are not supported; moroccron runs the command itself',
  executorFlags: 'custom Mesos executors are not supported',
  taskInfoData: 'custom Mesos executors are not supported',
  uris: 'fetch URIs; put the files in the command or the image',
  fetch: 'Mesos fetcher URIs; put the files in the command or the image',
};

/** "not imported" messages for the fields of `job` that the conversion does not read. */
export function unmappedFieldMessages(job: ChronosJob): string[] {
  const statistics = STATISTICS.filter((field) => !isNeutral(job[field]));
  const messages: string[] = [];
  for (const [field, value] of Object.entries(job)) {
    if (MAPPED_FIELDS.has(field) || (STATISTICS as readonly string[]).includes(field) || isNeutral(value)) continue;
    messages.push(notImported(field, REASONS[field] ?? 'not a Chronos field moroccron knows'));
  }
  if (statistics.length > 0) messages.push(notImported(statistics.join(', '), 'run statistics; moroccron keeps its own run history'));
  return messages;
}
