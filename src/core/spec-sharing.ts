/**
 * Job specs as the scheduler keeps them, sharing what most of them have in common. A spec
 * carries some fifteen nested values (resources, retries, misfire, notify, empty lists and
 * maps); with 100,000 jobs their separate copies were a third of the heap. A field equal to
 * the default is replaced by one frozen default, and an empty list or map in a field of its
 * own by one frozen empty one. Nothing changes specs in place, and freezing keeps it so.
 * Stores share them as they read rows, so the copies die young rather than after boot.
 */
import { deepFreeze } from '../lib/deep-freeze.js';
import { jobSpecSchema, type JobSpec } from './job-spec.js';
import { NO_PROGRESS, type JobProgress, type StoredJob } from './types.js';

type Json = unknown;

const EMPTY_LIST: readonly never[] = Object.freeze([]);
const EMPTY_MAP: Readonly<Record<string, never>> = Object.freeze({});

/** The defaults of the nested fields, as the schema fills them in. */
const DEFAULTS: Readonly<Record<string, Json>> = (() => {
  const filled = jobSpecSchema.parse({ name: 'defaults', command: 'true' }) as Record<string, Json>;
  return Object.fromEntries(Object.entries(filled).filter(([, v]) => typeof v === 'object' && v !== null).map(([k, v]) => [k, deepFreeze(v)]));
})();

/** Equal as JSON values; walks without allocating, as it runs for every field of every job at boot. */
/** The fields that hold lists or maps: every one has a default. */
const NESTED_FIELDS = Object.keys(DEFAULTS);

function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const [x, y] = [a as Record<string, Json>, b as Record<string, Json>];
  let keys = 0;
  for (const k in x) {
    if (!Object.hasOwn(y, k) || !sameJson(x[k], y[k])) return false;
    keys++;
  }
  for (const k in y) if (Object.hasOwn(y, k)) keys--;
  return keys === 0;
}

function isEmpty(value: Json): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.length === 0;
  for (const k in value) if (Object.hasOwn(value, k)) return false;
  return true;
}
const sharedEmpty = (value: object): object => (Array.isArray(value) ? EMPTY_LIST : EMPTY_MAP);

/** The nested value itself, or the shared one equal to it. */
function shared(field: string, value: Json): Json {
  if (typeof value !== 'object' || value === null) return value;
  const fallback = DEFAULTS[field];
  if (fallback !== undefined && sameJson(value, fallback)) return fallback;
  if (isEmpty(value)) return sharedEmpty(value);
  if (Array.isArray(value) || Object.isFrozen(value)) return value;
  // One level down: notify's lists, triggers' lists.
  let copy: Record<string, Json> | null = null;
  for (const [k, inner] of Object.entries(value)) {
    if (isEmpty(inner) && inner !== EMPTY_LIST && inner !== EMPTY_MAP) (copy ??= { ...value })[k] = sharedEmpty(inner as object);
  }
  return copy ?? value;
}

/** The spec with its nested values shared where they are the default or empty (a new object when any is). */
export function sharingSpec(spec: JobSpec): JobSpec {
  let copy: Record<string, Json> | null = null;
  const fields = spec as unknown as Record<string, Json>;
  for (const field of NESTED_FIELDS) {
    const value = fields[field];
    const kept = shared(field, value);
    if (kept !== value) (copy ??= { ...fields })[field] = kept;
  }
  return (copy ?? spec) as JobSpec;
}

/** A job that never ran and waits for no parent: its progress is replaced as a whole when that changes. */
const NOTHING_YET: JobProgress = deepFreeze(structuredClone(NO_PROGRESS));

/** The stored job with its spec shared (sharingSpec), and its progress when it is the initial one. */
export function sharingJob(job: StoredJob): StoredJob {
  const spec = sharingSpec(job.spec);
  const progress = job.progress !== NOTHING_YET && sameJson(job.progress, NOTHING_YET) ? NOTHING_YET : job.progress;
  return spec === job.spec && progress === job.progress ? job : { ...job, spec, progress };
}
