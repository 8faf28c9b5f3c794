/** The next occurrences of a job: in its zone (as the scheduler reads it) and the viewer's, with DST notes. */
import { useEffect, useRef } from 'react';
import { jobPath, useApi } from '../api/client';
import type { JobView, Occurrences } from '../api/types';
import { formatRelative, formatTime, VIEWER_ZONE, zoneAbbreviation } from '../lib/format';
import { ErrorState, Loading } from './States';

interface NextOccurrencesProps {
  job: JobView;
  now: number;
  /** Changes when the job does, so the list is fetched again. */
  revision: string;
}

export function NextOccurrences({ job, now, revision }: NextOccurrencesProps) {
  const path = job.schedule ? `${jobPath(job.name)}/occurrences?count=10` : null;
  const { data, error, loading, reload } = useApi<Occurrences>(path);
  const seen = useRef(revision);
  useEffect(() => {
    if (seen.current === revision) return;
    seen.current = revision;
    reload();
  }, [revision, reload]);
  // Once the first one has passed, the list is fetched again (a frequent job's list moves on).
  const first = data?.occurrences[0]?.at;
  const passed = first !== undefined && new Date(first).getTime() < now;
  useEffect(() => {
    if (passed) reload();
  }, [passed, first, reload]);
  const upcoming = data?.occurrences.filter((o) => new Date(o.at).getTime() >= now - 1000);
  const sameZone = VIEWER_ZONE === job.timezone;

  return (
    <section className="card" aria-labelledby="occ-heading">
      <div className="card-head">
        <h2 id="occ-heading">Next 10 runs</h2>
        <span className="hint">{sameZone ? job.timezone : `${job.timezone} · yours: ${VIEWER_ZONE}`}</span>
      </div>
      <div className="occ-body">
        {!job.schedule ? (
          <p className="muted">
            No schedule: it runs {job.after.length > 0 ? `after ${job.after.join(' and ')} succeed` : 'only when started by hand or by a trigger'}.
          </p>
        ) : error ? (
          <ErrorState error={error} what="the next runs" onRetry={reload} />
        ) : loading && !data ? (
          <Loading what="the next runs" />
        ) : data && data.occurrences.length === 0 ? (
          <p className="muted">The schedule has no more occurrences.</p>
        ) : (
          <>
            {job.paused && <p className="small muted">Paused: these are the times it would run once resumed.</p>}
            <table className="data occ-table">
              <caption className="visually-hidden">The next {data?.occurrences.length} scheduled times</caption>
              <thead>
                <tr>
                  <th scope="col">{job.timezone}</th>
                  {!sameZone && <th scope="col">Yours ({VIEWER_ZONE})</th>}
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {upcoming?.map((o) => (
                  <tr key={o.at} className={o.dst ? 'occ-dst' : undefined}>
                    <td>
                      <time dateTime={o.at} title={`${formatTime(o.at, { zone: 'UTC' })} UTC`} className="mono">
                        {o.local}
                      </time>{' '}
                      <span className="muted small">{o.offset}</span>
                      {o.dst && (
                        <span className="occ-note">
                          <span aria-hidden="true">⚠ </span>
                          <strong>{o.dst === 'gap' ? 'DST gap' : 'DST overlap'}:</strong>{' '}
                          {o.note ?? (o.dst === 'gap' ? 'this local time does not exist on this day' : 'this local time happens twice on this day')}
                        </span>
                      )}
                    </td>
                    {!sameZone && (
                      <td className="mono nowrap">
                        {formatTime(o.at)} <span className="muted small">{zoneAbbreviation(VIEWER_ZONE, o.at)}</span>
                      </td>
                    )}
                    <td className="muted nowrap">{formatRelative(o.at, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
    </section>
  );
}
