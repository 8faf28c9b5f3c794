/** A run status (or job state) as a pill: glyph, word and colour together. */
import type { RunStatus } from '../api/types';
import { RUN_STATUS_LOOK, type StatusLook } from '../lib/status';

interface StatusBadgeProps {
  status?: RunStatus;
  /** Another look (a job state, a graph node state) instead of a run status. */
  look?: StatusLook;
  large?: boolean;
  /** Extra words after the label, e.g. "(exit 2)". */
  detail?: string;
}

export function StatusBadge({ status, look, large = false, detail }: StatusBadgeProps) {
  const shown = look ?? (status ? RUN_STATUS_LOOK[status] : undefined);
  if (!shown) return <span className="muted">—</span>;
  return (
    <span className={`status ${shown.tone} status-${shown.label.replace(/\s+/g, '-')}${large ? ' status-large' : ''}`}>
      <span className="status-glyph" aria-hidden="true">
        {shown.glyph}
      </span>
      {shown.label}
      {detail ? <span className="status-detail"> {detail}</span> : null}
    </span>
  );
}
