/**
 * One page of the job list: filtered, sorted by name or next run time, resumed after a
 * cursor. The leader pages its in-memory jobs (kept in name order, see job-names.ts); any
 * member can page what its store lists, with the same rules. With 100,000 jobs a page costs
 * one pass over them at most: no allocation per job, and by next run time only the page's
 * jobs are kept in order, not all of them.
 */
import type { Millis, StoredJob } from './types.js';

export type JobSort = 'name' | 'next';
export type JobStateFilter = 'active' | 'paused' | 'failing' | 'running';

export interface JobPageQuery {
  limit: number;
  sort: JobSort;
  order: 'asc' | 'desc';
  /** Where the previous page ended: its `next`. */
  cursor?: JobCursor;
  /** Lower-case words that must all appear in the name, description or a `key=value` label. */
  words?: string[];
  owner?: string;
  /** `key=value`, or `key` for any value. */
  label?: string;
  state?: JobStateFilter;
}

/** The sort key and name of the last job on a page; the next page starts after it. */
export interface JobCursor {
  name: string;
  /** sort=next only: that job's next run time then (null: none). */
  next?: Millis | null;
}

/** What the filters and sorts look at: a scheduler's JobEntry is one. */
export interface JobFacts {
  stored: StoredJob;
  nextDue: Millis | null;
  active: { readonly size: number };
  /** The lower-cased text words are looked for in, kept here once made. */
  searchText?: string;
  /** Its labels as `\n"key"="value"\n` lines (JSON strings: a newline in a value cannot fake a line), kept here once made. */
  labelText?: string;
}

export interface JobPage<T> {
  jobs: T[];
  /** Jobs matching the filters, on every page. */
  total: number;
  /** The cursor for the page after this one; null on the last page. */
  next: JobCursor | null;
}

function searchTextOf(facts: JobFacts): string {
  if (facts.searchText === undefined) {
    const spec = facts.stored.spec;
    facts.searchText = [spec.name, spec.description ?? '', ...Object.entries(spec.labels).map(([k, v]) => `${k}=${v}`)].join('\n').toLowerCase();
  }
  return facts.searchText;
}

function labelTextOf(facts: JobFacts): string {
  if (facts.labelText === undefined) {
    facts.labelText = `\n${Object.entries(facts.stored.spec.labels).map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}\n`).join('')}`;
  }
  return facts.labelText;
}

/** What the job list filters by, without its page and order (the timeline takes the same). */
export type JobFilterQuery = Pick<JobPageQuery, 'words' | 'owner' | 'label' | 'state'>;

/** The query's filters as one test, or null when there are none. */
export function filterOf(query: JobFilterQuery): ((facts: JobFacts) => boolean) | null {
  const { owner, state } = query;
  const words = query.words && query.words.length > 0 ? query.words : null;
  // A label line starts after a newline; `key=value` ends with one, `key` alone goes up to the `=`.
  const at = query.label?.indexOf('=') ?? -1;
  const labelLine =
    query.label === undefined
      ? null
      : at < 0
        ? `\n${JSON.stringify(query.label)}=`
        : `\n${JSON.stringify(query.label.slice(0, at))}=${JSON.stringify(query.label.slice(at + 1))}\n`;
  if (owner === undefined && state === undefined && words === null && labelLine === null) return null;
  return (facts) => {
    const spec = facts.stored.spec;
    if (owner !== undefined && !spec.owners.includes(owner)) return false;
    if (labelLine !== null && !labelTextOf(facts).includes(labelLine)) return false;
    switch (state) {
      case 'active':
        if (spec.paused) return false;
        break;
      case 'paused':
        if (!spec.paused) return false;
        break;
      case 'running':
        if (spec.paused || facts.active.size === 0) return false;
        break;
      case 'failing':
        if (spec.paused || facts.active.size > 0 || facts.stored.progress.lastOutcome?.status !== 'failed') return false;
        break;
    }
    if (words !== null) {
      const text = searchTextOf(facts);
      for (const word of words) if (!text.includes(word)) return false;
    }
    return true;
  };
}

export const matchesFilters = (facts: JobFacts, query: JobFilterQuery): boolean => filterOf(query)?.(facts) ?? true;

/** Names compare by UTF-16 code units, as the stores order them. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Ascending next run time, jobs without one last; ties by name. */
function byNext(aNext: Millis | null, aName: string, bNext: Millis | null, bName: string): number {
  if (aNext !== bNext) {
    if (aNext === null) return 1;
    if (bNext === null) return -1;
    return aNext - bNext;
  }
  return byName(aName, bName);
}

/**
 * A page of the jobs given in ascending name order (`byIndex(i)` for i < count), which may be
 * the leader's own: only the jobs on the page are rendered (`render(i)`).
 */
export function pageOfJobs<T>(count: number, byIndex: (i: number) => JobFacts, query: JobPageQuery, render: (i: number) => T): JobPage<T> {
  return query.sort === 'name' ? pageByName(count, byIndex, query, render) : pageByNext(count, byIndex, query, render);
}

function pageByName<T>(count: number, byIndex: (i: number) => JobFacts, query: JobPageQuery, render: (i: number) => T): JobPage<T> {
  const ascending = query.order === 'asc';
  const step = ascending ? 1 : -1;
  // The first index past the cursor, in the direction of the sort.
  let start = ascending ? 0 : count - 1;
  const cursor = query.cursor?.name;
  if (cursor !== undefined) {
    let [lo, hi] = [0, count];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byName(byIndex(mid).stored.spec.name, cursor) < 0) lo = mid + 1;
      else hi = mid;
    }
    // lo: the first name not below the cursor.
    start = ascending ? (lo < count && byIndex(lo).stored.spec.name === cursor ? lo + 1 : lo) : lo - 1;
  }
  const matches = filterOf(query);
  const onPage: number[] = [];
  let more = false;
  let total = 0;
  if (matches === null) {
    total = count;
    for (let i = start; ascending ? i < count : i >= 0; i += step) {
      if (onPage.length === query.limit) {
        more = true;
        break;
      }
      onPage.push(i);
    }
  } else {
    // Every job is looked at once, for the total; those past the cursor fill the page.
    for (let i = ascending ? 0 : count - 1; ascending ? i < count : i >= 0; i += step) {
      if (!matches(byIndex(i))) continue;
      total++;
      if (ascending ? i < start : i > start) continue;
      if (onPage.length < query.limit) onPage.push(i);
      else more = true;
    }
  }
  const last = onPage[onPage.length - 1];
  return { jobs: onPage.map(render), total, next: more && last !== undefined ? { name: byIndex(last).stored.spec.name } : null };
}

interface Keyed {
  index: number;
  name: string;
  next: Millis | null;
}

function pageByNext<T>(count: number, byIndex: (i: number) => JobFacts, query: JobPageQuery, render: (i: number) => T): JobPage<T> {
  const sign = query.order === 'asc' ? 1 : -1;
  const matches = filterOf(query);
  const after = query.cursor;
  const afterNext = after?.next ?? null;
  // The page plus one, best first: a job enters only if it beats the worst kept. Without a
  // limit every matching job is kept, and sorted once at the end.
  const best: Keyed[] = [];
  const bounded = Number.isFinite(query.limit);
  const keep = query.limit + 1;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const facts = byIndex(i);
    if (matches !== null && !matches(facts)) continue;
    total++;
    const [name, next] = [facts.stored.spec.name, facts.nextDue];
    if (after !== undefined && sign * byNext(next, name, afterNext, after.name) <= 0) continue;
    if (!bounded) {
      best.push({ index: i, name, next });
      continue;
    }
    if (best.length === keep) {
      const worst = best[keep - 1]!;
      if (sign * byNext(next, name, worst.next, worst.name) >= 0) continue;
      best.pop();
    }
    let at = best.length;
    while (at > 0 && sign * byNext(next, name, best[at - 1]!.next, best[at - 1]!.name) < 0) at--;
    best.splice(at, 0, { index: i, name, next });
  }
  if (!bounded) best.sort((a, b) => sign * byNext(a.next, a.name, b.next, b.name));
  const page = best.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    jobs: page.map((k) => render(k.index)),
    total,
    next: best.length > query.limit && last ? { name: last.name, next: last.next } : null,
  };
}
