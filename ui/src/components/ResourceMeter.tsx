/** Used out of offered, as words and a bar: "1.5 of 4 cpus". */

interface ResourceMeterProps {
  used: number;
  total: number;
  unit: string;
  /** MiB values are shown as GiB from 1024 up. */
  mib?: boolean;
}

function amount(value: number, mib: boolean): string {
  if (mib && value >= 1024) return `${Math.round((value / 1024) * 10) / 10} GiB`;
  return `${Math.round(value * 100) / 100}${mib ? ' MiB' : ''}`;
}

export function ResourceMeter({ used, total, unit, mib = false }: ResourceMeterProps) {
  const share = total > 0 ? Math.min(1, used / total) : 0;
  const tone = share >= 0.9 ? 'c-fail' : share >= 0.7 ? 'c-wait' : 'c-ok';
  return (
    <span className="meter">
      <span className="meter-text">
        {amount(used, mib)} <span className="muted">of {amount(total, mib)}{mib ? '' : ` ${unit}`}</span>
      </span>
      <span className={`meter-track ${tone}`} aria-hidden="true">
        <span className="meter-fill" style={{ width: `${share * 100}%` }} />
      </span>
    </span>
  );
}
