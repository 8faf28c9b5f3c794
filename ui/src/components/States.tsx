/** Loading, error and empty states that say what happened and what to do. */
import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';

export function Loading({ what }: { what: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

/** What to do about an error, by its status. */
function adviceFor(error: ApiError): string {
  if (error.status === 0) return 'Check that the moroccron server is running and reachable, then try again.';
  if (error.status === 403) return 'Your token’s role does not allow this. Ask an admin for a token with the right role or owners.';
  if (error.status === 404) return 'It may have been deleted or renamed.';
  if (error.status === 503) return 'The server cannot reach its store or has no leader yet; it recovers by itself. Try again in a moment.';
  if (error.status === 429) return 'Too many requests: wait a few seconds and try again.';
  return 'Try again; if it keeps failing, the server’s log says more.';
}

export function ErrorState({ error, what, onRetry, children }: { error: ApiError; what: string; onRetry?: () => void; children?: ReactNode }) {
  return (
    <div className="banner banner-error" role="alert">
      <div className="banner-body">
        <p>
          <strong>Could not load {what}.</strong> {error.message}
        </p>
        <p className="small">{adviceFor(error)}</p>
        {children}
      </div>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}
