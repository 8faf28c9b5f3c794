/**
 * Whether the jobs page can hold every job in the browser ('client', as it always did) or must
 * ask the server for one page at a time ('paged'): one `?limit=1` request tells how many there
 * are. A list that outgrows the browser while open (`outgrown`) turns paged for good.
 */
import { useCallback, useState } from 'react';
import { useApi, type ApiError } from '../api/client';
import { PAGED_ABOVE, type JobPageAnswer } from '../lib/job-paging';

export type JobListMode = 'client' | 'paged';

export interface JobListModeState {
  mode: JobListMode | null;
  error: ApiError | null;
  retry: () => void;
  outgrown: () => void;
}

export function useJobListMode(): JobListModeState {
  const probe = useApi<JobPageAnswer>('/api/v1/jobs?limit=1');
  const [tooMany, setTooMany] = useState(false);
  const outgrown = useCallback(() => setTooMany(true), []);
  const mode = tooMany ? 'paged' : probe.data ? (probe.data.total > PAGED_ABOVE ? 'paged' : 'client') : null;
  return { mode, error: probe.error, retry: probe.reload, outgrown };
}
