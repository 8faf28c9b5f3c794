/**
 * Search and filters above the jobs table. When the server filters (many jobs), the label is
 * typed (`key=value`, or `key` for any value) with the labels of the rows on screen suggested,
 * since no list of every label is at hand.
 */
import { useId } from 'react';
import type { JobFilters, StateFilter } from '../lib/job-list';
import { MAX_LABEL_FILTER, MAX_SEARCH } from '../lib/job-paging';

interface JobsToolbarProps {
  filters: JobFilters;
  onChange: (next: Partial<JobFilters>) => void;
  owners: string[];
  labels: string[];
  backend: string | null;
  /** How many jobs there are, or match. */
  count: string;
  serverFiltered: boolean;
}

const STATES: { value: StateFilter; label: string }[] = [
  { value: '', label: 'Any state' },
  { value: 'active', label: 'Active (not paused)' },
  { value: 'running', label: 'Running now' },
  { value: 'failing', label: 'Failing (last run failed)' },
  { value: 'paused', label: 'Paused' },
];

export function JobsToolbar({ filters, onChange, owners, labels, backend, count, serverFiltered }: JobsToolbarProps) {
  const id = useId();
  const filtered = filters.query || filters.owner || filters.label || filters.state;
  return (
    <div className="toolbar" role="search">
      <div className="field search">
        <label htmlFor={`${id}-q`}>Search</label>
        <input
          id={`${id}-q`}
          type="search"
          placeholder="Name, description or label (team=data)"
          value={filters.query}
          maxLength={serverFiltered ? MAX_SEARCH : undefined}
          onChange={(e) => onChange({ query: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-state`}>State</label>
        <select id={`${id}-state`} value={filters.state} onChange={(e) => onChange({ state: e.target.value as StateFilter })}>
          {STATES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-owner`}>Owner</label>
        <select id={`${id}-owner`} value={filters.owner} onChange={(e) => onChange({ owner: e.target.value })}>
          <option value="">Any owner</option>
          {owners.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </div>
      {serverFiltered ? (
        <div className="field">
          <label htmlFor={`${id}-label`}>Label</label>
          <input
            id={`${id}-label`}
            type="text"
            list={`${id}-labels`}
            placeholder="key=value or key"
            spellCheck={false}
            autoComplete="off"
            maxLength={MAX_LABEL_FILTER}
            value={filters.label}
            onChange={(e) => onChange({ label: e.target.value })}
          />
          <datalist id={`${id}-labels`}>
            {labels.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={`${id}-label`}>Label</label>
          <select id={`${id}-label`} value={filters.label} onChange={(e) => onChange({ label: e.target.value })}>
            <option value="">Any label</option>
            {labels.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </div>
      )}
      {filtered ? (
        <button type="button" className="btn btn-quiet btn-small" onClick={() => onChange({ query: '', owner: '', label: '', state: '' })}>
          Clear filters
        </button>
      ) : null}
      <span className="count" aria-live="polite">
        {count}
        {backend ? ` · ${backend} backend` : ''}
      </span>
    </div>
  );
}
