/** The dispatch-skew histogram (start time minus scheduled time) as bars, with counts and shares in words. */
import type { Histogram } from '../lib/prometheus';
import { quantileBound } from '../lib/prometheus';

/** 0.005 → "5 ms", 2.5 → "2.5 s", 300 → "5 min". */
export function formatBound(seconds: number): string {
  if (seconds === Infinity) return '∞';
  if (seconds < 1) return `${Math.round(seconds * 1000 * 10) / 10} ms`;
  if (seconds < 60) return `${seconds} s`;
  return `${Math.round((seconds / 60) * 10) / 10} min`;
}

function rangeLabel(low: number, high: number): string {
  if (high === Infinity) return `over ${formatBound(low)}`;
  if (low === 0) return `up to ${formatBound(high)}`;
  return `${formatBound(low)} – ${formatBound(high)}`;
}

/** Which share of runs started late enough to matter: over a second, by bucket bounds. */
function slowShare(histogram: Histogram): number {
  const slow = histogram.buckets.filter((b) => b.le > 1).reduce((n, b) => n + b.count, 0);
  return histogram.count > 0 ? slow / histogram.count : 0;
}

export function SkewHistogram({ histogram }: { histogram: Histogram }) {
  const most = Math.max(1, ...histogram.buckets.map((b) => b.count));
  const quantile = (q: number) => {
    const bound = quantileBound(histogram, q);
    return bound === null ? '—' : bound === Infinity ? 'over the last bucket' : `≤ ${formatBound(bound)}`;
  };
  const mean = histogram.count > 0 ? histogram.sum / histogram.count : null;
  // Empty buckets past the latest start say nothing the line below the bars does not.
  const lastUsed = histogram.buckets.reduce((last, b, i) => (b.count > 0 ? i : last), -1);
  const shown = histogram.buckets.slice(0, Math.min(histogram.buckets.length, lastUsed + 2));
  const latestBound = lastUsed >= 0 ? histogram.buckets[lastUsed]!.le : null;
  return (
    <div className="skew">
      <dl className="skew-stats">
        <div>
          <dt>Runs started</dt>
          <dd>{histogram.count.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Mean</dt>
          <dd>{mean === null ? '—' : formatBound(Number(mean.toPrecision(3)))}</dd>
        </div>
        <div>
          <dt>Median</dt>
          <dd>{quantile(0.5)}</dd>
        </div>
        <div>
          <dt>95th percentile</dt>
          <dd>{quantile(0.95)}</dd>
        </div>
        <div>
          <dt>99th percentile</dt>
          <dd>{quantile(0.99)}</dd>
        </div>
        <div>
          <dt>Over 1 s late</dt>
          <dd>{histogram.count > 0 ? `${(slowShare(histogram) * 100).toFixed(1)} %` : '—'}</dd>
        </div>
      </dl>
      <table className="skew-bars" data-testid="skew-histogram">
        <caption className="visually-hidden">Runs by how late they started</caption>
        <thead>
          <tr>
            <th scope="col">Started late by</th>
            <th scope="col">Runs</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((b, i) => {
            const low = i === 0 ? 0 : histogram.buckets[i - 1]!.le;
            const share = histogram.count > 0 ? (b.count / histogram.count) * 100 : 0;
            return (
              <tr key={b.le} className={b.le > 1 ? 'skew-slow' : ''}>
                <th scope="row">{rangeLabel(low, b.le)}</th>
                <td>
                  <span className="skew-bar-track">
                    <span className="skew-bar" style={{ width: `${(b.count / most) * 100}%` }} />
                  </span>
                  <span className="skew-count">
                    {b.count.toLocaleString('en')}
                    <span className="muted"> ({share < 0.1 && share > 0 ? '<0.1' : share.toFixed(1)} %)</span>
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {latestBound !== null && latestBound !== Infinity && shown.length < histogram.buckets.length && (
        <p className="small muted skew-note">No run started more than {formatBound(histogram.buckets[shown.length - 1]!.le)} late.</p>
      )}
    </div>
  );
}
