/** The last runs of a job as bars, oldest left: height is duration, colour and title the status (the job page has the runs to click). */
import type { RecentRun } from '../api/types';
import { formatDuration, formatTime } from '../lib/format';
import { RUN_STATUS_LOOK } from '../lib/status';

export function Sparkline({ runs, job }: { runs: RecentRun[] | undefined; job: string }) {
  if (!runs || runs.length === 0) return <span className="spark-empty">no runs yet</span>;
  const oldestFirst = [...runs].reverse();
  const longest = Math.max(1, ...oldestFirst.map((r) => r.durationMs ?? 0));
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
  return (
    <span className="sparkline" role="img" aria-label={`Last ${runs.length} runs of ${job}: ${summary}`}>
      {oldestFirst.map((run) => {
        const look = RUN_STATUS_LOOK[run.status];
        const height = run.durationMs === null ? 12 : 12 + Math.round((88 * Math.sqrt(run.durationMs)) / Math.sqrt(longest));
        return (
          <span
            key={run.id}
            className={`spark-bar ${look.tone}`}
            style={{ height: `${height}%` }}
            title={`${look.label} · ${formatDuration(run.durationMs)} · ${formatTime(run.scheduledAt, { seconds: false })}`}
          />
        );
      })}
    </span>
  );
}
