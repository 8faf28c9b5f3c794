/**
 * /owners: the people behind jobs, how they want to hear of them, and their jobs; a test
 * notice per owner. Jobs follow the event stream; owners (which send no events) are polled.
 */
import { useMemo, useState } from 'react';
import { useApi } from '../api/client';
import { useEvents } from '../api/events';
import type { JobView, Owner } from '../api/types';
import { OwnerCard } from '../components/OwnerCard';
import { Page } from '../components/Page';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { useDebounced } from '../components/useDebounced';
import { useNow } from '../components/useNow';
import { usePolling } from '../components/usePolling';
import { plural } from '../lib/format';
import '../styles/owners.css';

const OWNER_EXAMPLE = `kind: owner
name: data-team
email: [data-team@example.com]
slackWebhook: https://hooks.slack.com/services/T000/B000/XXXX
notifyOn: [retriesExhausted, recovery, late]`;

export function OwnersPage() {
  const owners = useApi<{ owners: Owner[] }>('/api/v1/owners');
  const jobs = useApi<{ jobs: JobView[] }>('/api/v1/jobs');
  const now = useNow(30_000);
  const [filter, setFilter] = useState('');
  usePolling(owners.reload, 30_000);
  const refetchJobs = useDebounced(jobs.reload, 1_000);
  useEvents((event) => event.kind === 'job' && refetchJobs(), {
    onReset: () => {
      owners.reload();
      jobs.reload();
    },
  });

  const jobsByOwner = useMemo(() => {
    const map = new Map<string, JobView[]>();
    for (const job of jobs.data?.jobs ?? []) for (const owner of job.owners) map.set(owner, [...(map.get(owner) ?? []), job]);
    for (const list of map.values()) list.sort((a, b) => a.name.localeCompare(b.name));
    return map;
  }, [jobs.data]);
  const unowned = (jobs.data?.jobs ?? []).filter((j) => j.owners.length === 0).length;
  const list = owners.data?.owners ?? [];
  const needle = filter.trim().toLowerCase();
  const shown = list.filter(
    (o) => o.name.toLowerCase().includes(needle) || o.email.some((e) => e.toLowerCase().includes(needle)) || (jobsByOwner.get(o.name) ?? []).some((j) => j.name.includes(needle)),
  );

  return (
    <Page testId="page-owners" title="Owners">
      <div className="page-head">
        <div>
          <h1>Owners</h1>
          <p className="subtitle">
            Who hears of which jobs, and how.
            {jobs.data && unowned > 0 && ` ${plural(unowned, 'job')} ${unowned === 1 ? 'has' : 'have'} no owner.`}
          </p>
        </div>
        {list.length > 3 && (
          <label className="field owners-filter">
            Filter owners
            <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Name, e-mail or job…" />
          </label>
        )}
      </div>
      {owners.error && <ErrorState error={owners.error} what="the owners" onRetry={owners.reload} />}
      {jobs.error && <ErrorState error={jobs.error} what="the jobs of each owner" onRetry={jobs.reload} />}
      {!owners.data && owners.loading && <Loading what="the owners" />}
      {owners.data && list.length === 0 && (
        <EmptyState title="No owners yet">
          <p>Owners are who hears of a job's failures, recoveries and late runs. Apply one with `moroccron apply -f`:</p>
          <pre>{OWNER_EXAMPLE}</pre>
          <p>Then name it in a job: `owners: [data-team]`.</p>
        </EmptyState>
      )}
      {list.length > 0 && shown.length === 0 && <p className="muted">No owner matches “{filter}”.</p>}
      <ul className="owner-list">
        {shown.map((owner) => (
          <OwnerCard key={owner.name} owner={owner} jobs={jobsByOwner.get(owner.name) ?? []} now={now} />
        ))}
      </ul>
    </Page>
  );
}
