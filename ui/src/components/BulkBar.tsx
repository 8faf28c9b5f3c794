/** Actions on the selected jobs, and what each did: every failure named with its reason. */
import type { BulkOutcome } from '../lib/bulk';

interface BulkBarProps {
  count: number;
  /** Which jobs the count and the actions cover, when not every selected one ("on screen"). */
  scope?: string | undefined;
  running: boolean;
  onAction: (action: 'run' | 'pause' | 'resume') => void;
  onClear: () => void;
}

export function BulkBar({ count, scope, running, onAction, onClear }: BulkBarProps) {
  return (
    <div className="bulkbar" role="region" aria-label="Bulk actions">
      <strong>
        {count.toLocaleString('en')} selected{scope ? ` ${scope}` : ''}
      </strong>
      <button type="button" className="btn btn-small" disabled={running} onClick={() => onAction('run')}>
        ▶ Run now
      </button>
      <button type="button" className="btn btn-small" disabled={running} onClick={() => onAction('pause')}>
        Pause
      </button>
      <button type="button" className="btn btn-small" disabled={running} onClick={() => onAction('resume')}>
        Resume
      </button>
      <button type="button" className="btn btn-quiet btn-small" onClick={onClear}>
        Clear selection
      </button>
      {running && (
        <span className="muted small">
          <span className="spinner" aria-hidden="true" /> Working…
        </span>
      )}
    </div>
  );
}

const VERB = { run: 'Started a run of', pause: 'Paused', resume: 'Resumed' } as const;

export function BulkResults({ outcome, onDismiss }: { outcome: BulkOutcome; onDismiss: () => void }) {
  const { action, succeeded, failed } = outcome;
  return (
    <div className={`bulk-results banner ${failed.length > 0 ? 'banner-error' : 'banner-ok'}`} role={failed.length > 0 ? 'alert' : 'status'} style={{ margin: 0, borderRadius: 0 }}>
      <div className="banner-body">
        {succeeded.length > 0 && (
          <p>
            {VERB[action]} {succeeded.length <= 5 ? succeeded.join(', ') : `${succeeded.length} jobs`}.
          </p>
        )}
        {failed.length > 0 && (
          <>
            <p>
              <strong>
                {failed.length} {failed.length === 1 ? 'job' : 'jobs'} failed:
              </strong>
            </p>
            <ul>
              {failed.map((f) => (
                <li key={f.name}>
                  <strong>{f.name}</strong>: {f.message}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      <button type="button" className="btn btn-quiet btn-small" onClick={onDismiss} aria-label="Dismiss results">
        ✕
      </button>
    </div>
  );
}
