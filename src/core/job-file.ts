/**
 * Job files and request bodies: one job, a list of jobs, several YAML documents separated by
 * `---`, or an object with a `jobs:` list. JSON is YAML, so both read the same way. A document
 * with `kind: owner` is an owner (the people behind jobs), applied before the jobs. Problems
 * come back as field errors (never thrown), so the API answers 400, the CLI prints one line,
 * and a bad --seed file names its file and field.
 */
import { parseAllDocuments } from 'yaml';
import { inputShapeErrors } from './input-shape.js';
import { validateJobSpec, type FieldError, type JobSpec, type Validated } from './job-spec.js';
import { validateOwnerSpec, type OwnerSpec } from './owner-spec.js';

/**
 * The documents of a YAML or JSON text, flattened into one value (a list when there are several),
 * refused by field when a key or the nesting is unsafe (see input-shape.ts). `file` names the
 * file in errors (`file:line:col`, `file: env.__proto__`); a request body's errors name the
 * body's fields alone, like every other answer about a body.
 */
export function parseJobDocuments(text: string, file?: string): Validated<unknown> {
  const parsed = parseYamlDocuments(text, file);
  if (!parsed.ok) return parsed;
  const shapeErrors = inputShapeErrors(parsed.value).map((e) => (file === undefined ? e : { ...e, field: `${file}: ${e.field}` }));
  return shapeErrors.length > 0 ? { ok: false, errors: shapeErrors } : parsed;
}

/** parseJobDocuments without the check of keys and nesting: only syntax errors, named `file:line:col`. */
export function parseYamlDocuments(text: string, file?: string): Validated<unknown> {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) return { ok: true, value: null };
  const values: unknown[] = [];
  let isList = docs.length > 1;
  for (const doc of docs) {
    const problem = doc.errors[0];
    if (problem) {
      const where = problem.linePos?.[0] ? `:${problem.linePos[0].line}:${problem.linePos[0].col}` : '';
      return { ok: false, errors: [{ field: `${file ?? 'body'}${where}`, message: problem.message.split('\n')[0]! }] };
    }
    // toJS keeps a `__proto__` key as an own property, for parseJobDocuments to refuse by name.
    // It throws on an alias with no anchor, and on aliases that would expand without bound.
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      return { ok: false, errors: [{ field: file ?? 'body', message: (e as Error).message }] };
    }
    if (value === null || value === undefined) continue;
    if (isJobsWrapper(value)) values.push(...value.jobs);
    else if (Array.isArray(value)) values.push(...(value as unknown[]));
    else values.push(value);
    isList ||= Array.isArray(value) || isJobsWrapper(value);
  }
  return { ok: true, value: isList ? values : values[0] };
}

const isJobsWrapper = (v: unknown): v is { jobs: unknown[] } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && Array.isArray((v as { jobs?: unknown }).jobs);

/** Job files and bodies may carry the read-only `state` a GET returned, and `kind: job`; both are ignored. */
export function withoutState(raw: unknown): unknown {
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && ('state' in raw || 'kind' in raw)) {
    const { state: _ignored, kind, ...rest } = raw as Record<string, unknown>;
    return kind === undefined || kind === 'job' ? rest : { kind, ...rest };
  }
  return raw;
}

const isOwnerDocument = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { kind?: unknown }).kind === 'owner';

/** What a file holds, owners apart from jobs. */
export interface WorkflowFile {
  jobs: JobSpec[];
  owners: OwnerSpec[];
}

/** One job or a list of jobs, every one valid, or every error with its field (`[i]` prefixed in a list). */
export function validateJobList(raw: unknown): Validated<JobSpec[]> {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) return { ok: false, errors: [{ field: '(body)', message: 'no jobs given' }] };
  const errors: FieldError[] = [];
  const specs: JobSpec[] = [];
  list.forEach((item, i) => {
    const result = validateJobSpec(withoutState(item), Array.isArray(raw) ? [i] : []);
    if (result.ok) specs.push(result.value);
    else errors.push(...result.errors);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: specs };
}

/** The documents of a parsed file, owners (`kind: owner`) apart from the rest (jobs). */
export function splitKinds(value: unknown): { jobs: unknown[]; owners: unknown[] } {
  const all = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  return { jobs: all.filter((v) => !isOwnerDocument(v)), owners: all.filter(isOwnerDocument) };
}

/** A job file's text to its owners and jobs: the errors name the file (and line, for YAML) or the field. */
export function readJobFile(text: string, source: string): Validated<WorkflowFile> {
  const parsed = parseJobDocuments(text, source);
  if (!parsed.ok) return parsed;
  const { jobs: rawJobs, owners: rawOwners } = splitKinds(parsed.value);
  if (rawJobs.length === 0 && rawOwners.length === 0) return { ok: false, errors: [{ field: source, message: 'no jobs in the file' }] };
  const errors: FieldError[] = [];
  const owners: OwnerSpec[] = [];
  rawOwners.forEach((raw, i) => {
    const { kind: _owner, ...rest } = raw as Record<string, unknown>;
    const result = validateOwnerSpec(rest, [`owner ${i}`]);
    if (result.ok) owners.push(result.value);
    else errors.push(...result.errors);
  });
  const jobs: Validated<JobSpec[]> = rawJobs.length > 0 ? validateJobList(rawJobs) : { ok: true, value: [] };
  if (!jobs.ok) errors.push(...jobs.errors);
  if (errors.length > 0 || !jobs.ok) return { ok: false, errors: errors.map((e) => ({ field: `${source}: ${e.field}`, message: e.message })) };
  return { ok: true, value: { jobs: jobs.value, owners } };
}
