/**
 * Job files and request bodies: one job, a list of jobs, several YAML documents separated by
 * `---`, or an object with a `jobs:` list. JSON is YAML, so both read the same way. Problems
 * come back as field errors (never thrown), so the API answers 400, the CLI prints one line,
 * and a bad --seed file names its file and field.
 */
import { parseAllDocuments } from 'yaml';
import { inputShapeErrors } from './input-shape.js';
import { validateJobSpec, type FieldError, type JobSpec, type Validated } from './job-spec.js';

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
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
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

/** Job files and bodies may carry the read-only `state` a GET returned; it is ignored. */
export function withoutState(raw: unknown): unknown {
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'state' in raw) {
    const { state: _ignored, ...rest } = raw as Record<string, unknown>;
    return rest;
  }
  return raw;
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

/** A job file's text to its jobs: the errors name the file (and line, for YAML) or the field. */
export function readJobFile(text: string, source: string): Validated<JobSpec[]> {
  const parsed = parseJobDocuments(text, source);
  if (!parsed.ok) return parsed;
  if (parsed.value === null || parsed.value === undefined) return { ok: false, errors: [{ field: source, message: 'no jobs in the file' }] };
  const jobs = validateJobList(parsed.value);
  return jobs.ok ? jobs : { ok: false, errors: jobs.errors.map((e) => ({ field: `${source}: ${e.field}`, message: e.message })) };
}
