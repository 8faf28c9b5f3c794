/** One job's row on the timeline: its name (a link), its heat strip, its runs at the selected time and in all. */
import { memo } from 'react';
import { Link } from 'react-router';
import { HeatStrip } from './HeatStrip';

interface TimelineRowProps {
  name: string;
  /** Its row in the table (aria-rowindex, 1-based, header rows included): rows come a page at a time. */
  rowIndex: number;
  counts: readonly number[];
  total: number;
  /** Runs in the selected bucket; null when none is selected. */
  atCursor: number | null;
  max: number;
  stripWidth: number;
  /** "in the next 24 hours", for the strip's accessible name. */
  span: string;
  busiestLabel: string;
}

export const TimelineRow = memo(function TimelineRow({ name, rowIndex, counts, total, atCursor, max, stripWidth, span, busiestLabel }: TimelineRowProps) {
  return (
    <div role="row" className="tl-row" data-job={name} aria-rowindex={rowIndex}>
      <span role="rowheader" className="tl-name">
        <Link to={`/jobs/${encodeURIComponent(name)}`} title={name}>
          {name}
        </Link>
      </span>
      <span role="cell" className="tl-strip">
        <HeatStrip counts={counts} max={max} width={stripWidth} height={18} label={`${name}: ${total} runs ${span}; busiest ${busiestLabel}`} />
      </span>
      <span role="cell" className={`tl-num tl-col-at${atCursor ? ' tl-num-hot' : ''}`}>
        {atCursor === null ? '—' : atCursor.toLocaleString('en')}
      </span>
      <span role="cell" className="tl-num tl-col-total">
        {total.toLocaleString('en')}
      </span>
    </div>
  );
});
