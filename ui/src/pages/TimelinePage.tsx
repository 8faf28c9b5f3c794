/**
 * /timeline: when jobs fire over the next 24 hours, as a heat strip per job and one for all
 * of them, so the midnight pile-up shows before it happens; or one hour minute by minute.
 * The selected time is a slider (arrow keys) on the "all jobs" strip; hovering any strip
 * moves it, and every row shows its runs at that time. The server sums every job; the job
 * rows come 100 at a time (most runs first, filtered on the server), and who fires most at
 * the selected time is asked of the server too, so 100,000 jobs cost what 100 do.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useApi } from '../api/client';
import { useEvents } from '../api/events';
import type { Timeline } from '../api/types';
import { hoursOf, rowSearch, TIMELINE_PAGE, useTimelinePages, windowFor, type SortBy } from '../hooks/useTimelinePages';
import { HEAT_COLOURS, HeatStrip } from '../components/HeatStrip';
import { Page } from '../components/Page';
import { EmptyState, ErrorState, Loading } from '../components/States';
import { TimelineRow } from '../components/TimelineRow';
import { useColorScheme } from '../components/useColorScheme';
import { useDebounced } from '../components/useDebounced';
import { useDebouncedValue } from '../components/useDebouncedValue';
import { useNow } from '../components/useNow';
import { usePolling } from '../components/usePolling';
import { VIEWER_ZONE, plural } from '../lib/format';
import { bucketAt, bucketLabel, bucketTimes, busiestBuckets, clockTime, dayName, heatRanges, hourTicks, jobsIn, largest, localHourStart, minuteTicks, tickStep, typicalRuns } from '../lib/timeline';
import '../styles/timeline.css';

const HOUR = 3_600_000;
/** The server's longest search. */
const MAX_SEARCH = 200;
/** Jobs named beside the selected time. */
const TOP_AT_CURSOR = 5;

/** A frame around the selected bucket, a little wider than it, so the bucket's colour stays visible inside. */
const cursorStyle = (index: number, buckets: number) => ({ left: `calc(${(index / buckets) * 100}% - 2px)`, width: `calc(${100 / buckets}% + 4px)` });


/** The strip column's width and offset, so canvases draw at their real size and the overlay lines up. */
function useStripBox(): [(element: HTMLElement | null) => void, number, number] {
  const [element, setElement] = useState<HTMLElement | null>(null);
  const [box, setBox] = useState({ width: 0, left: 0 });
  useLayoutEffect(() => {
    if (!element) return;
    const measure = () => setBox({ width: Math.floor(element.getBoundingClientRect().width), left: element.offsetLeft });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return [setElement, box.width, box.left];
}

function HeatLegend({ max, totalMax, unit }: { max: number; totalMax: number; unit: string }) {
  const scheme = useColorScheme();
  const levels = heatRanges(max);
  return (
    <div className="legend tl-legend">
      <span>Runs per {unit}, per job:</span>
      <span>
        <span className="legend-swatch" style={{ background: HEAT_COLOURS[scheme][0] }} aria-hidden="true" />
        none
      </span>
      {levels.map((l) => (
        <span key={l.level}>
          <span className="legend-swatch" style={{ background: HEAT_COLOURS[scheme][l.level] }} aria-hidden="true" />
          {l.low === l.high ? l.low : `${l.low}–${l.high}`}
        </span>
      ))}
      <span className="muted">All jobs: the darkest is {plural(totalMax, 'run')}, the rest in fifths of it.</span>
    </div>
  );
}

export function TimelinePage() {
  const now = useNow(60_000);
  const [hourStart, setHourStart] = useState<number | null>(null);
  const [cursorTime, setCursorTime] = useState<number | null>(null);
  const [filter, setFilter] = useState('');
  const [sortBy, setSortBy] = useState<SortBy>('runs');
  const timelineWindow = windowFor(hourStart);
  // The bucket the rows are ordered by follows the selected time once it rests.
  const [settledCursor, setSettledCursor] = useState<number | null>(null);
  const search = rowSearch(useDebouncedValue(filter, 300), sortBy, sortBy === 'cursor' ? settledCursor : null);
  const { data, rows: loadedRows, error, loading, loadingMore, loadMore, reload } = useTimelinePages(timelineWindow, search);
  const [tip, setTip] = useState<{ x: number; y: number; text: string } | null>(null);
  const [axisRef, stripWidth, stripLeft] = useStripBox();


  const busiest = useMemo(() => (data ? busiestBuckets(data, 5) : []), [data]);
  // Start at the busiest time, and keep the selected time (not its index) across refetches.
  useEffect(() => {
    if (data && (cursorTime === null || bucketAt(data, cursorTime) === null)) {
      const first = busiest[0]?.index ?? 0;
      setCursorTime(bucketTimes(data, first).start);
    }
  }, [data, busiest, cursorTime]);
  const cursor = data && cursorTime !== null ? bucketAt(data, cursorTime) : null;
  const restingCursor = useDebouncedValue(cursor, 250);
  useEffect(() => setSettledCursor(restingCursor), [restingCursor]);
  // Who fires most at the selected time, over every job (not only the rows loaded).
  const topPath = data && restingCursor !== null ? `/api/v1/timeline?${new URLSearchParams({ hours: String(hoursOf(data)), bucketMinutes: String(data.bucketMinutes), from: data.from, bucket: String(restingCursor), limit: String(TOP_AT_CURSOR) }).toString()}` : null;
  const top = useApi<Timeline>(topPath);
  const topAtCursor = top.data && restingCursor === cursor ? top.data.jobs : [];

  const reloadTop = top.reload;
  const reloadAll = useCallback(() => {
    reload();
    reloadTop();
  }, [reload, reloadTop]);
  usePolling(reloadAll, 5 * 60_000);
  const refetch = useDebounced(reloadAll, 1_000);
  useEvents((event) => event.kind === 'job' && refetch(), { onReset: reloadAll });

  const jobMax = data?.maxPerJob ?? 0;
  const totalMax = useMemo(() => (data ? largest([data.totals]) : 0), [data]);
  const totalRuns = useMemo(() => (data ? data.totals.reduce((a, b) => a + b, 0) : 0), [data]);
  const peakLabels = useMemo(() => {
    const labels = new Map<string, string>();
    if (!data) return labels;
    for (const job of loadedRows) {
      let peak = 0;
      job.counts.forEach((c, i) => (c > (job.counts[peak] ?? 0) ? (peak = i) : undefined));
      labels.set(job.name, `${bucketLabel(data, peak, now)} (${job.counts[peak] ?? 0})`);
    }
    return labels;
  }, [data, loadedRows, now]);

  const rows = { shown: loadedRows, matching: data?.total ?? 0 };

  const perMinute = hourStart !== null;
  const unit = perMinute ? 'minute' : `${data?.bucketMinutes ?? 5} minutes`;
  const span = perMinute && data ? `from ${clockTime(Date.parse(data.from))} to ${clockTime(Date.parse(data.to))}` : 'in the next 24 hours';
  const ticks = useMemo(() => {
    if (!data) return [];
    const from = Date.parse(data.from);
    const to = Date.parse(data.to);
    const width = Math.max(stripWidth, 1);
    if (perMinute) return minuteTicks(from, to, tickStep([5, 10, 15, 30], 60, width, 48));
    return hourTicks(from, to, tickStep([1, 2, 3, 4, 6, 12], (to - from) / HOUR, width, 52), 48 / width);
  }, [data, perMinute, stripWidth]);

  const cursorText = (index: number) => (data ? `${bucketLabel(data, index, now)}: ${plural(data.totals[index] ?? 0, 'run')} from ${plural(jobsIn(data, index), 'job')}` : '');
  const moveCursor = (index: number) => data && setCursorTime(bucketTimes(data, Math.max(0, Math.min(data.totals.length - 1, index))).start);

  const onSliderKey = (e: KeyboardEvent) => {
    if (!data || cursor === null) return;
    setTip(null);
    const page = perMinute ? 10 : 12;
    const step: Record<string, number> = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: page, PageDown: -page };
    if (e.key in step) moveCursor(cursor + step[e.key]!);
    else if (e.key === 'Home') moveCursor(0);
    else if (e.key === 'End') moveCursor(data.totals.length - 1);
    else return;
    e.preventDefault();
  };
  const indexAt = (e: MouseEvent, element: HTMLElement) => {
    if (!data) return null;
    const box = element.getBoundingClientRect();
    const x = e.clientX - box.left;
    if (x < 0 || x >= box.width) return null;
    return Math.floor((x / box.width) * data.totals.length);
  };
  const onStripsMove = (e: MouseEvent<HTMLDivElement>) => {
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-job]');
    const strip = row?.querySelector<HTMLElement>('.tl-strip canvas');
    const index = strip ? indexAt(e, strip) : null;
    if (!data || !row || index === null) return setTip(null);
    moveCursor(index);
    const job = loadedRows.find((j) => j.name === row.dataset.job);
    setTip({ x: e.clientX, y: e.clientY, text: `${row.dataset.job} · ${bucketLabel(data, index, now)}: ${plural(job?.counts[index] ?? 0, 'run')}` });
  };
  const onTotalMove = (e: MouseEvent<HTMLDivElement>) => {
    const index = indexAt(e, e.currentTarget);
    if (index === null) return setTip(null);
    moveCursor(index);
    setTip({ x: e.clientX, y: e.clientY, text: cursorText(index) });
  };

  const hourOptions = useMemo(() => Array.from({ length: 25 }, (_, i) => localHourStart(now) + i * HOUR), [now]);
  const zoomTo = (t: number) => {
    setHourStart(localHourStart(t));
    setCursorTime(t);
  };

  return (
    <Page testId="page-timeline" title="Timeline" wide>
      <div className="page-head">
        <div>
          <h1>Timeline</h1>
          <p className="subtitle">
            When jobs will fire, {perMinute ? 'minute by minute over one hour' : 'in 5-minute buckets over the next 24 hours'}. Times in your zone, {VIEWER_ZONE}. Paused jobs are left out.
          </p>
        </div>
        <fieldset className="tl-mode">
          <legend className="visually-hidden">Resolution</legend>
          <label>
            <input type="radio" name="resolution" checked={!perMinute} onChange={() => setHourStart(null)} /> 24 hours
          </label>
          <label>
            <input type="radio" name="resolution" checked={perMinute} onChange={() => zoomTo(cursorTime ?? now)} /> Per minute
          </label>
          {perMinute && (
            <label className="field">
              Hour
              <select value={hourStart ?? ''} onChange={(e) => setHourStart(Number(e.target.value))}>
                {hourOptions.map((t) => (
                  <option key={t} value={t}>
                    {dayName(t)} {clockTime(t)}–{clockTime(t + HOUR)}
                  </option>
                ))}
              </select>
            </label>
          )}
        </fieldset>
      </div>

      {error && <ErrorState error={error} what="the timeline" onRetry={reload} />}
      {!data && loading && <Loading what="the timeline" />}
      {data && data.firing === 0 && (
        <EmptyState title="Nothing fires in this window">
          <p>No job that is not paused has an occurrence {span}.</p>
        </EmptyState>
      )}
      {data && data.firing > 0 && (
        <>
          <section className="card tl-summary" aria-labelledby="tl-busiest-title">
            <div className="card-body">
              <p>
                <strong>{plural(totalRuns, 'run')}</strong> from {plural(data.firing, 'job')} {span}.
              </p>
              <h2 id="tl-busiest-title">Busiest {perMinute ? 'minutes' : '5 minutes'}</h2>
              {busiest.length === 0 && (
                <p className="muted">
                  No pile-up: no {perMinute ? 'minute' : '5 minutes'} holds more than the usual {plural(typicalRuns(data.totals), 'run')}.
                </p>
              )}
              <ol className="tl-busiest" data-testid="timeline-busiest">
                {busiest.map((b) => (
                  <li key={b.index}>
                    <button type="button" className={`btn btn-small${b.index === cursor ? ' tl-selected' : ''}`} onClick={() => moveCursor(b.index)} aria-pressed={b.index === cursor}>
                      {bucketLabel(data, b.index, now)}: {plural(b.runs, 'run')} from {plural(b.jobs, 'job')}
                    </button>
                  </li>
                ))}
              </ol>
            </div>
          </section>

          <section className="card tl-card" aria-label="Runs over time">
            <div className="toolbar">
              <label className="field search">
                Filter jobs
                <input type="search" value={filter} maxLength={MAX_SEARCH} onChange={(e) => setFilter(e.target.value)} placeholder="Name, description or key=value…" />
              </label>
              <label className="field">
                Sort by
                <select value={sortBy} onChange={(e) => setSortBy(e.target.value as SortBy)}>
                  <option value="runs">Most runs</option>
                  <option value="cursor">Firing at the selected time</option>
                  <option value="name">Name</option>
                </select>
              </label>
              <span className="count" role="status" data-testid="timeline-count">
                {loading ? 'Loading… ' : ''}Showing {rows.shown.length.toLocaleString('en')} of {plural(rows.matching, 'job')}
              </span>
            </div>

            <div className="tl-readout" data-testid="timeline-readout">
              {cursor !== null && (
                <>
                  <span>
                    <strong>{cursorText(cursor)}</strong>
                    {topAtCursor.length > 0 && (
                      <span className="muted" data-testid="timeline-top">
                        {' '}
                        · most: {topAtCursor.map((j) => `${j.name} (${j.counts[cursor] ?? 0})`).join(', ')}
                      </span>
                    )}
                  </span>
                  {!perMinute && (
                    <button type="button" className="btn btn-small" onClick={() => zoomTo(bucketTimes(data, cursor).start)}>
                      This hour per minute
                    </button>
                  )}
                </>
              )}
            </div>
            <HeatLegend max={jobMax} totalMax={totalMax} unit={unit} />

            <div className="tl-scroll" onMouseLeave={() => setTip(null)}>
              <div role="table" className="tl-table" aria-label={`Runs per job ${span}`} aria-rowcount={rows.matching + 2}>
                <div role="rowgroup" className="tl-head">
                  <div role="row" className="tl-row tl-axis-row" aria-rowindex={1}>
                    <span role="columnheader" className="tl-name">
                      Job
                    </span>
                    <span role="columnheader" className="tl-axis" ref={axisRef}>
                      <span className="visually-hidden">Runs over time</span>
                      {ticks.map((t) => (
                        <span key={t.at} className={`tl-tick-label${t.day ? ' tl-day' : ''}${t.at > 0.92 ? ' tl-tick-end' : t.at < 0.04 ? ' tl-tick-start' : ''}`} style={{ left: `${t.at * 100}%` }} aria-hidden="true">
                          {t.label}
                        </span>
                      ))}
                    </span>
                    <span role="columnheader" className="tl-num tl-col-at" title="Runs at the selected time">
                      At<span className="visually-hidden"> the selected time</span>
                    </span>
                    <span role="columnheader" className="tl-num tl-col-total">
                      Total
                    </span>
                  </div>
                  <div role="row" className="tl-row tl-total-row" aria-rowindex={2}>
                    <span role="rowheader" className="tl-name">
                      All jobs
                    </span>
                    <span role="cell" className="tl-strip">
                      <div
                        role="slider"
                        tabIndex={0}
                        className="tl-slider"
                        aria-label="Selected time"
                        aria-valuemin={0}
                        aria-valuemax={data.totals.length - 1}
                        aria-valuenow={cursor ?? 0}
                        aria-valuetext={cursor === null ? 'none' : cursorText(cursor)}
                        onKeyDown={onSliderKey}
                        onMouseMove={onTotalMove}
                        onClick={onTotalMove}
                        onMouseLeave={() => setTip(null)}
                        data-testid="timeline-total"
                      >
                        <HeatStrip counts={data.totals} max={totalMax} scale="linear" width={stripWidth} height={28} label={`All jobs: ${plural(totalRuns, 'run')} ${span}`} />
                        {cursor !== null && <span className="tl-cursor" style={cursorStyle(cursor, data.totals.length)} aria-hidden="true" />}
                      </div>
                    </span>
                    <span role="cell" className="tl-num tl-col-at tl-num-hot">
                      {cursor === null ? '—' : (data.totals[cursor] ?? 0).toLocaleString('en')}
                    </span>
                    <span role="cell" className="tl-num tl-col-total">
                      {totalRuns.toLocaleString('en')}
                    </span>
                  </div>
                </div>
                <div role="rowgroup" className="tl-body" onMouseMove={onStripsMove} onClick={onStripsMove}>
                  <div className="tl-overlay" style={{ left: stripLeft, width: stripWidth }} aria-hidden="true">
                    {ticks.map((t) => (
                      <span key={t.at} className={`tl-tick${t.day ? ' tl-day' : ''}`} style={{ left: `${t.at * 100}%` }} />
                    ))}
                    {cursor !== null && <span className="tl-cursor" style={cursorStyle(cursor, data.totals.length)} />}
                  </div>
                  {rows.shown.map((job, i) => (
                    <TimelineRow
                      key={job.name}
                      rowIndex={i + 3}
                      name={job.name}
                      counts={job.counts}
                      total={job.total}
                      atCursor={cursor === null ? null : (job.counts[cursor] ?? 0)}
                      max={jobMax}
                      stripWidth={stripWidth}
                      span={span}
                      busiestLabel={peakLabels.get(job.name) ?? ''}
                    />
                  ))}
                </div>
              </div>
            </div>
            {rows.shown.length < rows.matching && data.nextCursor !== null && (
              <div className="pager">
                <span>{plural(rows.matching - rows.shown.length, 'more job')} not shown.</span>
                <button type="button" className="btn btn-small" onClick={loadMore} disabled={loadingMore}>
                  {loadingMore ? 'Loading…' : `Load ${Math.min(TIMELINE_PAGE, rows.matching - rows.shown.length).toLocaleString('en')} more`}
                </button>
              </div>
            )}
          </section>
          {tip && (
            <div className="tl-tip" style={{ left: Math.max(8, Math.min(tip.x + 12, window.innerWidth - 250)), top: tip.y + 14 }} aria-hidden="true">
              {tip.text}
            </div>
          )}
        </>
      )}
    </Page>
  );
}
