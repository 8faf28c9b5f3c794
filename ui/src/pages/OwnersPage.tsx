/**
 * /owners: the people behind jobs, how they want to hear of them, and their jobs; a test
 * notice per owner. Each card asks the server for its own owner's jobs (a page, and the
 * total), kept current by the event stream; owners (which send no events) are polled.
 */
import { useState } from 'react';
import { useApi } from '../api/client';
import { useEvents } from '../api/events';
import type { Owner } from '../api/types';
import { OwnerCard } from '../components/OwnerCard';
import { Page } from '../components/Page';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { useNow } from '../components/useNow';
import { usePolling } from '../components/usePolling';
import { useOwnersOfJobsNamed } from '../hooks/useOwnersOfJobsNamed';
import { MAX_PAGE } from '../lib/job-paging';
import '../styles/owners.css';

const OWNER_EXAMPLE = `kind: owner
name: data-team
email: [data-team@example.com]
slackWebhook: https://hooks.slack.com/services/T000/B000/XXXX
notifyOn: [retriesExhausted, recovery, late]`;

export function OwnersPage() {
  const owners = useApi<{ owners: Owner[] }>('/api/v1/owners');
  const now = useNow(30_000);
  const [filter, setFilter] = useState('');
  usePolling(owners.reload, 30_000);
  // Owners send no events; after a lost stream they are read again (each card rereads its jobs).
  useEvents(() => undefined, { onReset: owners.reload });

  const list = owners.data?.owners ?? [];
  const needle = filter.trim().toLowerCase();
  const withJobsNamed = useOwnersOfJobsNamed(needle);
  const shown = list.filter((o) => o.name.toLowerCase().includes(needle) || o.email.some((e) => e.toLowerCase().includes(needle)) || withJobsNamed.owners?.has(o.name));

  return (
    <Page testId="page-owners" title="Owners">
      <div className="page-head">
        <div>
          <h1>Owners</h1>
          <p className="subtitle">Who hears of which jobs, and how.</p>
        </div>
        {list.length > 3 && (
          <label className="field owners-filter">
            Filter owners
            <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Name, e-mail or job…" />
          </label>
        )}
      </div>
      {owners.error && <ErrorState error={owners.error} what="the owners" onRetry={owners.reload} />}
      {!owners.data && owners.loading && <Loading what="the owners" />}
      {owners.data && list.length === 0 && (
        <EmptyState title="No owners yet">
          <p>Owners are who hears of a job's failures, recoveries and late runs. Apply one with `moroccron apply -f`:</p>
          <pre>{OWNER_EXAMPLE}</pre>
          <p>Then name it in a job: `owners: [data-team]`.</p>
        </EmptyState>
      )}
      {list.length > 0 && shown.length === 0 && <p className="muted">No owner matches “{filter}”.</p>}
      {needle && withJobsNamed.owners && !withJobsNamed.complete && (
        <p className="small muted">Owners were matched on the first {MAX_PAGE.toLocaleString('en')} jobs that mention “{needle}”; a longer filter finds the rest.</p>
      )}
      <ul className="owner-list">
        {shown.map((owner) => (
          <OwnerCard key={owner.name} owner={owner} now={now} />
        ))}
      </ul>
    </Page>
  );
}
