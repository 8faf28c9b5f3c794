/**
 * `/`: every job, searchable, filterable and sortable, live; bulk run, pause and resume.
 * Filters and sorting live in the URL, so a view can be shared. Up to a couple of thousand
 * jobs the browser holds them all and shows them a page at a time; with more, the server
 * filters, sorts and pages, and the page loads more on demand (see job-paging.ts).
 */
import { ClientJobList } from '../components/ClientJobList';
import { Page } from '../components/Page';
import { PagedJobList } from '../components/PagedJobList';
import { ErrorState, Loading } from '../components/States';
import { useJobListMode } from '../hooks/useJobListMode';
import { useJobListParams } from '../hooks/useJobListParams';

export function JobsPage() {
  const params = useJobListParams();
  const { mode, error, retry, outgrown } = useJobListMode();

  return (
    <Page testId="page-jobs" title="Jobs" wide>
      <div className="page-head">
        <div>
          <h1>Jobs</h1>
          <p className="subtitle">Every job, its schedule in words, when it runs next and how its last runs went.</p>
        </div>
      </div>

      {mode === 'client' ? (
        <ClientJobList params={params} onOutgrown={outgrown} />
      ) : mode === 'paged' ? (
        <PagedJobList params={params} />
      ) : error ? (
        <ErrorState error={error} what="the jobs" onRetry={retry} />
      ) : (
        <div className="card">
          <Loading what="jobs" />
        </div>
      )}
    </Page>
  );
}
