/** The jobs table: sortable headers, selection, and one page of rows. */
import { useEffect, useId, useRef } from 'react';
import type { JobView } from '../api/types';
import type { SortDirection, SortKey } from '../lib/job-list';
import { JobRow } from './JobRow';

interface JobsTableProps {
  jobs: JobView[];
  now: number;
  sort: SortKey;
  direction: SortDirection;
  onSort: (key: SortKey) => void;
  /** The columns that can sort (every one with a key, when absent); the others say `sortNote`. */
  sortable?: ReadonlySet<SortKey>;
  sortNote?: string;
  selected: ReadonlySet<string>;
  /** Names selectable by the header checkbox: every job the filters let through. */
  allNames: string[];
  /** The header checkbox's name, when it selects something other than what the filters let through. */
  selectAllLabel?: string;
  onSelect: (name: string, selected: boolean) => void;
  onSelectAll: (selected: boolean) => void;
  busy: ReadonlySet<string>;
  /** Newer rows are on their way. */
  updating?: boolean;
  onRun: (name: string) => void;
  onPauseToggle: (job: JobView) => void;
}

const COLUMNS: { key: SortKey | null; label: string; className?: string }[] = [
  { key: 'name', label: 'Job', className: 'col-name' },
  { key: 'schedule', label: 'Schedule', className: 'col-schedule' },
  { key: 'timezone', label: 'Time zone', className: 'col-zone' },
  { key: 'next', label: 'Next run', className: 'col-next' },
  { key: 'status', label: 'Last status', className: 'col-status' },
  { key: null, label: 'Last 20 runs', className: 'col-spark' },
  { key: null, label: 'Actions', className: 'col-actions' },
];

export function JobsTable(props: JobsTableProps) {
  const { jobs, now, sort, direction, onSort, sortable, sortNote, selected, allNames, onSelect, onSelectAll, busy, onRun, onPauseToggle } = props;
  const selectAll = useRef<HTMLInputElement>(null);
  const noteId = useId();
  const chosen = allNames.filter((n) => selected.has(n)).length;
  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = chosen > 0 && chosen < allNames.length;
  }, [chosen, allNames.length]);

  return (
    <div className="table-wrap" aria-busy={props.updating || undefined}>
      {sortable && sortNote && (
        <span id={noteId} className="visually-hidden">
          {sortNote}
        </span>
      )}
      <table className="data jobs-table">
        <caption className="visually-hidden">Jobs, sorted by {COLUMNS.find((c) => c.key === sort)?.label.toLowerCase()}, {direction === 'asc' ? 'ascending' : 'descending'}</caption>
        <thead>
          <tr>
            <th className="col-check" scope="col">
              <input
                ref={selectAll}
                type="checkbox"
                checked={allNames.length > 0 && chosen === allNames.length}
                onChange={(e) => onSelectAll(e.target.checked)}
                aria-label={props.selectAllLabel ?? `Select all ${allNames.length} jobs shown by the filters`}
                disabled={allNames.length === 0}
              />
            </th>
            {COLUMNS.map((c) => (
              <th
                key={c.label}
                scope="col"
                className={c.className}
                aria-sort={c.key && c.key === sort ? (direction === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                {c.key && sortable && !sortable.has(c.key) ? (
                  // Focusable still, so the reason can be read and hovered.
                  <button type="button" className="sort-btn" aria-disabled="true" aria-describedby={noteId} title={sortNote}>
                    {c.label}
                  </button>
                ) : c.key ? (
                  <button type="button" className="sort-btn" onClick={() => onSort(c.key!)}>
                    {c.label}
                    <span className="sort-arrow" aria-hidden="true">
                      {c.key === sort ? (direction === 'asc' ? '▲' : '▼') : '↕'}
                    </span>
                  </button>
                ) : (
                  c.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <JobRow
              key={job.name}
              job={job}
              now={now}
              selected={selected.has(job.name)}
              busy={busy.has(job.name)}
              onSelect={onSelect}
              onRun={onRun}
              onPauseToggle={onPauseToggle}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
