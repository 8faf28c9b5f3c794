/**
 * Job files and YAML bodies: one job, a list of jobs, several YAML documents separated by
 * `---`, or an object with a `jobs:` list. JSON is YAML, so both read the same way.
 */
import { parseAllDocuments } from 'yaml';

export class JobFileError extends Error {}

export function parseJobDocuments(text: string, source = 'body'): unknown {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) return null;
  const values: unknown[] = [];
  let isList = docs.length > 1;
  for (const doc of docs) {
    const problem = doc.errors[0];
    if (problem) {
      const where = problem.linePos?.[0] ? `:${problem.linePos[0].line}:${problem.linePos[0].col}` : '';
      throw new JobFileError(`${source}${where}: ${problem.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    if (isJobsWrapper(value)) values.push(...value.jobs);
    else if (Array.isArray(value)) values.push(...(value as unknown[]));
    else values.push(value);
    isList ||= Array.isArray(value) || isJobsWrapper(value);
  }
  return isList ? values : values[0];
}

export const parseJobFile = (path: string, text: string): unknown => parseJobDocuments(text, path);

const isJobsWrapper = (v: unknown): v is { jobs: unknown[] } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && Array.isArray((v as { jobs?: unknown }).jobs);

