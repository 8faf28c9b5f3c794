/**
 * For the owners page's filter: the owners of the jobs whose name holds `needle` (lower
 * case). The server searches (`q`, one page of at most MAX_PAGE matches), once the typing
 * pauses; job changes ask again. `complete` is false when more jobs matched than that page
 * held, so an owner of only those is not found.
 */
import { useMemo } from 'react';
import { apiPath, useApi } from '../api/client';
import { useEvents } from '../api/events';
import { useDebounced } from '../components/useDebounced';
import { useDebouncedValue } from '../components/useDebouncedValue';
import { MAX_PAGE, type JobPageAnswer } from '../lib/job-paging';

/** What a job name can hold (see the job spec's name rule), at most 100 characters. */
const NAME_PART = /^[a-z0-9_.-]{1,100}$/;

export interface OwnersOfJobs {
  /** null: nothing to look for, or the answer is not in yet. */
  owners: ReadonlySet<string> | null;
  complete: boolean;
}

export function useOwnersOfJobsNamed(needle: string): OwnersOfJobs {
  const settled = useDebouncedValue(needle, 300);
  const path = NAME_PART.test(settled) ? apiPath('/api/v1/jobs', { q: settled, limit: MAX_PAGE }) : null;
  const found = useApi<JobPageAnswer>(path);
  const refetch = useDebounced(found.reload, 1_000);
  useEvents((event) => path !== null && event.kind === 'job' && refetch(), { onReset: () => path !== null && found.reload() });

  const owners = useMemo(() => {
    if (!found.data) return null;
    const set = new Set<string>();
    for (const job of found.data.jobs) if (job.name.includes(settled)) for (const owner of job.owners) set.add(owner);
    return set;
  }, [found.data, settled]);
  return { owners: path === null ? null : owners, complete: found.data?.nextCursor == null };
}
