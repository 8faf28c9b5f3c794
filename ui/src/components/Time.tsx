/** An instant in the viewer's zone (or another), with UTC on hover and a machine-readable datetime. */
import { formatTime, formatUtc } from '../lib/format';

interface TimeProps {
  iso: string | null | undefined;
  zone?: string;
  seconds?: boolean;
  zoneName?: boolean;
}

export function Time({ iso, zone, seconds = true, zoneName = false }: TimeProps) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {formatTime(iso, { zone, seconds, zoneName })}
    </time>
  );
}
